// Nexus Visual in the webview: the URL of a live frame (the shell's son1k-visual:// scheme, drawn
// by the same Rust scenes as the exported video) and what the screen measures of a frame.

/** The URL of the frame of take `take` at `seconds`, scene `scene`, seed `seed`, `w`×`h` pixels. */
export function frameUrl(take: string, scene: string, seed: number, w: number, h: number, seconds: number, windows = isWindows()): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const path = [take, scene, String(Math.max(0, Math.floor(seed))), `${even(w)}x${even(h)}`, String(ms)].map(encodeURIComponent).join("/");
  return windows ? `http://son1k-visual.localhost/${path}` : `son1k-visual://localhost/${path}`;
}

/** `n` rounded down to an even number of pixels, 2–1920 (what the scheme accepts). */
export function even(n: number): number {
  const v = Math.floor(Math.min(1920, Math.max(2, n)) / 2) * 2;
  return Number.isFinite(v) ? v : 2;
}

/** The mean of the R, G and B channels of RGBA bytes, 0–255: how bright a frame is. */
export function brightness(rgba: Uint8ClampedArray | Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i + 2 < rgba.length; i += 4) {
    sum += rgba[i] + rgba[i + 1] + rgba[i + 2];
    n += 3;
  }
  return n ? sum / n : 0;
}

/** A span A–B in seconds for the export, or null for the whole song; throws on a bad span. */
export function span(from: string, to: string): [number, number] | null {
  if (!from.trim() && !to.trim()) return null;
  const a = from.trim() ? Number(from) : 0;
  const b = Number(to);
  if (!Number.isFinite(a) || !Number.isFinite(b) || a < 0 || b <= a) throw new Error("span");
  return [a, b];
}

function isWindows(): boolean {
  return typeof navigator !== "undefined" && /Windows/i.test(navigator.userAgent);
}
