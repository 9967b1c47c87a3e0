import { describe, expect, it } from "vitest";
import { activeJobs, songTake } from "../src/lib/dashboard";
import type { JobView } from "../src/lib/bindings";

const job = (id: string, status: string): JobView => ({ id, kind: "generate", status, progress: 0, label: "", error: null, created_ms: 0 });

describe("dashboard", () => {
  it("lists running jobs before queued ones and leaves finished ones out", () => {
    const list = [job("a", "done"), job("b", "queued"), job("c", "running"), job("d", "cancelled"), job("e", "failed"), job("f", "running")];
    expect(activeJobs(list).map((j) => j.id)).toEqual(["c", "f", "b"]);
    expect(activeJobs([])).toEqual([]);
  });

  it("serves a song from its take folder", () => {
    expect(songTake("/home/u/.local/share/son1k/songs/take-123")).toBe("take-123");
    expect(songTake("C:\\data\\songs\\take-9\\")).toBe("take-9");
  });
});
