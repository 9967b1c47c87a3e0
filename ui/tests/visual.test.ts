import { describe, expect, it } from "vitest";
import { brightness, even, frameUrl, span } from "../src/lib/visual";

describe("Nexus Visual in the webview", () => {
  it("names a frame by take, scene, seed, size and milliseconds, encoded", () => {
    expect(frameUrl("take 1 ñ", "auto", 7, 640, 360, 12.3456, false)).toBe("son1k-visual://localhost/take%201%20%C3%B1/auto/7/640x360/12346");
    expect(frameUrl("t", "rain", 1, 641, 361, -3, true)).toBe("http://son1k-visual.localhost/t/rain/1/640x360/0");
  });

  it("keeps sizes even and inside what the shell draws", () => {
    expect(even(0)).toBe(2);
    expect(even(5000)).toBe(1920);
    expect(even(359)).toBe(358);
  });

  it("measures brightness over colour channels only", () => {
    expect(brightness(new Uint8Array([255, 255, 255, 0, 0, 0, 0, 255]))).toBe(127.5);
    expect(brightness(new Uint8Array([]))).toBe(0);
  });

  it("reads an export span, or the whole song", () => {
    expect(span("", "")).toBeNull();
    expect(span("", "15")).toEqual([0, 15]);
    expect(span("30", "45.5")).toEqual([30, 45.5]);
    expect(() => span("10", "5")).toThrow();
    expect(() => span("x", "5")).toThrow();
  });
});
