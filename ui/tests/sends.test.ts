import { describe, expect, it } from "vitest";
import type { FxSpec } from "../src/lib/bindings";
import { chainAfter, freeName, returnFx, SEND_OFF_DB, sendEdit, sendLevel } from "../src/lib/ghost";

describe("return buses and sends", () => {
  it("a new return is fully wet and named apart from the others", () => {
    expect(returnFx("reverb")).toEqual([{ type: "reverb", room: 0.8, damping: 0.4, wet: 1, dry: 0 }]);
    expect(returnFx("delay")[0]).toMatchObject({ type: "delay", mix: 1 });
    expect(freeName("Reverb", [])).toBe("Reverb");
    expect(freeName("Reverb", ["Reverb", "Reverb 2"])).toBe("Reverb 3");
    expect(freeName("Eco", ["Reverb"])).toBe("Eco");
  });

  it("a send slider reads the track's level and removes the send at its bottom", () => {
    const sends = [{ to: "Reverb", level_db: -9 }];
    expect(sendLevel(sends, "Reverb")).toBe(-9);
    expect(sendLevel(sends, "Delay")).toBe(SEND_OFF_DB);
    expect(sendEdit("Bass", "Reverb", -12)).toEqual({ kind: "send", track: "Bass", to: "Reverb", level_db: -12 });
    expect(sendEdit("Bass", "Reverb", SEND_OFF_DB)).toEqual({ kind: "send", track: "Bass", to: "Reverb", level_db: null });
  });

  it("the effect panel's edits become the return's whole new chain", () => {
    const rev: FxSpec = { type: "reverb", room: 0.8, damping: 0.4, wet: 1, dry: 0 };
    const eq: FxSpec = { type: "eq", kind: "high_pass", freq: 200, q: 0.7, gain_db: 0 };
    const chain = [rev];
    expect(chainAfter(chain, { kind: "fx_add", track: null, at: 0, fx: eq })).toEqual([eq, rev]);
    expect(chainAfter(chain, { kind: "fx_add", track: null, at: null, fx: eq })).toEqual([rev, eq]);
    expect(chainAfter([eq, rev], { kind: "fx_move", track: null, from: 0, to: 1 })).toEqual([rev, eq]);
    expect(chainAfter([eq, rev], { kind: "fx_remove", track: null, index: 1 })).toEqual([eq]);
    const wider = { ...rev, room: 0.95 };
    expect(chainAfter(chain, { kind: "fx_set", track: null, index: 0, fx: wider })).toEqual([wider]);
    // Out of range or another kind of edit: the chain as it was, and never the same array.
    expect(chainAfter(chain, { kind: "fx_remove", track: null, index: 3 })).toEqual(chain);
    expect(chainAfter(chain, { kind: "mute", track: "x", on: true })).not.toBe(chain);
  });
});
