import { describe, expect, it } from "vitest";
import {
  barTicks,
  clampTempo,
  clipBox,
  clipInView,
  followedView,
  gridSeconds,
  movedClip,
  nextMarkerName,
  proposedTempo,
  secondTicks,
  snapEdge,
  spanInPart,
  trimmedLeft,
  trimmedRight,
  visiblePart,
  withMarker,
  renamedMarker,
  zoomedView,
} from "../src/lib/ghost";

const labels = (ticks: { label: string | null }[]) => ticks.filter((t) => t.label !== null).map((t) => t.label);

describe("the project's tempo", () => {
  it("takes the analysis' tempo and meter when in range, else 120 BPM in 4", () => {
    expect(proposedTempo({ bpm: 92.5, meter: 3 })).toEqual({ bpm: 92.5, beats: 3 });
    expect(proposedTempo({ bpm: null, meter: 4 })).toEqual({ bpm: 120, beats: 4 });
    expect(proposedTempo({ bpm: 400, meter: 0 })).toEqual({ bpm: 120, beats: 4 });
    expect(proposedTempo(null)).toEqual({ bpm: 120, beats: 4 });
  });

  it("keeps a typed tempo within what the metronome plays", () => {
    expect(clampTempo({ bpm: 10, beats: 0 })).toEqual({ bpm: 20, beats: 1 });
    expect(clampTempo({ bpm: 500, beats: 20 })).toEqual({ bpm: 300, beats: 16 });
    expect(clampTempo({ bpm: 97.3, beats: 6.6 })).toEqual({ bpm: 97.3, beats: 7 });
  });
});

describe("the bar/beat ruler", () => {
  it("numbers the bars from 1 at 0 s with the beats between them (120 BPM in 4: 2 s bars)", () => {
    // 1000 px for 8 s: 250 px a bar, 62.5 px a beat.
    const ticks = barTicks({ start: 0, seconds: 8 }, { bpm: 120, beats: 4 }, 1000);
    expect(labels(ticks)).toEqual(["1", "2", "3", "4", "5"]);
    expect(ticks.filter((t) => t.major).map((t) => t.seconds)).toEqual([0, 2, 4, 6, 8]);
    expect(ticks.filter((t) => !t.major).map((t) => t.seconds)).toEqual([0.5, 1, 1.5, 2.5, 3, 3.5, 4.5, 5, 5.5, 6.5, 7, 7.5]);
    expect(ticks.find((t) => t.seconds === 4)?.left).toBe(50);
  });

  it("follows the meter: 90 BPM in 3 makes 2 s bars of three beats", () => {
    const ticks = barTicks({ start: 0, seconds: 4 }, { bpm: 90, beats: 3 }, 800);
    expect(labels(ticks)).toEqual(["1", "2", "3"]);
    expect(ticks.filter((t) => !t.major).map((t) => Number(t.seconds.toFixed(6)))).toEqual([0.666667, 1.333333, 2.666667, 3.333333]);
  });

  it("starts inside a scrolled view and places ticks on it", () => {
    const ticks = barTicks({ start: 3, seconds: 4 }, { bpm: 120, beats: 4 }, 800);
    expect(labels(ticks)).toEqual(["3", "4"]);
    expect(ticks[0]).toEqual({ seconds: 3, left: 0, label: null, major: false });
    expect(ticks.find((t) => t.label === "3")?.left).toBe(25);
  });

  it("thins the labels to every 2nd, 4th… bar when they would be closer than 40 px, and drops ticks with no room", () => {
    // 200 px for 20 s: a bar is 20 px, a beat 5 px.
    const thin = barTicks({ start: 0, seconds: 20 }, { bpm: 120, beats: 4 }, 200);
    expect(labels(thin)).toEqual(["1", "3", "5", "7", "9", "11"]);
    expect(thin.filter((t) => t.major)).toHaveLength(11);
    expect(thin.some((t) => !t.major)).toBe(false);
    // 100 px for 40 s: bars of 5 px are no ticks of their own; labels every 8 bars (40 px).
    const thinner = barTicks({ start: 0, seconds: 40 }, { bpm: 120, beats: 4 }, 100);
    expect(labels(thinner)).toEqual(["1", "9", "17"]);
    expect(thinner).toHaveLength(3);
    expect(barTicks({ start: 0, seconds: 8 }, { bpm: 120, beats: 4 }, 0)).toEqual([]);
  });

  it("counts seconds at a step that keeps labels apart", () => {
    expect(labels(secondTicks({ start: 0, seconds: 20 }, 200))).toEqual(["0s", "5s", "10s", "15s", "20s"]);
    expect(labels(secondTicks({ start: 1.2, seconds: 2 }, 400))).toEqual(["1.5s", "2s", "2.5s", "3s"]);
  });
});

