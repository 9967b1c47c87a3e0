// The Generator screen's logic, kept out of the component so it can be tested: the prompt
// counter, turning the form into a GenerationRequest, A/B between two takes, and take URLs.
import type { GenerationRequest_Deserialize, Knobs, Override, Quality, SongSummary } from "./bindings";
import { genreName, instrumentName, keyName, type Lang, type MessageKey } from "./i18n";

export const MAX_PROMPT_CHARS = 2000;

/** Characters as the engine counts them (Unicode code points, so "é" or "🎸" is one). */
export function charCount(text: string): number {
  return [...text].length;
}

export interface Counter {
  count: number;
  max: number;
  over: boolean;
}

export function counter(text: string, max = MAX_PROMPT_CHARS): Counter {
  const count = charCount(text);
  return { count, max, over: count > max };
}

/** A number field as the form holds it: text, or a number when bound to `<input type="number">`. */
export type NumberField = string | number | null | undefined;

/** The fields of the generation form, as typed. */
export interface GenerateForm {
  prompt: string;
  lyrics: string;
  instrumental: boolean;
  genre: string;
  mood: string;
  bpm: NumberField;
  key: string;
  seconds: NumberField;
  seed: NumberField;
  quality: Quality;
  knobs: Knobs;
}

export type FormResult =
  | { ok: true; request: GenerationRequest_Deserialize }
  | { ok: false; field: string; value: string };

const text = (v: NumberField): string => (v === null || v === undefined ? "" : String(v));

/** An optional whole number in [min, max]: null for blank, undefined when invalid. */
function wholeNumber(v: NumberField, min: number, max: number): number | null | undefined {
  const t = text(v).trim();
  if (t === "") return null;
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n >= min && n <= max ? n : undefined;
}

/**
 * The request for the form, or the first field whose value cannot be sent. Range rules beyond
 * "a whole number" (BPM 40–240, 5–600 s) are the engine's: it answers with a message naming them.
 */
export function toRequest(f: GenerateForm): FormResult {
  const bpm = wholeNumber(f.bpm, 0, 100000);
  if (bpm === undefined) return { ok: false, field: "bpm", value: text(f.bpm) };
  const seconds = wholeNumber(f.seconds, 0, 100000);
  if (seconds === undefined) return { ok: false, field: "seconds", value: text(f.seconds) };
  const seed = wholeNumber(f.seed, 0, 2 ** 32 - 1);
  if (seed === undefined) return { ok: false, field: "seed", value: text(f.seed) };
  // With instrumental on, the lyrics still give the song its form (a backing track, nothing sung).
  const lyrics = f.lyrics.trim() === "" ? null : f.lyrics;
  return {
    ok: true,
    request: {
      prompt: f.prompt,
      lyrics,
      instrumental: f.instrumental,
      genre: f.genre.trim() || null,
      mood: f.mood.trim() || null,
      bpm,
      key: f.key.trim() || null,
      duration_secs: seconds,
      knobs: { ...f.knobs },
      seed: seed ?? randomSeed(),
      quality: f.quality,
    },
  };
}

/** A seed for "no seed given": a fresh song each time. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** An id for one generation (progress events and cancellation carry it). */
export function generationId(): string {
  return `gen-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

/** A/B: two takes in slots A and B and which one is heard. */
export interface AbState {
  a: string | null;
  b: string | null;
  active: "a" | "b";
}

export const AB_EMPTY: AbState = { a: null, b: null, active: "a" };

/** Puts `take` in `slot` (a take sits in one slot at most) and makes that slot the one heard. */
export function abAssign(s: AbState, slot: "a" | "b", take: string): AbState {
  const other = slot === "a" ? "b" : "a";
  const next = { ...s, [slot]: take, active: slot } as AbState;
  if (next[other] === take) next[other] = null;
  return next;
}

/** Switches to the other slot when it holds a take; otherwise nothing changes. */
export function abToggle(s: AbState): AbState {
  const other = s.active === "a" ? "b" : "a";
  return s[other] ? { ...s, active: other } : s;
}

/** The take heard now. */
export function abActive(s: AbState): string | null {
  return s[s.active];
}

/** Drops takes that no longer exist. */
export function abKeep(s: AbState, exists: (take: string) => boolean): AbState {
  const a = s.a && exists(s.a) ? s.a : null;
  const b = s.b && exists(s.b) ? s.b : null;
  const active = (s.active === "a" ? a : b) ? s.active : a ? "a" : b ? "b" : "a";
  return { a, b, active };
}

/** The URL the webview reads a take's file from (the shell's son1k-song:// scheme). */
export function songUrl(take: string, file: string, windows = isWindows()): string {
  const path = [take, ...file.split("/")].map(encodeURIComponent).join("/");
  return windows ? `http://son1k-song.localhost/${path}` : `son1k-song://localhost/${path}`;
}

