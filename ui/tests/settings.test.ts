import { describe, expect, it } from "vitest";
import { bufferMs, deviceInUse, deviceOptions } from "../src/lib/settings";

const devices = [
  { name: "default", is_default: true, sample_rate: 48000, channels: 2 },
  { name: "pulse", is_default: false, sample_rate: 44100, channels: 2 },
];

describe("device menus", () => {
  it("list the host's devices in order and keep a chosen one that is unplugged", () => {
    expect(deviceOptions(devices, null).map((o) => o.name)).toEqual(["default", "pulse"]);
    expect(deviceOptions(devices, "pulse").some((o) => o.missing)).toBe(false);
    const unplugged = deviceOptions(devices, "Scarlett 2i2 USB");
    expect(unplugged.at(-1)).toEqual({ name: "Scarlett 2i2 USB", isDefault: false, missing: true });
    expect(deviceOptions([], "x")).toEqual([{ name: "x", isDefault: false, missing: true }]);
  });

  it("say which device plays: the chosen one when connected, else the default", () => {
    expect(deviceInUse(devices, "pulse")).toBe("pulse");
    expect(deviceInUse(devices, "Scarlett 2i2 USB")).toBe("default");
    expect(deviceInUse(devices, null)).toBe("default");
    expect(deviceInUse([], null)).toBeNull();
  });

  it("give a buffer's length in milliseconds", () => {
    expect(bufferMs(256)).toBe("5.3");
    expect(bufferMs(128, 44100)).toBe("2.9");
  });
});
