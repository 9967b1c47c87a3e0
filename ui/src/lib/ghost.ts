// Ghost Studio's screen logic, kept out of the component so it can be tested: project file URLs,
// the timeline's layout, A/B between the demo and the mix, and small formatting helpers.
import type { ClipView, FxSpec, Knobs, Metronome, RecordPlan, TrackEdit } from "./bindings";
import type { MessageKey } from "./i18n";

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

/**
 * Where a clip sits on the timeline shown (`seconds` long from `start`: the whole session when
 * the timeline is not zoomed), as percentages of it; the parts outside it are cut off.
 */
export function clipBox(c: ClipSpan, fileSeconds: number | undefined, seconds: number, start = 0): { left: number; width: number } {
  const t = Math.max(seconds, 1e-9);
  const from = ((c.offset - start) / t) * 100;
  const left = Math.min(100, Math.max(0, from));
  const width = Math.min(100 - left, (clipSeconds(c, fileSeconds) / t) * 100 - (left - from));
  return { left, width: Math.max(0, width) };
}

/** The part of a clip the timeline shows, seconds from the clip's start (from = to: none of it). */
export function visiblePart(c: ClipSpan, fileSeconds: number | undefined, view: TimelineView): { from: number; to: number } {
  const plays = clipSeconds(c, fileSeconds);
  const from = Math.min(plays, Math.max(0, view.start - c.offset));
  const to = Math.max(from, Math.min(plays, view.start + view.seconds - c.offset));
  return { from, to };
}

/** Whether the timeline shows any of a clip (one whose length is not known yet: where it starts). */
export function clipInView(c: ClipSpan, fileSeconds: number | undefined, view: TimelineView): boolean {
  const plays = clipSeconds(c, fileSeconds);
  const end = view.start + view.seconds;
  return plays > 0 ? c.offset < end && c.offset + plays > view.start : c.offset >= view.start && c.offset <= end;
}

