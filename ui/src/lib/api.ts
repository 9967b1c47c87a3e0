// The UI's only door to the studio: the generated bindings, plus a clear error when the page is
// opened outside the desktop app (e.g. `vite dev` in a browser).
import { commands, events } from "./bindings";
import type { UiError } from "./bindings";

export type { BuiltPrompt, PromptInput, StudioInfo, TierLimits, PresetInfo, UiError, SongSummary } from "./bindings";
export { commands, events } from "./bindings";

export function inDesktopApp(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/**
 * Subscribes `handler` to one of the app's typed events for an `$effect`'s lifetime: returns the
 * unsubscribe to hand back to the effect. Outside the desktop app there are no events.
 */
export function onEvent<T>(
  event: { listen: (cb: (e: { payload: T }) => void) => Promise<() => void> },
  handler: (payload: T) => void,
): () => void {
  if (!inDesktopApp()) return () => {};
  const stop = event.listen((e) => handler(e.payload));
  return () => void stop.then((f) => f());
}

/** A take being recorded, as the screens show it: the held peak (linear) and its length. */
export type TakeLevel = { peak: number; seconds: number };

/** Follows the recorder's input level into the take `take()` returns (while one records): the peak
 * is held and falls 15 % per report. For an `$effect`, like [`onEvent`]. */
export function followInputLevel(take: () => TakeLevel | null): () => void {
  return onEvent(events.inputLevelChanged, (level) => {
    const rec = take();
    if (rec) {
      rec.peak = Math.max(level.peak, rec.peak * 0.85);
      rec.seconds = level.seconds;
    }
  });
}

export class StudioError extends Error {
  constructor(public readonly detail: UiError) {
    super(detail.message);
  }
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: UiError };

/** Unwraps a command's result, throwing a StudioError the screens can show. */
export async function call<T>(run: () => Promise<Result<T>>): Promise<T> {
  if (!inDesktopApp()) {
    throw new StudioError({ code: "no-desktop", message: "desktop-only", field: null });
  }
  const r = await run();
  if (r.status === "error") {
    // The shell's own errors are UiError objects; Tauri reports arguments it cannot decode as text.
    const e = r.error as UiError | string;
    throw new StudioError(typeof e === "string" ? { code: "invalid-arguments", message: e, field: null } : e);
  }
  return r.data;
}

/** Calls a command that cannot fail. */
export async function get<T>(run: () => Promise<T>): Promise<T> {
  if (!inDesktopApp()) {
    throw new StudioError({ code: "no-desktop", message: "desktop-only", field: null });
  }
  return run();
}
