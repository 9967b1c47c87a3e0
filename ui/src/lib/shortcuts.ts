// Keyboard shortcuts, as a pure mapping from a key event to an action.

export type Action =
  | { kind: "screen"; index: number }
  | { kind: "undo" }
  | { kind: "redo" }
  | { kind: "help" }
  | { kind: "escape" }
  | { kind: "play" }
  | { kind: "fullscreen" }
  | { kind: "marker" };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  /** Whether focus is in a text field (then plain keys belong to the field). */
  inTextField: boolean;
}

export function actionFor(e: KeyLike): Action | null {
  const mod = e.ctrlKey || e.metaKey;
  // Ctrl+1…9 open the first nine screens, Ctrl+0 the tenth.
  if (mod && !e.altKey && /^[0-9]$/.test(e.key)) return { kind: "screen", index: e.key === "0" ? 9 : Number(e.key) - 1 };
  // Text fields keep their own undo.
  if (mod && !e.inTextField && e.key.toLowerCase() === "z") return e.shiftKey ? { kind: "redo" } : { kind: "undo" };
  if (mod && !e.inTextField && e.key.toLowerCase() === "y") return { kind: "redo" };
  if (e.key === "Escape") return { kind: "escape" };
  if (!mod && !e.inTextField && e.key === "?") return { kind: "help" };
  // Space plays/stops, except in text fields (and on buttons, whose space is a click).
  if (!mod && !e.inTextField && e.key === " ") return { kind: "play" };
  // F toggles the Visual screen's full screen (screens that do not listen ignore it).
  if (!mod && !e.altKey && !e.inTextField && (e.key === "f" || e.key === "F")) return { kind: "fullscreen" };
  // M adds a marker at Ghost Studio's playhead.
  if (!mod && !e.altKey && !e.inTextField && (e.key === "m" || e.key === "M")) return { kind: "marker" };
  return null;
}
