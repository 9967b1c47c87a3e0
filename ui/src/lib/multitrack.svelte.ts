// Ghost Studio's transport: the project plays through the studio's native audio engine (the same
// graph the render and export run, the knobs' master chain included), not through Web Audio. The
// page sends play/stop/seek/loop and live previews of moving controls; the engine answers about
// 30 times a second with a PlaybackChanged event (playhead, per-track and master meters, deadline
// misses, the device and what happened to it), which this class keeps for the screen to draw.
import { call, commands, events, onEvent, StudioError } from "./api";
import type { EngineEvent, Knobs, PlaybackFrame, TrackEdit } from "./bindings";

/** Peaks fall this much per frame, so meters hold briefly instead of flickering. */
const FALL = 0.8;

export class EnginePlayer {
  /** Whether the engine is playing the project. */
  playing = $state(false);
  /** The device playing, once the engine opened one. */
  device = $state<string | null>(null);
  /** Set when playback cannot start because there is no audio output device (its message). */
  noDevice = $state<string | null>(null);
  /** Callbacks that missed their deadline (underruns) since playback opened. */
  deadlineMisses = $state(0);
  /** The project's folder the transport belongs to. */
  private folder: string | null = null;
  private loop: { start: number; end: number } | null = null;
  /** The last frame's playhead and when it came, to move the playhead smoothly between frames. */
  private seconds = 0;
  private at = 0;
  private peaks = new Map<string, number>();
  private master: [number, number] = [0, 0];
  private stopListening: () => void;
  /** When play or stop was last asked: frames older than the engine's answer do not undo it. */
  private askedAt = 0;
  /** Told of what happened to the device (lost, reopened). */
  onDevice: (e: EngineEvent) => void = () => {};

  constructor() {
    this.stopListening = onEvent(events.playbackChanged, (e) => {
      if (e.project === this.folder) this.take(e.frame);
    });
  }

  private take(f: PlaybackFrame) {
    // For the desktop tests' diagnostics: the engine's frames reach the page.
    const g = globalThis as unknown as { __son1kEngineFrames?: number; __son1kEngineLast?: PlaybackFrame };
    g.__son1kEngineFrames = (g.__son1kEngineFrames ?? 0) + 1;
    g.__son1kEngineLast = f;
    this.seconds = f.seconds ?? 0;
    this.at = performance.now();
    const settling = performance.now() - this.askedAt < 250 && !f.finished;
    if (!settling) this.playing = f.playing;
    this.device = f.device;
    this.deadlineMisses = f.deadline_misses;
    for (const tr of f.tracks) this.peaks.set(tr.track, Math.max(tr.peak ?? 0, (this.peaks.get(tr.track) ?? 0) * FALL));
    this.master = [Math.max(f.master[0] ?? 0, this.master[0] * FALL), Math.max(f.master[1] ?? 0, this.master[1] * FALL)];
    for (const ev of f.events) this.onDevice(ev);
  }

  /** The project the transport plays (another one stops the first and clears the loop region). */
  setProject(folder: string | null): void {
    if (this.folder && this.folder !== folder && this.playing) void this.stop();
    if (this.folder !== folder) {
      this.seconds = 0;
      this.peaks.clear();
      // The loop region was the other project's.
      this.loop = null;
    }
    this.folder = folder;
  }

  /** Plays from `from` seconds (inside the loop region when one is set). */
  async play(from: number): Promise<void> {
    const folder = this.folder;
    if (!folder) return;
    const region = this.region();
    this.askedAt = performance.now();
    try {
      const f = await call(() => commands.projectPlay(folder, from, region));
      this.noDevice = null;
      this.askedAt = 0;
      this.take(f);
      this.askedAt = performance.now();
      this.playing = true;
    } catch (e) {
      if (e instanceof StudioError && e.detail.code === "audio-device") this.noDevice = e.detail.message;
      throw e;
    }
  }

  /** Stops, keeping the position. */
  async stop(): Promise<void> {
    const folder = this.folder;
    this.playing = false;
    this.askedAt = performance.now();
    if (!folder) return;
    const f = await call(() => commands.projectStop(folder));
    if (f) {
      this.seconds = f.seconds ?? this.seconds;
      this.at = performance.now();
    }
    this.playing = false;
  }

  /** Moves the playhead. */
  seek(t: number): void {
    this.seconds = Math.max(0, t);
    this.at = performance.now();
    if (this.folder) void call(() => commands.projectSeek(this.folder!, this.seconds, this.region())).catch(() => {});
  }

  private region(): [number, number] | null {
    return this.loop ? [this.loop.start, this.loop.end] : null;
  }

  /** The loop region (null: play to the end). */
  setLoop(loop: { start: number; end: number } | null): void {
    this.loop = loop;
    if (this.folder) void call(() => commands.projectSeek(this.folder!, null, this.region())).catch(() => {});
  }

  /** Sounds a moving gain or pan (or a mute/solo) at once; the saved edit follows. */
  preview(edit: TrackEdit): void {
    if (this.folder && this.playing) void call(() => commands.projectPreview(this.folder!, edit, null)).catch(() => {});
  }

  /** Sounds turning knobs at once; the saved knobs follow. */
  previewKnobs(knobs: Knobs): void {
    if (this.folder && this.playing) void call(() => commands.projectPreview(this.folder!, null, knobs)).catch(() => {});
  }

  /** The playhead, seconds: the engine's, moved on by the time since its last frame. */
  position(): number {
    if (!this.playing) return this.seconds;
    const t = this.seconds + (performance.now() - this.at) / 1000;
    const l = this.loop;
    if (l && t >= l.end) return l.start + ((t - l.start) % Math.max(1e-3, l.end - l.start));
    return t;
  }

  /** Each track's peak (linear, after gain and pan) as the engine measured it. */
  levels(): Map<string, number> {
    if (!this.playing) return new Map();
    return this.peaks;
  }

  /** The master's peaks (left, right), linear. */
  masterLevels(): [number, number] {
    return this.playing ? this.master : [0, 0];
  }

  close(): void {
    if (this.playing) void this.stop().catch(() => {});
    this.stopListening();
  }
}
