import { afterEach, describe, expect, it, vi } from "vitest";
import { openAtTop, restoreScroll, scrollOf } from "../src/lib/state.svelte";

/** An element whose scrollTop is clamped to a height that grows as its content loads. */
function page(heights: number[]) {
  let top = 0;
  let frame = 0;
  return {
    el: {
      get scrollTop() {
        return top;
      },
      set scrollTop(v: number) {
        top = Math.min(v, heights[Math.min(frame, heights.length - 1)]);
      },
    } as unknown as HTMLElement,
    tick: () => frame++,
  };
}

describe("each screen's scroll", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("is restored once the screen's content is tall enough", () => {
    const p = page([0, 300, 900]);
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal("requestAnimationFrame", (f: FrameRequestCallback) => frames.push(f));
    let done = false;
    restoreScroll(p.el, 640, () => (done = true));
    // The first frames the page is too short; the third frame it has loaded.
    while (!done && frames.length) {
      p.tick();
      frames.shift()!(0);
    }
    expect(done).toBe(true);
    expect(p.el.scrollTop).toBe(640);
  });

  it("gives up after its frames on a page that never grows, where it can be", () => {
    const p = page([200]);
    vi.stubGlobal("requestAnimationFrame", (f: FrameRequestCallback) => f(0));
    let done = false;
    restoreScroll(p.el, 640, () => (done = true), 5);
    expect(done).toBe(true);
    expect(p.el.scrollTop).toBe(200);
  });

  it("starts a screen at its top when something new is opened there", () => {
    scrollOf.ghost = 1200;
    openAtTop("ghost");
    expect(scrollOf.ghost).toBe(0);
  });
});
