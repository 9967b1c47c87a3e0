import { describe, expect, it } from "vitest";
import { parseWav, peaks, WavError } from "../src/lib/wav";

/** A WAV file with `frames` of interleaved samples, written as the engine does. */
function wav(format: 1 | 3, bits: 16 | 24 | 32, channels: number, rate: number, samples: number[], extensible = false): ArrayBuffer {
  const bytes = bits / 8;
  const data = samples.length * bytes;
  const fmtSize = extensible ? 40 : 16;
  const buf = new ArrayBuffer(12 + 8 + fmtSize + 8 + data);
  const v = new DataView(buf);
  const str = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  str(0, "RIFF");
  v.setUint32(4, buf.byteLength - 8, true);
  str(8, "WAVE");
  str(12, "fmt ");
  v.setUint32(16, fmtSize, true);
  v.setUint16(20, extensible ? 0xfffe : format, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * channels * bytes, true);
  v.setUint16(32, channels * bytes, true);
  v.setUint16(34, bits, true);
  if (extensible) {
    v.setUint16(36, 22, true);
    v.setUint16(44, format, true);
  }
  const d = 20 + fmtSize;
  str(d, "data");
  v.setUint32(d + 4, data, true);
  samples.forEach((s, i) => {
    const at = d + 8 + i * bytes;
    if (format === 3) v.setFloat32(at, s, true);
    else if (bits === 16) v.setInt16(at, Math.round(s * 32767), true);
    else if (bits === 24) {
      const n = Math.round(s * 8388607);
      v.setUint8(at, n & 0xff);
      v.setUint8(at + 1, (n >> 8) & 0xff);
      v.setInt8(at + 2, n >> 16);
    } else v.setInt32(at, Math.round(s * 2147483647), true);
  });
  return buf;
}

describe("WAV reading", () => {
  const samples = [0.5, -0.5, 0.25, -1, 0, 0.75];
  for (const [format, bits, extensible] of [[1, 16, false], [1, 24, false], [1, 32, true], [3, 32, false], [3, 32, true]] as const) {
    it(`reads ${format === 3 ? "float" : "PCM"} ${bits}-bit${extensible ? " (extensible)" : ""} stereo`, () => {
      const a = parseWav(wav(format, bits, 2, 48000, samples, extensible));
      expect(a.sampleRate).toBe(48000);
      expect(a.channels).toHaveLength(2);
      expect(Array.from(a.channels[0])).toEqual([0.5, 0.25, 0].map((x) => expect.closeTo(x, 3)));
      expect(Array.from(a.channels[1])).toEqual([-0.5, -1, 0.75].map((x) => expect.closeTo(x, 3)));
    });
  }

  it("refuses what is not a WAV file", () => {
    expect(() => parseWav(new TextEncoder().encode("ID3 not a wav").buffer)).toThrow(WavError);
  });
});

describe("peaks", () => {
  it("gives the min and max of each bucket over all channels", () => {
    const l = new Float32Array([0.1, -0.2, 0.9, 0.0]);
    const r = new Float32Array([0.0, -0.5, 0.1, -0.3]);
    expect(peaks([l, r], 2).map(([lo, hi]) => [lo, hi].map((x) => Math.round(x * 10) / 10))).toEqual([
      [-0.5, 0.1],
      [-0.3, 0.9],
    ]);
    expect(peaks([l], 100)).toHaveLength(4);
    expect(peaks([], 10)).toEqual([]);
  });
});