describe("snapping to the grid", () => {
  const tempo = { bpm: 120, beats: 4 };
  const beat = gridSeconds("beat", tempo);
  const bar = gridSeconds("bar", tempo);

  it("has a beat's or a bar's step, none when off", () => {
    expect(beat).toBe(0.5);
    expect(bar).toBe(2);
    expect(gridSeconds("off", tempo)).toBe(0);
  });

  it("moves a clip's start onto the beat or the bar", () => {
    const c = { offset: 1.1, trim_start: 0, length: null };
    expect(movedClip(c, 0.6, beat)).toBe(1.5);
    expect(movedClip(c, 0.6, bar)).toBe(2);
    expect(movedClip(c, 0.6, 0)).toBeCloseTo(1.7);
  });

  it("trims an edge onto the grid", () => {
    // A clip of a 10 s file from 1.1 s, playing 4 s (to 5.1 s).
    const c = { offset: 1.1, trim_start: 1, length: 4 };
    const left = trimmedLeft(c, 10, snapEdge(c.offset, 0.3, beat));
    expect(left.offset).toBeCloseTo(1.5);
    expect(left.trim_start).toBeCloseTo(1.4);
    expect(left.length).toBeCloseTo(3.6);
    const right = trimmedRight(c, 10, snapEdge(c.offset + 4, 0.6, bar));
    expect(right.length).toBeCloseTo(4.9);
    expect(snapEdge(3, 0.2, 0)).toBe(0.2);
  });
});

describe("zoom, scroll and follow", () => {
  it("zooms around an anchor that stays in place, all the way out to the whole session", () => {
    const whole = { start: 0, seconds: 40 };
    const closer = zoomedView(whole, 0.5, 10, 40);
    expect(closer).toEqual({ start: 5, seconds: 20 });
    expect(zoomedView({ start: 5, seconds: 20 }, 0.5, 10, 40)).toEqual({ start: 7.5, seconds: 10 });
    // Never before 0 nor past the session's end.
    expect(zoomedView(whole, 0.25, 0, 40)).toEqual({ start: 0, seconds: 10 });
    expect(zoomedView(whole, 0.25, 40, 40)).toEqual({ start: 30, seconds: 10 });
    expect(zoomedView({ start: 10, seconds: 20 }, 2, 20, 40)).toBeNull();
    expect(zoomedView({ start: 0, seconds: 2 }, 0.1, 1, 40)?.seconds).toBe(1);
  });

  it("pages the view to keep the playhead shown", () => {
    const v = { start: 10, seconds: 5 };
    expect(followedView(v, 12)).toBe(v);
    expect(followedView(v, 15)).toEqual({ start: 15, seconds: 5 });
    expect(followedView(v, 27)).toEqual({ start: 25, seconds: 5 });
    // Back at a loop's start, or a seek earlier: the page it is on, never before 0.
    expect(followedView(v, 6)).toEqual({ start: 5, seconds: 5 });
    expect(followedView({ start: 1, seconds: 5 }, 0.5)).toEqual({ start: 0, seconds: 5 });
  });

  it("lays clips out on the part shown, cutting off what lies outside it", () => {
    const c = { offset: 4, trim_start: 0, length: 6 };
    const view = { start: 6, seconds: 8 };
    expect(clipBox(c, undefined, view.seconds, view.start)).toEqual({ left: 0, width: 50 });
    expect(visiblePart(c, undefined, view)).toEqual({ from: 2, to: 6 });
    expect(visiblePart(c, undefined, { start: 0, seconds: 6 })).toEqual({ from: 0, to: 2 });
    expect(clipInView(c, undefined, view)).toBe(true);
    expect(clipInView(c, undefined, { start: 10, seconds: 5 })).toBe(false);
    expect(clipInView(c, undefined, { start: 0, seconds: 4 })).toBe(false);
    // A clip whose length is not known yet shows where it starts.
    expect(clipInView({ offset: 4, trim_start: 0, length: null }, undefined, { start: 0, seconds: 4 })).toBe(true);
    // Its fades, as parts of what is shown: the fade in is half cut off.
    expect(spanInPart(0, 3, { from: 2, to: 6 })).toEqual({ left: 0, width: 25 });
    expect(spanInPart(5, 6, { from: 2, to: 6 })).toEqual({ left: 75, width: 25 });
    expect(spanInPart(0, 1, { from: 2, to: 6 })).toBeNull();
  });
});

describe("markers", () => {
  it("names markers 1, 2, … after the highest number in use", () => {
    expect(nextMarkerName([])).toBe("1");
    expect(nextMarkerName([{ name: "1", seconds: 0 }, { name: "3", seconds: 2 }])).toBe("4");
    expect(nextMarkerName([{ name: "Chorus", seconds: 1 }])).toBe("1");
  });

  it("adds a marker in time order, once per place", () => {
    const one = withMarker([], 4);
    expect(one).toEqual([{ name: "1", seconds: 4 }]);
    const two = withMarker(one, 1.5);
    expect(two).toEqual([
      { name: "2", seconds: 1.5 },
      { name: "1", seconds: 4 },
    ]);
    expect(withMarker(two, 4.0001)).toBe(two);
    expect(withMarker([], -1)).toEqual([{ name: "1", seconds: 0 }]);
  });

  it("renames a marker, trimmed to the file's 60 characters, and refuses an empty name", () => {
    const marks = [
      { name: "1", seconds: 0 },
      { name: "2", seconds: 8 },
    ];
    expect(renamedMarker(marks, 1, "  Estribillo ")).toEqual([
      { name: "1", seconds: 0 },
      { name: "Estribillo", seconds: 8 },
    ]);
    expect(renamedMarker(marks, 0, "ñ".repeat(80))[0].name).toBe("ñ".repeat(60));
    expect(renamedMarker(marks, 0, "   ")).toBe(marks);
    expect(renamedMarker(marks, 5, "Puente")).toBe(marks);
    expect(renamedMarker(marks, 1, "2")).toBe(marks);
  });
});
