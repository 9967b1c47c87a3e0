// Lyric Studio's logic: line-by-line annotations for the editor's gutter (the checker skips tags
// and blank lines), the line under the cursor, and inserting section tags.
import type { LineCheck } from "./bindings";

export interface Annotation {
  syllables: number;
  rhyme: string;
  guessed: boolean;
}

/** A tag line such as `[Chorus]` or `[Coro]`. */
export function isTag(line: string): boolean {
  const t = line.trim();
  return t.startsWith("[") && t.endsWith("]");
}

/**
 * One entry per editor line: the checker's measurement for a lyric line, null for tags and blank
 * lines. The checker reports lyric lines in order, so they are matched in order.
 */
export function annotate(text: string, lines: Pick<LineCheck, "syllables" | "rhyme" | "guessed">[]): (Annotation | null)[] {
  let next = 0;
  return text.split("\n").map((raw) => {
    if (raw.trim() === "" || isTag(raw)) return null;
    const c = lines[next++];
    return c ? { syllables: c.syllables, rhyme: c.rhyme, guessed: !!c.guessed } : null;
  });
}

/** The index of the line holding character `pos`. */
export function lineAt(text: string, pos: number): number {
  return text.slice(0, Math.max(0, pos)).split("\n").length - 1;
}

/** `text` with line `index` replaced by `line`. */
export function replaceLine(text: string, index: number, line: string): string {
  const lines = text.split("\n");
  if (index < 0 || index >= lines.length) return text;
  lines[index] = line;
  return lines.join("\n");
}

/** `text` with `[tag]` on its own line before line `index` (a blank line before it, if needed). */
export function insertTag(text: string, index: number, tag: string): string {
  const lines = text === "" ? [] : text.split("\n");
  const at = Math.max(0, Math.min(index, lines.length));
  const before = at > 0 && lines[at - 1].trim() !== "" ? [""] : [];
  lines.splice(at, 0, ...before, `[${tag}]`);
  return lines.join("\n");
}

/** The other lyric lines, as context for rewriting line `index`. */
export function contextFor(text: string, index: number): string[] {
  return text
    .split("\n")
    .filter((l, i) => i !== index && l.trim() !== "" && !isTag(l))
    .map((l) => l.trim());
}
