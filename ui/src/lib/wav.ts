// Reads the WAV files the song engine writes (PCM 16/24/32-bit, 32-bit float, plain or
// WAVE_FORMAT_EXTENSIBLE) into per-channel float samples, and reduces them to waveform peaks.
// Decoding here rather than with WebAudio's decodeAudioData keeps the waveform working in webviews
// without a media backend (e.g. WebKitGTK without GStreamer plugins).

export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
}

export class WavError extends Error {}

function tag(v: DataView, at: number): string {
  return String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
}

/** Decodes a RIFF/WAVE file; throws WavError for anything else. */
export function parseWav(buf: ArrayBuffer): DecodedAudio {
  const v = new DataView(buf);
  if (v.byteLength < 12 || tag(v, 0) !== "RIFF" || tag(v, 8) !== "WAVE") throw new WavError("not a WAV file");
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let at = 12;
  while (at + 8 <= v.byteLength) {
    const id = tag(v, at);
    const size = v.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      let format = v.getUint16(body, true);
      const bits = v.getUint16(body + 14, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (format === 0xfffe && size >= 40) format = v.getUint16(body + 24, true);
      fmt = { format, channels: v.getUint16(body + 2, true), rate: v.getUint32(body + 4, true), bits };
    } else if (id === "data") {
      if (!fmt) throw new WavError("WAV data before its format");
      const len = Math.min(size, v.byteLength - body);
      return { sampleRate: fmt.rate, channels: decode(v, body, len, fmt) };
    }
    at = body + size + (size & 1);
  }
  throw new WavError("WAV file without audio data");
}

function decode(v: DataView, start: number, len: number, f: { format: number; channels: number; bits: number }): Float32Array[] {
  const bytes = f.bits / 8;
  const n = f.channels;
  if (n < 1 || ![16, 24, 32].includes(f.bits) || (f.format !== 1 && f.format !== 3) || (f.format === 3 && f.bits !== 32)) {
    throw new WavError(`unsupported WAV format ${f.format} with ${f.bits} bits`);
  }
  const frames = Math.floor(len / (bytes * n));
  const out = Array.from({ length: n }, () => new Float32Array(frames));
  let p = start;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < n; c++, p += bytes) {
      let s: number;
      if (f.format === 3) s = v.getFloat32(p, true);
      else if (f.bits === 16) s = v.getInt16(p, true) / 32768;
      else if (f.bits === 24) s = ((v.getUint8(p) | (v.getUint8(p + 1) << 8) | (v.getInt8(p + 2) << 16)) / 8388608);
      else s = v.getInt32(p, true) / 2147483648;
      out[c][i] = s;
    }
  }
  return out;
}

/** `buckets` (min, max) pairs over all channels, for the Waveform component. */
export function peaks(channels: Float32Array[], buckets: number): [number, number][] {
  const frames = channels[0]?.length ?? 0;
  if (frames === 0 || buckets <= 0) return [];
  const n = Math.min(buckets, frames);
  const out: [number, number][] = [];
  for (let b = 0; b < n; b++) {
    const from = Math.floor((b * frames) / n);
    const to = Math.floor(((b + 1) * frames) / n);
    let lo = 0;
    let hi = 0;
    for (const ch of channels) {
      for (let i = from; i < to; i++) {
        const s = ch[i];
        if (s < lo) lo = s;
        if (s > hi) hi = s;
      }
    }
    out.push([Math.max(-1, lo), Math.min(1, hi)]);
  }
  return out;
}
