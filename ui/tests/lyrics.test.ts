import { describe, expect, it } from "vitest";
import { annotate, contextFor, insertTag, isTag, lineAt, replaceLine } from "../src/lib/lyrics";

describe("lyric studio", () => {
  it("puts each measurement beside its line, skipping tags and blank lines", () => {
    const text = "[Verso]\nEn un lugar de la Mancha\n\nde cuyo nombre no quiero\n[Coro]\nacordarme";
    const checks = [
      { syllables: 8, rhyme: "A", guessed: false },
      { syllables: 8, rhyme: "-", guessed: false },
      { syllables: 4, rhyme: "-", guessed: false },
    ];
    const a = annotate(text, checks);
    expect(a).toHaveLength(6);
    expect(a[0]).toBeNull();
    expect(a[1]).toEqual({ syllables: 8, rhyme: "A", guessed: false });
    expect(a[2]).toBeNull();
    expect(a[3]?.syllables).toBe(8);
    expect(a[4]).toBeNull();
    expect(a[5]?.syllables).toBe(4);
    // Fewer measurements than lines (a check still on its way) leaves the rest blank.
    expect(annotate("a\nb", [checks[0]])[1]).toBeNull();
  });

  it("finds, replaces and tags lines", () => {
    const text = "uno\ndos\ntres";
    expect(lineAt(text, 0)).toBe(0);
    expect(lineAt(text, 5)).toBe(1);
    expect(lineAt(text, text.length)).toBe(2);
    expect(replaceLine(text, 1, "DOS")).toBe("uno\nDOS\ntres");
    expect(replaceLine(text, 9, "x")).toBe(text);
    expect(insertTag(text, 0, "Verse")).toBe("[Verse]\nuno\ndos\ntres");
    expect(insertTag(text, 2, "Chorus")).toBe("uno\ndos\n\n[Chorus]\ntres");
    expect(insertTag("", 0, "Verse")).toBe("[Verse]");
    expect(isTag(" [Coro] ")).toBe(true);
    expect(contextFor("[Verse]\nuno\n\ndos\ntres", 3)).toEqual(["uno", "tres"]);
  });
});
