import { describe, expect, it } from "vitest";
import { abGain, abSwitch, clipBox, dbLabel, matchingPreset, panLabel, projectNameFor, projectUrl, sessionSeconds } from "../src/lib/ghost";

describe("ghost studio logic", () => {
  it("builds son1k-project URLs that keep accents, spaces and separators inside one segment", () => {
    expect(projectUrl("canción-1", "audio/demo (1).wav", false)).toBe("son1k-project://localhost/canci%C3%B3n-1/audio/demo%20(1).wav");
    expect(projectUrl("p", "a/b.wav", true)).toBe("http://son1k-project.localhost/p/a/b.wav");
  });

  it("lays clips out on the session's length", () => {
    const demo = { offset: 0, trim_start: 0, length: null };
    const late = { offset: 5, trim_start: 1, length: null };
    const total = sessionSeconds([
      { clip: demo, fileSeconds: 10 },
      { clip: late, fileSeconds: 11 },
    ]);
    expect(total).toBe(15);
    expect(clipBox(demo, 10, total)).toEqual({ left: 0, width: (10 / 15) * 100 });
    expect(clipBox(late, 11, total)).toEqual({ left: (5 / 15) * 100, width: (10 / 15) * 100 });
    // Unknown length (waveform not read yet) draws an empty box, never NaN.
    expect(clipBox(demo, undefined, 1)).toEqual({ left: 0, width: 0 });
    expect(sessionSeconds([])).toBe(1);
  });

  it("switches A/B and plays each side at its matched gain", () => {
    const s = { side: "a" as const, gains: [0.5, 1] as [number, number] };
    expect(abGain(s)).toBe(0.5);
    const b = abSwitch(s);
    expect(b.side).toBe("b");
    expect(abGain(b)).toBe(1);
    expect(abGain({ side: "a", gains: [Number.NaN, 1] })).toBe(1);
  });

  it("formats gain and pan", () => {
    expect(dbLabel(0)).toBe("0.0 dB");
    expect(dbLabel(3)).toBe("+3.0 dB");
    expect(dbLabel(-6.5)).toBe("−6.5 dB");
    expect(dbLabel(-60)).toBe("−∞ dB");
    expect(panLabel(0)).toBe("C");
    expect(panLabel(-0.4)).toBe("L 40");
    expect(panLabel(1)).toBe("R 100");
  });

  it("finds the preset the knobs hold", () => {
    const presets = [{ name: "Neutral", knobs: { expressivity: 50, rareza: 0, garage: 0, trash: 0 } }];
    expect(matchingPreset({ expressivity: 50, rareza: 0, garage: 0, trash: 0 }, presets)).toBe("Neutral");
    expect(matchingPreset({ expressivity: 50, rareza: 0, garage: 1, trash: 0 }, presets)).toBeNull();
  });

  it("names a project after the file, or the take's folder for a Generator mix", () => {
    expect(projectNameFor("/home/u/phone demo.m4a")).toBe("phone demo");
    expect(projectNameFor("/data/songs/take-17/mix.wav")).toBe("take-17");
    expect(projectNameFor("C:\\x\\voz.wav")).toBe("voz");
  });
});
