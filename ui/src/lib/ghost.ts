// Ghost Studio's screen logic, kept out of the component so it can be tested: project file URLs,
// the timeline's layout, A/B between the demo and the mix, and small formatting helpers.
import type { Knobs } from "./bindings";

/** The URL the webview reads a project file from (the shell's son1k-project:// scheme). */
export function projectUrl(dir: string, file: string, windows = isWindows()): string {
  const path = [dir, ...file.split("/")].map(encodeURIComponent).join("/");
  return windows ? `http://son1k-project.localhost/${path}` : `son1k-project://localhost/${path}`;
}

function isWindows(): boolean {
  return typeof navigator !== "undefined" && /Windows/i.test(navigator.userAgent);
}

export interface ClipSpan {
  offset: number;
  trim_start: number;
  length: number | null;
}

/** Seconds a clip plays: its length, else the file's duration past the trim. */
export function clipSeconds(c: ClipSpan, fileSeconds: number | undefined): number {
  if (c.length !== null && c.length !== undefined) return Math.max(0, c.length);
  return Math.max(0, (fileSeconds ?? 0) - c.trim_start);
}

/** The session's length: where the last clip ends (at least 1 s, so widths stay finite). */
export function sessionSeconds(clips: { clip: ClipSpan; fileSeconds?: number }[]): number {
  let end = 1;
  for (const { clip, fileSeconds } of clips) end = Math.max(end, clip.offset + clipSeconds(clip, fileSeconds));
  return end;
}

/** Where a clip sits on the timeline, as percentages of the session's length. */
export function clipBox(c: ClipSpan, fileSeconds: number | undefined, total: number): { left: number; width: number } {
  const t = Math.max(total, 1e-9);
  const left = Math.min(100, Math.max(0, (c.offset / t) * 100));
  const width = Math.min(100 - left, (clipSeconds(c, fileSeconds) / t) * 100);
  return { left, width: Math.max(0, width) };
}

/** A/B in Ghost Studio: the demo and the rendered mix, each at its loudness-matched gain. */
export interface GhostAb {
  side: "a" | "b";
  gains: [number, number];
}

export function abSwitch(s: GhostAb): GhostAb {
  return { ...s, side: s.side === "a" ? "b" : "a" };
}

export function abGain(s: GhostAb): number {
  const g = s.side === "a" ? s.gains[0] : s.gains[1];
  return Number.isFinite(g) && g > 0 ? g : 1;
}

/** "+3.0 dB" / "−6.5 dB" for a gain in dB; "−∞" at the slider's floor. */
export function dbLabel(db: number): string {
  if (db <= -60) return "−∞ dB";
  const s = Math.abs(db).toFixed(1);
  return `${db > 0 ? "+" : db < 0 ? "−" : ""}${s} dB`;
}

/** "L 40" / "C" / "R 100" for a pan in −1…1. */
export function panLabel(pan: number): string {
  const p = Math.round(pan * 100);
  return p === 0 ? "C" : p < 0 ? `L ${-p}` : `R ${p}`;
}

/** The preset whose values the knobs hold, if any. */
export function matchingPreset(knobs: Knobs, presets: { name: string; knobs: Knobs }[]): string | null {
  const same = (a: Knobs, b: Knobs) =>
    a.expressivity === b.expressivity && a.rareza === b.rareza && a.garage === b.garage && a.trash === b.trash;
  return presets.find((p) => same(p.knobs, knobs))?.name ?? null;
}

/** A project name for a file: its name without folder and extension ("mix" → the folder's). */
export function projectNameFor(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const file = parts.pop() ?? "";
  const stem = file.replace(/\.[^.]+$/, "");
  const name = stem === "mix" && parts.length ? `${parts[parts.length - 1]}` : stem;
  return name.slice(0, 120) || "demo";
}

/** An id for a cancellable task (progress events carry it). */
export function taskId(kind: string): string {
  return `${kind}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}
