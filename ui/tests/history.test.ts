import { describe, expect, it } from "vitest";
import { History } from "../src/lib/history";

describe("undo history", () => {
  it("undoes and redoes in order", () => {
    const h = new History({ v: 0 });
    h.push({ v: 1 }, "a", 0);
    h.push({ v: 2 }, "b", 10);
    expect(h.undo()).toEqual({ v: 1 });
    expect(h.undo()).toEqual({ v: 0 });
    expect(h.undo()).toBeNull();
    expect(h.redo()).toEqual({ v: 1 });
    expect(h.value).toEqual({ v: 1 });
  });

  it("merges a quick run of changes to the same field into one step", () => {
    const h = new History({ v: 0 }, 100, 600);
    h.push({ v: 10 }, "knob:trash", 0);
    h.push({ v: 20 }, "knob:trash", 100);
    h.push({ v: 30 }, "knob:trash", 200);
    expect(h.undo()).toEqual({ v: 0 });
    expect(h.canUndo).toBe(false);
  });

  it("a new change clears the redo stack", () => {
    const h = new History({ v: 0 });
    h.push({ v: 1 }, "a", 0);
    h.undo();
    h.push({ v: 5 }, "b", 1000);
    expect(h.canRedo).toBe(false);
  });

  it("keeps at most `limit` steps", () => {
    const h = new History(0, 3, 0);
    for (let i = 1; i <= 10; i++) h.push(i, `t${i}`, i * 1000);
    let n = 0;
    while (h.undo() !== null) n++;
    expect(n).toBe(3);
  });
});