/** Where a span of a clip (seconds from its start: a fade) lies in the part shown, as percentages of that part (null: not shown). */
export function spanInPart(from: number, to: number, part: { from: number; to: number }): { left: number; width: number } | null {
  const a = Math.max(from, part.from);
  const b = Math.min(to, part.to);
  const shown = part.to - part.from;
  return b > a && shown > 0 ? { left: ((a - part.from) / shown) * 100, width: ((b - a) / shown) * 100 } : null;
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

// ---- Live multitrack playback: per-track gains, as the renderer computes them ----

export interface MixTrack {
  name: string;
  gain_db: number;
  pan: number;
  mute: boolean;
  solo: boolean;
}

/**
 * Left/right linear gains for a track's stem. Stems are rendered centred (the renderer's
 * constant-power law puts them cos(π/4) down on each side), so these gains scale that render to
 * what the mix plays: 10^(dB/20)·cos θ / cos(π/4) on the left and ·sin θ / sin(π/4) on the right,
 * θ = (pan + 1)·π/4. Silent (0, 0) when muted, or when another track is soloed and this one is not.
 */
export function trackGains(t: MixTrack, anySolo: boolean): [number, number] {
  if (t.mute || (anySolo && !t.solo)) return [0, 0];
  const g = Math.pow(10, t.gain_db / 20);
  const p = Math.max(-1, Math.min(1, t.pan));
  const theta = ((p + 1) * Math.PI) / 4;
  const c = Math.SQRT1_2;
  return [(g * Math.cos(theta)) / c, (g * Math.sin(theta)) / c];
}

/** dBFS of a linear peak (−∞ → −120). */
export function peakDb(peak: number): number {
  return peak > 1e-6 ? 20 * Math.log10(peak) : -120;
}

// ---- The timeline: seconds ↔ pixels, clip drags and trims, the loop region ----

export interface ClipGeom {
  offset: number;
  trim_start: number;
  length: number | null;
}

/** Snaps `t` to the nearest multiple of `grid` seconds (no snapping when grid ≤ 0). */
export function snap(t: number, grid: number): number {
  return grid > 0 ? Math.round(t / grid) * grid : t;
}

/** A clip moved by `dt` seconds: never before 0. */
export function movedClip(c: ClipGeom, dt: number, grid = 0): number {
  return Math.max(0, snap(c.offset + dt, grid));
}

/**
 * A clip with its left edge dragged by `dt` seconds: start and trim move together so the audio
 * stays where it was; the edge can go no earlier than the file's start (nor before 0 on the
 * timeline) and leaves at least `min` seconds of clip.
 */
export function trimmedLeft(c: ClipGeom, fileSeconds: number, dt: number, min = 0.05): { offset: number; trim_start: number; length: number } {
  const plays = clipSeconds(c, fileSeconds);
  const end = c.offset + plays;
  let d = dt;
  d = Math.max(d, -c.trim_start, -c.offset);
  d = Math.min(d, plays - min);
  const offset = c.offset + d;
  return { offset, trim_start: c.trim_start + d, length: end - offset };
}

/** A clip with its right edge dragged by `dt` seconds: within the file, at least `min` long. */
export function trimmedRight(c: ClipGeom, fileSeconds: number, dt: number, min = 0.05): { length: number } {
  const plays = clipSeconds(c, fileSeconds);
  const most = Math.max(min, fileSeconds - c.trim_start);
  return { length: Math.max(min, Math.min(most, plays + dt)) };
}

/** The loop region from a drag on the ruler between two times (ordered; null when too short). */
export function loopFrom(a: number, b: number, total: number, min = 0.1): { start: number; end: number } | null {
  const start = Math.max(0, Math.min(a, b));
  const end = Math.min(total, Math.max(a, b));
  return end - start >= min ? { start, end } : null;
}

/** Where the playhead is after `elapsed` seconds from `from`, wrapping inside a loop region. */
export function playheadAt(from: number, elapsed: number, loop: { start: number; end: number } | null): number {
  const t = from + elapsed;
  if (!loop || t < loop.end) return t;
  const len = loop.end - loop.start;
  return loop.start + ((t - loop.start) % len);
}

// ---- The transport: the project's tempo, the ruler, the snap grid, zoom, markers ----

/** A tempo and meter: beats per minute and beats per bar. */
export interface Tempo {
  bpm: number;
  beats: number;
}

/** What the demo's analysis proposes: its tempo and meter when in the metronome's range, else 120 BPM in 4. */
export function proposedTempo(analysis: { bpm: number | null; meter: number } | null): Tempo {
  const a = analysis;
  const bpm = a && a.bpm !== null && a.bpm >= 20 && a.bpm <= 300 ? a.bpm : 120;
  const beats = a && a.meter >= 1 && a.meter <= 16 ? a.meter : 4;
  return { bpm, beats };
}

/** A typed tempo within what the metronome plays: 20–300 BPM, 1–16 whole beats a bar. */
export function clampTempo(t: Tempo): Tempo {
  return { bpm: Math.min(300, Math.max(20, t.bpm)), beats: Math.min(16, Math.max(1, Math.round(t.beats))) };
}

export type SnapGrid = "off" | "bar" | "beat";

/** The snap grid's step in seconds (0 when snapping is off). */
export function gridSeconds(grid: SnapGrid, tempo: Tempo): number {
  const beat = 60 / tempo.bpm;
  return grid === "beat" ? beat : grid === "bar" ? beat * tempo.beats : 0;
}

/** An edge at `edge` seconds dragged by `dt`, as the drag that puts it on the grid (`dt` itself with no grid). */
export function snapEdge(edge: number, dt: number, grid: number): number {
  return grid > 0 ? snap(edge + dt, grid) - edge : dt;
}

/** The part of the timeline shown: from `start`, `seconds` long. */
export interface TimelineView {
  start: number;
  seconds: number;
}

/** The shortest view zooming in reaches. */
export const MIN_VIEW_SECONDS = 1;

/**
 * The view zoomed by `factor` (below 1 in, above 1 out) keeping the time `anchor` where it is
 * on the screen, inside a session of `whole` seconds; zoomed out to the whole session or more,
 * null (the whole session is shown, and grows with it).
 */
export function zoomedView(view: TimelineView, factor: number, anchor: number, whole: number): TimelineView | null {
  const seconds = Math.max(MIN_VIEW_SECONDS, view.seconds * factor);
  if (seconds >= whole) return null;
  const at = Math.min(1, Math.max(0, (anchor - view.start) / view.seconds));
  return { start: Math.max(0, Math.min(whole - seconds, anchor - at * seconds)), seconds };
}

/**
 * The view that shows the playhead at `t`: the same view while it is inside, else the page
 * (a whole view's length away, never before 0) it has moved into, as a DAW's follow does.
 */
export function followedView(view: TimelineView, t: number): TimelineView {
  if (t >= view.start && t < view.start + view.seconds) return view;
  const pages = Math.floor((t - view.start) / view.seconds);
  return { start: Math.max(0, view.start + pages * view.seconds), seconds: view.seconds };
}

/** A tick on the ruler: its time, where it is (percent of the view), its label if it shows one. */
export interface RulerTick {
  seconds: number;
  left: number;
  label: string | null;
  /** A bar (or a labelled second), drawn taller than a beat. */
  major: boolean;
}

/** Ticks closer than this (px) are not drawn. */
const MIN_TICK_PX = 6;

/**
 * The ruler's bars and beats for a view `widthPx` wide: bars numbered from 1 at 0 s, every
 * bar labelled when labels stay `minLabelPx` apart, else every 2nd, 4th, 8th… bar; unlabelled
 * bars and the beats between them as ticks where there is room.
 */
export function barTicks(view: TimelineView, tempo: Tempo, widthPx: number, minLabelPx = 40): RulerTick[] {
  if (widthPx <= 0 || view.seconds <= 0) return [];
  const pxPerSecond = widthPx / view.seconds;
  const beat = 60 / tempo.bpm;
  const bar = beat * tempo.beats;
  let labelEvery = 1;
  while (labelEvery * bar * pxPerSecond < minLabelPx) labelEvery *= 2;
  const allBars = bar * pxPerSecond >= MIN_TICK_PX;
  const beats = beat * pxPerSecond >= MIN_TICK_PX;
  const step = allBars ? 1 : labelEvery;
  const end = view.start + view.seconds;
  const at = (t: number) => ((t - view.start) / view.seconds) * 100;
  const ticks: RulerTick[] = [];
  for (let n = Math.floor(Math.max(0, view.start) / bar / step) * step; n * bar <= end; n += step) {
    const t = n * bar;
    if (t >= view.start) ticks.push({ seconds: t, left: at(t), label: n % labelEvery === 0 ? String(n + 1) : null, major: true });
    if (!beats) continue;
    for (let b = 1; b < tempo.beats; b++) {
      const tb = t + b * beat;
      if (tb >= view.start && tb <= end) ticks.push({ seconds: tb, left: at(tb), label: null, major: false });
    }
  }
  return ticks;
}

const SECOND_STEPS = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600];

