// The Settings screen's logic: the device menus (the host's devices, plus a chosen one that is
// not connected, so the choice is not lost while an interface is unplugged) and the buffer sizes.
import type { DeviceInfo } from "./bindings";

/** The buffer sizes offered (frames per callback); `null` is the system's own choice. */
export const BUFFER_CHOICES = [64, 128, 256, 512, 1024, 2048] as const;

/** One entry of a device menu. */
export interface DeviceOption {
  /** The device's name, what is saved. */
  name: string;
  /** The system's default device for its direction. */
  isDefault: boolean;
  /** Chosen earlier but not connected now (the default plays meanwhile). */
  missing: boolean;
}

/** The menu for one direction: the listed devices in the host's order, then a chosen one that is not among them. */
export function deviceOptions(devices: readonly DeviceInfo[], chosen: string | null | undefined): DeviceOption[] {
  const options: DeviceOption[] = devices.map((d) => ({ name: d.name, isDefault: d.is_default, missing: false }));
  if (chosen && !devices.some((d) => d.name === chosen)) options.push({ name: chosen, isDefault: false, missing: true });
  return options;
}

/** How long a buffer of `frames` lasts at `rate`, in milliseconds with one decimal. */
export function bufferMs(frames: number, rate = 48000): string {
  return ((frames / rate) * 1000).toFixed(1);
}

/** The device a choice plays on now: the chosen one when connected, else the default's name (or null). */
export function deviceInUse(devices: readonly DeviceInfo[], chosen: string | null | undefined): string | null {
  if (chosen && devices.some((d) => d.name === chosen)) return chosen;
  return devices.find((d) => d.is_default)?.name ?? null;
}
