// Plays decoded takes through WebAudio. One take sounds at a time; switching takes (A/B) can keep
// the position. Samples come from our own WAV reader, so no media backend is needed to decode.
import type { DecodedAudio } from "./wav";

export class Player {
  /** The take sounding now, or null. */
  playing = $state<string | null>(null);
  /** Seconds into the take, updated while it plays. */
  position = $state(0);
  private ctx: AudioContext | null = null;
  private source: AudioBufferSourceNode | null = null;
  private buffers = new Map<string, AudioBuffer>();
  private startedAt = 0;
  private offset = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  private context(): AudioContext {
    this.ctx ??= new AudioContext();
    return this.ctx;
  }

  private async buffer(take: string, load: () => Promise<DecodedAudio>): Promise<AudioBuffer> {
    let b = this.buffers.get(take);
    if (!b) {
      const audio = await load();
      const frames = audio.channels[0]?.length ?? 0;
      b = this.context().createBuffer(Math.max(1, audio.channels.length), Math.max(1, frames), audio.sampleRate);
      audio.channels.forEach((ch, i) => b!.getChannelData(i).set(ch));
      this.buffers.set(take, b);
    }
    return b;
  }

  /** Plays `take` from `from` seconds (wrapping to the start past its end), at linear `gain`. */
  async play(take: string, load: () => Promise<DecodedAudio>, from = 0, gain = 1): Promise<void> {
    this.halt();
    const ctx = this.context();
    await ctx.resume();
    const buf = await this.buffer(take, load);
    this.halt();
    const at = from < buf.duration ? from : 0;
    const src = ctx.createBufferSource();
    src.buffer = buf;
    if (gain === 1) src.connect(ctx.destination);
    else {
      const g = ctx.createGain();
      g.gain.value = gain;
      src.connect(g).connect(ctx.destination);
    }
    src.onended = () => {
      if (this.source === src) this.stop();
    };
    src.start(0, at);
    this.source = src;
    this.startedAt = ctx.currentTime;
    this.offset = at;
    this.playing = take;
    this.position = at;
    this.timer = setInterval(() => (this.position = this.now()), 100);
  }

  /** Seconds into the take sounding now. */
  now(): number {
    return this.ctx && this.playing ? this.offset + this.ctx.currentTime - this.startedAt : this.position;
  }

  private halt() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.source) {
      const s = this.source;
      this.source = null;
      try {
        s.stop();
      } catch {
        /* already stopped */
      }
    }
  }

  stop(): void {
    this.halt();
    this.playing = null;
    this.position = 0;
  }

  /** Forgets one decoded take (its file changed, e.g. a new render). */
  forget(take: string): void {
    this.buffers.delete(take);
  }

  /** Stops and forgets every decoded take (e.g. another project's takes have the same names). */
  forgetAll(): void {
    this.stop();
    this.buffers.clear();
  }

  /** Forgets decoded buffers (e.g. when the screen closes). */
  close(): void {
    this.stop();
    this.buffers.clear();
    void this.ctx?.close();
    this.ctx = null;
  }
}
