// Pure knob maths, shared by the Knob component and its tests.

export const KNOB_MIN = 0;
export const KNOB_MAX = 100;
/** The knob sweeps 270°, from -135° (0) to +135° (100). */
export const SWEEP = 270;

export function clamp(v: number, min = KNOB_MIN, max = KNOB_MAX): number {
  if (Number.isNaN(v)) return min;
  return Math.min(max, Math.max(min, Math.round(v)));
}

/** Angle of the pointer in degrees for `value`. */
export function angleFor(value: number): number {
  return -SWEEP / 2 + (clamp(value) / KNOB_MAX) * SWEEP;
}

/** New value after a vertical drag of `dy` pixels (up is positive); shift gives fine control. */
export function dragTo(start: number, dy: number, fine = false): number {
  const perPixel = fine ? 0.1 : 0.5;
  return clamp(start + dy * perPixel);
}

/** New value after a key press, or null when the key does not move the knob. */
export function keyTo(value: number, key: string, shift = false): number | null {
  const step = shift ? 10 : 1;
  switch (key) {
    case "ArrowUp":
    case "ArrowRight":
      return clamp(value + step);
    case "ArrowDown":
    case "ArrowLeft":
      return clamp(value - step);
    case "PageUp":
      return clamp(value + 10);
    case "PageDown":
      return clamp(value - 10);
    case "Home":
      return KNOB_MIN;
    case "End":
      return KNOB_MAX;
    default:
      return null;
  }
}

/** SVG arc path from the start of the sweep to `value`, on a circle of radius r centred at c. */
export function arcPath(value: number, c = 32, r = 26): string {
  const a0 = ((angleFor(0) - 90) * Math.PI) / 180;
  const a1 = ((angleFor(value) - 90) * Math.PI) / 180;
  const x0 = c + r * Math.cos(a0);
  const y0 = c + r * Math.sin(a0);
  const x1 = c + r * Math.cos(a1);
  const y1 = c + r * Math.sin(a1);
  const large = angleFor(value) - angleFor(0) > 180 ? 1 : 0;
  return `M ${x0.toFixed(2)} ${y0.toFixed(2)} A ${r} ${r} 0 ${large} 1 ${x1.toFixed(2)} ${y1.toFixed(2)}`;
}
