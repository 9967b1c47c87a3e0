import { describe, expect, it } from "vitest";
import { compRegion, recordPlan } from "../src/lib/ghost";

const metronome = { bpm: 120, beats_per_bar: 4, level_db: -12, in_export: false };

describe("tracking", () => {
  it("records a new take from the playhead onto a new track when nothing is armed", () => {
    const p = recordPlan({ from: 3.5, countIn: 1, metronome, loop: { start: 8, end: 12 }, mode: "take", armed: [] });
    expect(p).toEqual({ from: 3.5, count_in: 1, metronome, punch: null, cycle: null, arms: [], monitor: false });
    expect(recordPlan({ from: 0, countIn: 0, metronome, loop: null, mode: "take", armed: [], monitor: true }).monitor).toBe(true);
  });

  it("punches on the loop region with a bar of pre-roll, and loops from the region's start", () => {
    const punch = recordPlan({ from: 0, countIn: 0, metronome, loop: { start: 8, end: 12 }, mode: "punch", armed: ["voz"] });
    expect(punch.punch).toEqual([8, 12]);
    expect(punch.from).toBe(0);
    const late = recordPlan({ from: 10, countIn: 0, metronome, loop: { start: 8, end: 12 }, mode: "punch", armed: ["voz"] });
    // A two-second bar at 120 BPM in 4 before the punch-in.
    expect(late.from).toBe(6);
    expect(late.arms).toEqual([{ track: "voz", channel: null }]);
    const loop = recordPlan({ from: 1, countIn: 2, metronome, loop: { start: 8, end: 12 }, mode: "loop", armed: ["voz", "guitarra"] });
    expect(loop.cycle).toEqual([8, 12]);
    expect(loop.from).toBe(8);
    // Several armed tracks: one input channel each, in the order armed.
    expect(loop.arms).toEqual([
      { track: "voz", channel: 1 },
      { track: "guitarra", channel: 2 },
    ]);
    // Without a loop region neither punch nor loop has a region to work on.
    const none = recordPlan({ from: 1, countIn: 0, metronome, loop: null, mode: "punch", armed: [] });
    expect(none.punch).toBeNull();
  });

  it("comps a take over the loop region when it lies inside the take, else the whole take", () => {
    const take = { file: "audio/t.wav", offset: 4, trim_start: 10, length: 4, fade_in: 0, fade_out: 0 };
    expect(compRegion(take, { start: 5, end: 6 })).toEqual([5, 6]);
    expect(compRegion(take, { start: 2, end: 6 })).toEqual([4, 8]);
    expect(compRegion(take, null)).toEqual([4, 8]);
  });
});
