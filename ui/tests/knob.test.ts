import { describe, expect, it } from "vitest";
import { angleFor, arcPath, clamp, dragTo, keyTo } from "../src/lib/knob";

describe("knob maths", () => {
  it("clamps and rounds to 0–100", () => {
    expect(clamp(-5)).toBe(0);
    expect(clamp(101)).toBe(100);
    expect(clamp(49.6)).toBe(50);
    expect(clamp(Number.NaN)).toBe(0);
  });

  it("sweeps 270 degrees centred on 50", () => {
    expect(angleFor(0)).toBe(-135);
    expect(angleFor(50)).toBe(0);
    expect(angleFor(100)).toBe(135);
  });

  it("drags up to increase, with a fine mode", () => {
    expect(dragTo(50, 20)).toBe(60);
    expect(dragTo(50, -200)).toBe(0);
    expect(dragTo(50, 20, true)).toBe(52);
  });

  it("moves with the keyboard", () => {
    expect(keyTo(50, "ArrowUp")).toBe(51);
    expect(keyTo(50, "ArrowLeft", true)).toBe(40);
    expect(keyTo(95, "PageUp")).toBe(100);
    expect(keyTo(50, "End")).toBe(100);
    expect(keyTo(50, "Home")).toBe(0);
    expect(keyTo(50, "a")).toBeNull();
  });

  it("draws a longer arc for a larger value", () => {
    expect(arcPath(100)).toContain(" 1 1 "); // large-arc flag set past 180°
    expect(arcPath(10)).toContain(" 0 1 ");
  });
});