/** The ruler in seconds: labelled ticks every 0.5, 1, 2, 5… s, the first step that keeps labels `minLabelPx` apart. */
export function secondTicks(view: TimelineView, widthPx: number, minLabelPx = 40): RulerTick[] {
  if (widthPx <= 0 || view.seconds <= 0) return [];
  const pxPerSecond = widthPx / view.seconds;
  const step = SECOND_STEPS.find((s) => s * pxPerSecond >= minLabelPx) ?? SECOND_STEPS[SECOND_STEPS.length - 1];
  const ticks: RulerTick[] = [];
  for (let n = Math.ceil(Math.max(0, view.start) / step); n * step <= view.start + view.seconds; n++) {
    const t = n * step;
    ticks.push({ seconds: t, left: ((t - view.start) / view.seconds) * 100, label: `${Number(t.toFixed(1))}s`, major: true });
  }
  return ticks;
}

/** A marker on the timeline. */
export interface Marker {
  name: string;
  seconds: number;
}

/** A new marker's name: one past the highest number among the markers' names ("1" for the first). */
export function nextMarkerName(markers: Marker[]): string {
  const numbers = markers.map((m) => (/^[0-9]+$/.test(m.name) ? Number(m.name) : 0));
  return String(Math.max(0, ...numbers) + 1);
}

/** The markers with a new one at `seconds`, in time order (unchanged when one is already there). */
export function withMarker(markers: Marker[], seconds: number): Marker[] {
  const t = Math.max(0, seconds);
  if (markers.some((m) => Math.abs(m.seconds - t) < 1e-3)) return markers;
  return [...markers, { name: nextMarkerName(markers), seconds: t }].sort((a, b) => a.seconds - b.seconds);
}

/** Longest marker name the project file takes. */
export const MAX_MARKER_NAME = 60;

/**
 * The markers with marker `index` called `name` (trimmed, at most 60 characters); unchanged
 * for an empty name or an index out of range.
 */
export function renamedMarker(markers: Marker[], index: number, name: string): Marker[] {
  const n = [...name.trim()].slice(0, MAX_MARKER_NAME).join("");
  if (!n || index < 0 || index >= markers.length || markers[index].name === n) return markers;
  return markers.map((m, i) => (i === index ? { ...m, name: n } : m));
}

/** Frame-time percentiles (ms) of a run of frame durations, for the smoothness measurement. */
export function percentiles(ms: number[], ps: number[] = [50, 95, 99]): Record<string, number> {
  const s = [...ms].sort((a, b) => a - b);
  const out: Record<string, number> = {};
  for (const p of ps) out[`p${p}`] = s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : 0;
  return out;
}

