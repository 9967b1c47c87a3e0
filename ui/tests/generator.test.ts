import { describe, expect, it } from "vitest";
import {
  AB_EMPTY,
  abActive,
  abAssign,
  abKeep,
  abToggle,
  clock,
  counter,
  overrideKey,
  overrideText,
  quotaApplies,
  seekFraction,
  songUrl,
  takeName,
  toRequest,
  type GenerateForm,
} from "../src/lib/generator";
import { translate, type MessageKey } from "../src/lib/i18n";
import type { Override } from "../src/lib/bindings";

const form = (patch: Partial<GenerateForm> = {}): GenerateForm => ({
  prompt: "deep house in F# minor",
  lyrics: "",
  instrumental: false,
  genre: "",
  mood: "",
  bpm: "",
  key: "",
  seconds: "",
  seed: "",
  quality: "standard",
  knobs: { expressivity: 50, rareza: 0, garage: 0, trash: 0 },
  ...patch,
});

describe("prompt counter", () => {
  it("counts characters as the engine does and flags the limit", () => {
    expect(counter("")).toEqual({ count: 0, max: 2000, over: false });
    expect(counter("canción 🎸").count).toBe(9);
    expect(counter("x".repeat(2000)).over).toBe(false);
    expect(counter("x".repeat(2001)).over).toBe(true);
  });
});

describe("form to request", () => {
  it("sends blank fields as absent and numbers as numbers", () => {
    const r = toRequest(form({ bpm: "124", key: " F# minor ", seconds: "6", seed: "3", genre: "house" }));
    expect(r).toEqual({
      ok: true,
      request: expect.objectContaining({ bpm: 124, key: "F# minor", duration_secs: 6, seed: 3, genre: "house", lyrics: null, mood: null }),
    });
  });

  it("takes the numbers an <input type=number> binding holds", () => {
    const r = toRequest(form({ bpm: 92, seconds: 6, seed: 0 }));
    expect(r.ok && [r.request.bpm, r.request.duration_secs, r.request.seed]).toEqual([92, 6, 0]);
    const blank = toRequest(form({ bpm: null, seconds: undefined }));
    expect(blank.ok && [blank.request.bpm, blank.request.duration_secs]).toEqual([null, null]);
  });

  it("picks a seed when none is given", () => {
    const r = toRequest(form());
    expect(r.ok && Number.isInteger(r.request.seed)).toBe(true);
  });

  it("names the field that is not a whole number", () => {
    expect(toRequest(form({ bpm: "12.5" }))).toEqual({ ok: false, field: "bpm", value: "12.5" });
    expect(toRequest(form({ seconds: "ten" }))).toEqual({ ok: false, field: "seconds", value: "ten" });
    expect(toRequest(form({ seed: "-1" }))).toEqual({ ok: false, field: "seed", value: "-1" });
  });

  it("keeps lyrics on an instrumental request: they give the backing track its form", () => {
    const r = toRequest(form({ lyrics: "[Verse] hola", instrumental: true }));
    expect(r.ok && r.request.lyrics).toBe("[Verse] hola");
    expect(r.ok && r.request.instrumental).toBe(true);
    const blank = toRequest(form({ lyrics: "  ", instrumental: true }));
    expect(blank.ok && blank.request.lyrics).toBe(null);
    const sung = toRequest(form({ lyrics: "[Verse] hola" }));
    expect(sung.ok && sung.request.lyrics).toBe("[Verse] hola");
  });
});

describe("A/B", () => {
  it("switches only between two filled slots", () => {
    let s = abAssign(AB_EMPTY, "a", "take-1");
    expect(abToggle(s)).toEqual(s);
    s = abAssign(s, "b", "take-2");
    expect(abActive(s)).toBe("take-2");
    s = abToggle(s);
    expect(abActive(s)).toBe("take-1");
    expect(abActive(abToggle(s))).toBe("take-2");
  });

  it("keeps a take in one slot at most", () => {
    let s = abAssign(AB_EMPTY, "a", "take-1");
    s = abAssign(s, "b", "take-1");
    expect(s).toEqual({ a: null, b: "take-1", active: "b" });
  });

  it("forgets takes that are gone", () => {
    const s = { a: "take-1", b: "take-2", active: "b" as const };
    expect(abKeep(s, (t) => t === "take-1")).toEqual({ a: "take-1", b: null, active: "a" });
    expect(abKeep(s, () => false)).toEqual(AB_EMPTY);
  });
});

