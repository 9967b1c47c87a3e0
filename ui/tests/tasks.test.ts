import { describe, expect, it } from "vitest";
import { TaskStore } from "../src/lib/tasks.svelte";

describe("the task store", () => {
  it("lists a task while it runs and moves it on with the shell's progress", () => {
    const store = new TaskStore(async () => true);
    store.start("gen-1", "Generating");
    store.start("voice-1", "Making the profile", { fraction: null, cancellable: false });
    expect(store.running.map((t) => t.id)).toEqual(["gen-1", "voice-1"]);
    expect(store.find("voice-1")?.fraction).toBeNull();
    store.report({ id: "gen-1", fraction: 0.42, stage: "rendering drums" });
    store.report({ id: "someone-else", fraction: 0.9, stage: "mixing" });
    store.report({ id: "voice-1", fraction: 1.7, stage: "encode" });
    expect(store.find("gen-1")).toMatchObject({ fraction: 0.42, stage: "rendering drums" });
    expect(store.find("voice-1")?.fraction).toBe(1);
    expect(store.find("someone-else")).toBeNull();
    expect(store.updates).toBe(3);
    store.end("gen-1");
    expect(store.running.map((t) => t.id)).toEqual(["voice-1"]);
    expect(store.find("gen-1")).toBeNull();
  });

  it("cancels through the shell once, and only what can be cancelled", async () => {
    const asked: string[] = [];
    const store = new TaskStore(async (id) => asked.push(id));
    store.start("gen-1", "Generating");
    store.start("voice-1", "Making the profile", { cancellable: false });
    expect(await store.cancel("gen-1")).toBe(true);
    expect(store.find("gen-1")?.cancelling).toBe(true);
    expect(await store.cancel("gen-1")).toBe(false);
    expect(await store.cancel("voice-1")).toBe(false);
    expect(await store.cancel("nothing")).toBe(false);
    expect(asked).toEqual(["gen-1"]);
  });
});