// ---- Effects: the kinds a track or the master can add, with default parameters ----


export type FxKind = FxSpec["type"];

/** A new effect of `kind` with sensible starting values. */
export function defaultFx(kind: FxKind): FxSpec {
  switch (kind) {
    case "gain":
      return { type: "gain", db: 0 };
    case "pan":
      return { type: "pan", position: 0 };
    case "eq":
      return { type: "eq", kind: "peak", freq: 1000, q: 0.707, gain_db: 3 };
    case "compressor":
      return { type: "compressor", threshold_db: -18, ratio: 3, attack_ms: 10, release_ms: 100, makeup_db: 0 };
    case "limiter":
      return { type: "limiter", ceiling_db: -1, release_ms: 50, true_peak: true };
    case "reverb":
      return { type: "reverb", room: 0.5, damping: 0.5, wet: 0.25 };
    case "saturation":
      return { type: "saturation", drive_db: 6, mix: 1 };
    case "bitcrusher":
      return { type: "bitcrusher", bits: 10, downsample: 1 };
    case "noise":
      return { type: "noise", level_db: -50, pink: true, seed: 1 };
    case "tape":
      return { type: "tape", depth: 0.3 };
    case "chorus":
      return { type: "chorus", depth: 0.4, rate_hz: 0.8, mix: 0.4 };
    case "ring_mod":
      return { type: "ring_mod", freq: 440, mix: 0.3 };
    case "delay":
      return { type: "delay", time_ms: 375, feedback: 0.35, mix: 0.25 };
  }
}

export const FX_KINDS: FxKind[] = ["eq", "compressor", "limiter", "reverb", "delay", "saturation", "chorus", "tape", "bitcrusher", "noise", "ring_mod", "gain", "pan"];

/** An effect's numeric parameters with their ranges, for sliders. */
export function fxParams(fx: FxSpec): { key: string; min: number; max: number; step: number }[] {
  const r = (key: string, min: number, max: number, step: number) => ({ key, min, max, step });
  switch (fx.type) {
    case "gain":
      return [r("db", -60, 24, 0.5)];
    case "pan":
      return [r("position", -1, 1, 0.05)];
    case "eq":
      return [r("freq", 20, 20000, 1), r("q", 0.1, 10, 0.05), r("gain_db", -24, 24, 0.5)];
    case "compressor":
      return [r("threshold_db", -60, 0, 0.5), r("ratio", 1, 20, 0.1), r("attack_ms", 0, 200, 1), r("release_ms", 5, 2000, 5), r("makeup_db", 0, 24, 0.5)];
    case "limiter":
      return [r("ceiling_db", -30, 0, 0.1), r("release_ms", 1, 1000, 1)];
    case "reverb":
      return [r("room", 0, 1, 0.01), r("damping", 0, 1, 0.01), r("wet", 0, 1, 0.01)];
    case "saturation":
      return [r("drive_db", 0, 36, 0.5), r("mix", 0, 1, 0.01)];
    case "bitcrusher":
      return [r("bits", 1, 24, 1), r("downsample", 1, 32, 1)];
    case "noise":
      return [r("level_db", -90, -6, 1)];
    case "tape":
      return [r("depth", 0, 1, 0.01)];
    case "chorus":
      return [r("depth", 0, 1, 0.01), r("rate_hz", 0.05, 10, 0.05), r("mix", 0, 1, 0.01)];
    case "ring_mod":
      return [r("freq", 1, 5000, 1), r("mix", 0, 1, 0.01)];
    case "delay":
      return [r("time_ms", 1, 2000, 1), r("feedback", 0, 0.95, 0.01), r("mix", 0, 1, 0.01)];
  }
}

const FX_PARAM_KEYS: MessageKey[] = [
  "fx.param.db",
  "fx.param.position",
  "fx.param.freq",
  "fx.param.q",
  "fx.param.gain_db",
  "fx.param.threshold_db",
  "fx.param.ratio",
  "fx.param.attack_ms",
  "fx.param.release_ms",
  "fx.param.makeup_db",
  "fx.param.ceiling_db",
  "fx.param.room",
  "fx.param.damping",
  "fx.param.wet",
  "fx.param.drive_db",
  "fx.param.mix",
  "fx.param.bits",
  "fx.param.downsample",
  "fx.param.level_db",
  "fx.param.depth",
  "fx.param.rate_hz",
  "fx.param.time_ms",
  "fx.param.feedback",
];

