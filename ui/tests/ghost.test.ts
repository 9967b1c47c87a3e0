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

import { defaultFx, FX_KINDS, fxParams, loopFrom, movedClip, peakDb, percentiles, playheadAt, snap, trackGains, trimmedLeft, trimmedRight } from "../src/lib/ghost";

describe("ghost studio timeline and live mix", () => {
  const t = (o: Partial<{ gain_db: number; pan: number; mute: boolean; solo: boolean }>) => ({ name: "x", gain_db: 0, pan: 0, mute: false, solo: false, ...o });

  it("plays a centred unity track as rendered and pans with constant power", () => {
    const [l, r] = trackGains(t({}), false);
    expect(l).toBeCloseTo(1, 6);
    expect(r).toBeCloseTo(1, 6);
    const [hl, hr] = trackGains(t({ pan: 1 }), false);
    expect(hl).toBeCloseTo(0, 6);
    // Hard right: all the power on one side, √2 over the centred render's cos(π/4).
    expect(hr).toBeCloseTo(Math.SQRT2, 6);
    const [gl] = trackGains(t({ gain_db: -6.0206 }), false);
    expect(gl).toBeCloseTo(0.5, 3);
  });

  it("silences muted tracks and, while any track is soloed, the others", () => {
    expect(trackGains(t({ mute: true }), false)).toEqual([0, 0]);
    expect(trackGains(t({}), true)).toEqual([0, 0]);
    expect(trackGains(t({ solo: true }), true)[0]).toBeCloseTo(1, 6);
    expect(peakDb(0.5)).toBeCloseTo(-6.02, 2);
    expect(peakDb(0)).toBe(-120);
  });

  it("moves clips never before zero, with snapping", () => {
    const c = { offset: 2, trim_start: 0, length: null };
    expect(movedClip(c, 1.26)).toBeCloseTo(3.26);
    expect(movedClip(c, -5)).toBe(0);
    expect(movedClip(c, 0.26, 0.25)).toBe(2.25);
    expect(snap(1.13, 0)).toBe(1.13);
  });

  it("trims the left edge keeping the audio in place and within the file", () => {
    const c = { offset: 2, trim_start: 1, length: null };
    // File of 5 s: the clip plays 4 s, from 2 s to 6 s.
    const later = trimmedLeft(c, 5, 0.5);
    expect(later).toEqual({ offset: 2.5, trim_start: 1.5, length: 3.5 });
    // Dragging left stops at the file's start.
    expect(trimmedLeft(c, 5, -3)).toEqual({ offset: 1, trim_start: 0, length: 5 });
    // Never shorter than the minimum.
    expect(trimmedLeft(c, 5, 10).length).toBeCloseTo(0.05);
    expect(trimmedRight(c, 5, -1)).toEqual({ length: 3 });
    expect(trimmedRight(c, 5, 9)).toEqual({ length: 4 });
    expect(trimmedRight(c, 5, -9).length).toBeCloseTo(0.05);
  });

  it("makes loop regions from ruler drags and wraps the playhead in them", () => {
    expect(loopFrom(4, 1, 10)).toEqual({ start: 1, end: 4 });
    expect(loopFrom(1, 1.05, 10)).toBeNull();
    expect(loopFrom(8, 12, 10)).toEqual({ start: 8, end: 10 });
    const loop = { start: 1, end: 3 };
    expect(playheadAt(0, 2, loop)).toBe(2);
    expect(playheadAt(0, 3.5, loop)).toBeCloseTo(1.5);
    expect(playheadAt(0, 5.5, loop)).toBeCloseTo(1.5);
    expect(playheadAt(0, 5.5, null)).toBe(5.5);
  });

  it("gives every effect kind defaults inside its slider ranges", () => {
    for (const k of FX_KINDS) {
      const fx = defaultFx(k);
      expect(fx.type).toBe(k);
      for (const p of fxParams(fx)) {
        const v = (fx as unknown as Record<string, number>)[p.key];
        expect(v, `${k}.${p.key}`).toBeGreaterThanOrEqual(p.min);
        expect(v, `${k}.${p.key}`).toBeLessThanOrEqual(p.max);
      }
    }
  });

  it("reports frame-time percentiles", () => {
    const ms = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles(ms)).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(percentiles([])).toEqual({ p50: 0, p95: 0, p99: 0 });
  });
});