function isWindows(): boolean {
  return typeof navigator !== "undefined" && /Windows/i.test(navigator.userAgent);
}

/** `m:ss` for a length in seconds. */
export function clock(seconds: number | null | undefined): string {
  const s = Math.max(0, Math.round(seconds ?? 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** A take's name: the one the person gave it, or "Take N" in the display language. */
export function takeName(s: Pick<SongSummary, "title" | "number">, t: (key: MessageKey) => string): string {
  return s.title ?? `${t("gen.take")} ${s.number}`;
}

/** The i18n key for an override's kind and reason (undefined for a pair this build does not know). */
export function overrideKey(o: Pick<Override, "kind" | "reason">): MessageKey | undefined {
  const key = `gen.ovr.${o.kind}.${o.reason}`;
  return OVERRIDE_KEYS.includes(key as MessageKey) ? (key as MessageKey) : undefined;
}

const OVERRIDE_KEYS: MessageKey[] = [
  "gen.ovr.length.lyrics-need-more",
  "gen.ovr.length.out-of-range",
  "gen.ovr.bpm.field-wins",
  "gen.ovr.bpm.out-of-range",
  "gen.ovr.key.field-wins",
  "gen.ovr.genre.unknown-genre",
  "gen.ovr.genre.field-wins",
  "gen.ovr.genre.style-family",
  "gen.ovr.instrument.not-played",
];

/**
 * What an override says to the person, in the display language ({asked}/{got} filled in; with
 * `lang`, a key, genre or instrument in them is named in that language too).
 */
export function overrideText(o: Override, t: (key: MessageKey) => string, lang?: Lang): string {
  const key = overrideKey(o);
  if (!key) return o.detail;
  const name = (v: string) => (!lang || !v ? v : o.kind === "key" ? keyName(v, lang) : o.kind === "genre" ? genreName(v, lang) : o.kind === "instrument" ? instrumentName(v, lang) : v);
  return t(key).replaceAll("{asked}", name(o.asked)).replaceAll("{got}", name(o.got));
}

/** A take's one-line summary: genre, tempo and key, in `lang`. */
export function takeLabel(s: Pick<SongSummary, "genre" | "bpm" | "key">, lang: Lang): string {
  return `${genreName(s.genre, lang)} · ${s.bpm} BPM · ${keyName(s.key, lang)}`;
}

/** A take's stems, named in `lang`. */
export function stemList(stems: string[], lang: Lang): string {
  return stems.map((st) => instrumentName(st, lang)).join(", ");
}

/** The fraction (0–1) of a click at `x` pixels into an element `width` pixels wide. */
export function seekFraction(x: number, width: number): number {
  if (!(width > 0) || !Number.isFinite(x)) return 0;
  return Math.min(1, Math.max(0, x / width));
}

/**
 * Whether generations are counted against a plan on this device: signed in, or a plan's lease
 * saved (the rule `Studio::quota_applies` applies before each take). Signed out, the studio is
 * not capped — there is no account to count against — and the device only keeps a tally.
 */
export function quotaApplies(status: { signed_in: boolean; lease: unknown | null }): boolean {
  return status.signed_in || status.lease !== null;
}