describe("take URLs and lengths", () => {
  it("builds the son1k-song URL per platform", () => {
    expect(songUrl("take-1", "stems/bass.wav", false)).toBe("son1k-song://localhost/take-1/stems/bass.wav");
    expect(songUrl("take 1", "mix.wav", true)).toBe("http://son1k-song.localhost/take%201/mix.wav");
  });

  it("formats lengths as m:ss", () => {
    expect(clock(6)).toBe("0:06");
    expect(clock(125.4)).toBe("2:05");
    expect(clock(null)).toBe("0:00");
  });
});

describe("takes: names, overrides, seeking", () => {
  const es = (k: MessageKey) => translate("es", k);
  const en = (k: MessageKey) => translate("en", k);

  it("names a take by its number until it is renamed, in the display language", () => {
    expect(takeName({ title: null, number: 3 }, es)).toBe("Toma 3");
    expect(takeName({ title: null, number: 3 }, en)).toBe("Take 3");
    expect(takeName({ title: "Idea", number: 3 }, es)).toBe("Idea");
  });

  it("says each override in the display language with what was asked and what came out", () => {
    const o: Override = { kind: "genre", reason: "unknown-genre", asked: "zydeco", got: "pop", detail: "english" };
    expect(overrideText(o, es)).toBe("Género: «zydeco» no es un género que el motor conozca; la canción es pop");
    expect(overrideText({ ...o, kind: "length", reason: "lyrics-need-more", asked: "30", got: "45.0" }, en)).toBe(
      "Length: 30 s asked for, the song is 45.0 s — the lyrics need more time",
    );
    // Every kind/reason pair the engine writes has a text in both languages.
    const pairs: [Override["kind"], Override["reason"]][] = [
      ["length", "lyrics-need-more"], ["length", "out-of-range"], ["bpm", "field-wins"], ["bpm", "out-of-range"],
      ["key", "field-wins"], ["genre", "unknown-genre"], ["genre", "field-wins"], ["genre", "style-family"],
      ["instrument", "not-played"],
    ];
    for (const [kind, reason] of pairs) {
      const key = overrideKey({ kind, reason });
      expect(key, `${kind}.${reason}`).toBeDefined();
      for (const t of [es, en]) expect(overrideText({ kind, reason, asked: "A", got: "B", detail: "" }, t)).toContain("A");
    }
    // A pair this build has no text for falls back to the engine's own explanation.
    expect(overrideText({ ...o, kind: "key", reason: "not-played" }, es)).toBe("english");
  });

  it("turns a click on the waveform into a fraction of its width", () => {
    expect(seekFraction(50, 200)).toBe(0.25);
    expect(seekFraction(-5, 200)).toBe(0);
    expect(seekFraction(500, 200)).toBe(1);
    expect(seekFraction(10, 0)).toBe(0);
  });
});

describe("the offline quota", () => {
  it("caps only when signed in or when a plan is saved on the device, as the studio does", () => {
    expect(quotaApplies({ signed_in: false, lease: null })).toBe(false);
    expect(quotaApplies({ signed_in: true, lease: null })).toBe(true);
    expect(quotaApplies({ signed_in: false, lease: { expires_at: 1 } })).toBe(true);
  });

  it("is explained in the same words on the Account screen and the Generator, in both languages", () => {
    expect(translate("es", "quota.explain")).toMatch(/sin iniciar sesión, generar no tiene límite/);
    expect(translate("en", "quota.explain")).toMatch(/signed out, generating is not capped/);
  });
});