/** The i18n key naming an effect parameter (undefined for one this build has no name for). */
export function fxParamKey(param: string): MessageKey | undefined {
  const key = `fx.param.${param}`;
  return FX_PARAM_KEYS.includes(key as MessageKey) ? (key as MessageKey) : undefined;
}

// ---- Tracking: what a take records, and comping a take lane ----

/** The record plan the screen sends: a new take from the playhead (`take`), a punch on the
 * loop region, or loop recording over it; the armed tracks take one input channel each when
 * there are several (1, 2, … in the order armed), the stereo pair when one; none armed: a new
 * track. The count-in's tempo is the metronome's. */
export function recordPlan(o: {
  from: number;
  countIn: number;
  metronome: Metronome;
  loop: { start: number; end: number } | null;
  mode: "take" | "punch" | "loop";
  armed: string[];
  monitor?: boolean;
}): RecordPlan {
  const region: [number, number] | null = o.loop ? [o.loop.start, o.loop.end] : null;
  const punch = o.mode === "punch" ? region : null;
  const cycle = o.mode === "loop" ? region : null;
  // A punch starts playing a bar before its region (pre-roll), a loop at its start.
  const bar = (60 / o.metronome.bpm) * o.metronome.beats_per_bar;
  const from = cycle ? cycle[0] : punch ? Math.max(0, Math.min(o.from, punch[0] - bar)) : Math.max(0, o.from);
  return {
    from,
    count_in: o.countIn,
    metronome: o.metronome,
    punch,
    cycle,
    arms: o.armed.map((track, i) => ({ track, channel: o.armed.length > 1 ? i + 1 : null })),
    monitor: o.monitor ?? false,
  };
}

/** The region to comp take `take` into: the loop region where it lies inside the take, else
 * the whole take. */
export function compRegion(take: ClipView, loop: { start: number; end: number } | null): [number, number] {
  const start = take.offset;
  const end = take.offset + (take.length ?? 0);
  if (loop && loop.start >= start - 1e-6 && loop.end <= end + 1e-6 && loop.end > loop.start) return [loop.start, loop.end];
  return [start, end];
}

// ---- Return buses and sends ----

/** The two kinds of return bus the mixer adds: a room reverb and an echo, both fully wet. */
export type ReturnKind = "reverb" | "delay";

/** A new return's effects: only the effect's own sound (the tracks' dry sound reaches the master on its own). */
export function returnFx(kind: ReturnKind): FxSpec[] {
  return kind === "reverb"
    ? [{ type: "reverb", room: 0.8, damping: 0.4, wet: 1, dry: 0 }]
    : [{ type: "delay", time_ms: 375, feedback: 0.35, mix: 1 }];
}

/** `base`, or `base 2`, `base 3`… : the first that no return in `taken` is called. */
export function freeName(base: string, taken: string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base} ${i}`)) return `${base} ${i}`;
}

/** Lowest level a send slider shows; at it the send is removed. */
export const SEND_OFF_DB = -60;

/** The level of `track`'s send to `to`, dB, or `SEND_OFF_DB` when it has none. */
export function sendLevel(sends: { to: string; level_db: number }[], to: string): number {
  return sends.find((x) => x.to === to)?.level_db ?? SEND_OFF_DB;
}

/** The edit a send slider at `db` makes: the level, or the send removed at the slider's bottom. */
export function sendEdit(track: string, to: string, db: number): TrackEdit {
  return { kind: "send", track, to, level_db: db <= SEND_OFF_DB ? null : db };
}

/**
 * The chain an effect edit (as the effect-chain panel sends it) leaves `chain` as: a return's
 * chain is replaced whole (`return_fx`). Any other edit, or an index out of range, leaves it as it is.
 */
export function chainAfter(chain: FxSpec[], e: TrackEdit): FxSpec[] {
  const next = [...chain];
  switch (e.kind) {
    case "fx_add":
      next.splice(e.at === null || e.at === undefined ? next.length : Math.min(e.at, next.length), 0, e.fx);
      return next;
    case "fx_remove":
      if (e.index < next.length) next.splice(e.index, 1);
      return next;
    case "fx_move": {
      if (e.from >= next.length || e.to >= next.length) return next;
      const [fx] = next.splice(e.from, 1);
      next.splice(e.to, 0, fx);
      return next;
    }
    case "fx_set":
      if (e.index < next.length) next[e.index] = e.fx;
      return next;
    default:
      return next;
  }
}
