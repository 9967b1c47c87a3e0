// Live multitrack playback through Web Audio: one AudioBufferSourceNode per track (its stem,
// rendered by the studio with the track's clips and effects), then per-track left/right gains
// (gain, pan, mute and solo apply instantly, without a render) and an AnalyserNode per track for
// its level meter. All sources start at the same context time, so the tracks stay sample-aligned;
// a loop region loops every source over the same span.
import { trackGains, type MixTrack } from "./ghost";
import type { DecodedAudio } from "./wav";

interface Strip {
  name: string;
  buffer: AudioBuffer | null;
  source: AudioBufferSourceNode | null;
  left: GainNode;
  right: GainNode;
  merger: ChannelMergerNode;
  splitter: ChannelSplitterNode;
  analyser: AnalyserNode;
}

export class MultiPlayer {
  /** Whether the tracks are sounding. */
  playing = $state(false);
  private ctx: AudioContext | null = null;
  private strips = new Map<string, Strip>();
  private buffers = new Map<string, AudioBuffer>();
  private startedAt = 0;
  private from = 0;
  private loop: { start: number; end: number } | null = null;
  private scratch = new Float32Array(2048);
  private length = 0;

  private context(): AudioContext {
    this.ctx ??= new AudioContext();
    return this.ctx;
  }

  private strip(name: string): Strip {
    let s = this.strips.get(name);
    if (!s) {
      const ctx = this.context();
      const splitter = ctx.createChannelSplitter(2);
      const left = ctx.createGain();
      const right = ctx.createGain();
      const merger = ctx.createChannelMerger(2);
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 2048;
      splitter.connect(left, 0);
      splitter.connect(right, 1);
      left.connect(merger, 0, 0);
      right.connect(merger, 0, 1);
      merger.connect(analyser);
      analyser.connect(ctx.destination);
      s = { name, buffer: null, source: null, left, right, merger, splitter, analyser };
      this.strips.set(name, s);
    }
    return s;
  }

  /**
   * Sets the tracks and their stems (`file` null for an empty track); stems are decoded once per
   * file (their names change when their content does). Tracks no longer present are dropped.
   */
  async load(tracks: { track: string; file: string | null }[], decode: (file: string) => Promise<DecodedAudio>): Promise<void> {
    const ctx = this.context();
    const names = new Set(tracks.map((t) => t.track));
    for (const [name, s] of this.strips) {
      if (!names.has(name)) {
        this.stopSource(s);
        s.analyser.disconnect();
        this.strips.delete(name);
      }
    }
    const used = new Set<string>();
    let changed = false;
    for (const t of tracks) {
      const s = this.strip(t.track);
      let b: AudioBuffer | null = null;
      if (t.file) {
        used.add(t.file);
        b = this.buffers.get(t.file) ?? null;
        if (!b) {
          const audio = await decode(t.file);
          const frames = Math.max(1, audio.channels[0]?.length ?? 0);
          b = ctx.createBuffer(2, frames, audio.sampleRate);
          b.getChannelData(0).set(audio.channels[0] ?? new Float32Array(frames));
          b.getChannelData(1).set(audio.channels[1] ?? audio.channels[0] ?? new Float32Array(frames));
          this.buffers.set(t.file, b);
        }
      }
      if (s.buffer !== b) {
        s.buffer = b;
        changed = true;
      }
    }
    for (const f of [...this.buffers.keys()]) if (!used.has(f)) this.buffers.delete(f);
    this.length = Math.max(0, ...[...this.strips.values()].map((s) => s.buffer?.duration ?? 0));
    // A stem that changed while playing restarts every source at the same position.
    if (changed && this.playing) this.start(this.position());
  }

  /** Applies gain, pan, mute and solo at once (no render needed). */
  mix(tracks: MixTrack[]): void {
    const anySolo = tracks.some((t) => t.solo);
    const now = this.ctx?.currentTime ?? 0;
    for (const t of tracks) {
      const s = this.strips.get(t.name);
      if (!s) continue;
      const [l, r] = trackGains(t, anySolo);
      // A 10 ms ramp avoids clicks.
      s.left.gain.setTargetAtTime(l, now, 0.01);
      s.right.gain.setTargetAtTime(r, now, 0.01);
    }
  }

  /** The loop region (null: play to the end). */
  setLoop(loop: { start: number; end: number } | null): void {
    this.loop = loop;
    for (const s of this.strips.values()) this.applyLoop(s.source);
  }

  private applyLoop(src: AudioBufferSourceNode | null) {
    if (!src) return;
    src.loop = !!this.loop;
    if (this.loop) {
      src.loopStart = this.loop.start;
      src.loopEnd = this.loop.end;
    }
  }

  /** Seconds since the start of the session (wrapping inside the loop). */
  position(): number {
    if (!this.ctx || !this.playing) return this.from;
    const t = this.from + this.ctx.currentTime - this.startedAt;
    if (this.loop && t >= this.loop.end) {
      const len = this.loop.end - this.loop.start;
      return this.loop.start + ((t - this.loop.start) % len);
    }
    return t;
  }

  /** The longest stem, seconds. */
  duration(): number {
    return this.length;
  }

  async play(from: number): Promise<void> {
    await this.context().resume();
    this.start(from);
  }

  private start(from: number) {
    const ctx = this.context();
    for (const s of this.strips.values()) this.stopSource(s);
    const at = ctx.currentTime + 0.03;
    const begin = this.loop && (from < this.loop.start || from >= this.loop.end) ? this.loop.start : from;
    for (const s of this.strips.values()) {
      if (!s.buffer) continue;
      const src = ctx.createBufferSource();
      src.buffer = s.buffer;
      this.applyLoop(src);
      src.connect(s.splitter);
      if (begin < s.buffer.duration || this.loop) src.start(at, Math.min(begin, s.buffer.duration));
      s.source = src;
    }
    this.startedAt = at;
    this.from = begin;
    this.playing = true;
  }

  private stopSource(s: Strip) {
    if (!s.source) return;
    try {
      s.source.stop();
    } catch {
      /* never started */
    }
    s.source.disconnect();
    s.source = null;
  }

  /** Stops, keeping the position. */
  stop(): void {
    const at = this.position();
    for (const s of this.strips.values()) this.stopSource(s);
    this.playing = false;
    this.from = at;
  }

  /** Moves the playhead (restarting the sources when playing). */
  seek(t: number): void {
    if (this.playing) this.start(Math.max(0, t));
    else this.from = Math.max(0, t);
  }

  /** Peak level (linear) of each track over the analyser's last window, post-fader. */
  levels(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, s] of this.strips) {
      s.analyser.getFloatTimeDomainData(this.scratch);
      let p = 0;
      for (let i = 0; i < this.scratch.length; i++) p = Math.max(p, Math.abs(this.scratch[i]));
      out.set(name, this.playing ? p : 0);
    }
    return out;
  }

  close(): void {
    for (const s of this.strips.values()) this.stopSource(s);
    this.strips.clear();
    this.buffers.clear();
    this.playing = false;
    void this.ctx?.close();
    this.ctx = null;
  }
}
