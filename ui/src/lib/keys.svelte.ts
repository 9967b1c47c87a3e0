// Global keyboard handling: App dispatches actions; screens subscribe while mounted.
import { actionFor, type Action } from "./shortcuts";

type Handler = (a: Action) => void;
const handlers = new Set<Handler>();

/** Subscribes `h` to shortcut actions for the lifetime of the calling component. */
export function onKey(h: Handler) {
  $effect(() => {
    handlers.add(h);
    return () => handlers.delete(h);
  });
}

export function dispatchKey(e: KeyboardEvent): Action | null {
  const target = e.target as HTMLElement | null;
  const tag = target?.tagName ?? "";
  const inTextField = tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || !!target?.isContentEditable;
  const action = actionFor({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey, altKey: e.altKey, inTextField });
  if (action) {
    for (const h of handlers) h(action);
  }
  return action;
}
