import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { VOICE_PRESETS, voicePresetKey } from "../src/lib/account";
import { defaultFx, FX_KINDS, fxParamKey, fxParams } from "../src/lib/ghost";
import { translate } from "../src/lib/i18n";

const src = fileURLToPath(new URL("../src/", import.meta.url));

/**
 * The text a Svelte component shows as it is written: its text nodes and its static title,
 * placeholder, aria-label and alt attributes, outside `{…}` expressions (which is where
 * translated text comes from), script and style.
 */
function literalText(component: string): string[] {
  const markup = component.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<style[\s\S]*?<\/style>/g, "");
  const found: string[] = [];
  let text = "";
  const flush = () => {
    if (text.trim()) found.push(text.trim());
    text = "";
  };
  let i = 0;
  // Skips a `{…}` expression starting at `i`, nested braces and quoted strings included.
  const skipExpression = () => {
    let depth = 0;
    let quote: string | null = null;
    for (; i < markup.length; i++) {
      const c = markup[i];
      if (quote) {
        if (c === "\\") i++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'" || c === "`") quote = c;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) return;
    }
  };
  while (i < markup.length) {
    const c = markup[i];
    if (c === "{") {
      flush();
      skipExpression();
      i++;
    } else if (c === "<") {
      flush();
      const start = i;
      for (; i < markup.length && markup[i] !== ">"; i++) {
        if (markup[i] === "{") skipExpression();
        else if (markup[i] === '"') i = markup.indexOf('"', i + 1);
      }
      const tag = markup.slice(start, i + 1);
      for (const m of tag.matchAll(/\b(?:title|placeholder|aria-label|alt)="([^"]*)"/g)) found.push(m[1]);
      i++;
    } else {
      text += c;
      i++;
    }
  }
  flush();
  return found.filter((s) => /[A-Za-z]{2,}/.test(s) && !s.startsWith("<!--"));
}

/** Written as they are in every language: names, units, key combinations, examples. */
const SAME_IN_EVERY_LANGUAGE = new Set(["ms", "dB", "Hz", "BPM", "LUFS", "Son1k", "Studio", "Son1k Studio", "English", "Español", "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl/⌘ 0–9", "Ctrl/⌘ Z", "Ctrl/⌘ Shift Z", "F# minor / La menor", "/home/…/voice.wav"]);

function components(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? components(join(dir, e.name)) : e.name.endsWith(".svelte") ? [join(dir, e.name)] : [],
  );
}

describe("what the screens show comes from the language tables", () => {
  it("finds literal text in markup (the check below can see it)", () => {
    expect(literalText('<label>Seed <input value={x} /></label><p title="peak">{t("a")}</p>')).toEqual(["Seed", "peak"]);
    expect(literalText('<button onclick={() => { go(">"); }}>{t("x")}</button>')).toEqual([]);
  });

  it("has no English written into Ghost Studio, the Generator, Voice or any other screen", () => {
    const found: string[] = [];
    for (const file of [...components(join(src, "screens")), ...components(join(src, "components")), join(src, "App.svelte")]) {
      for (const text of literalText(readFileSync(file, "utf8"))) {
        if (!SAME_IN_EVERY_LANGUAGE.has(text)) found.push(`${file.slice(src.length)}: ${text}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("names every effect parameter and voice preset in both languages", () => {
    for (const kind of FX_KINDS) {
      for (const p of fxParams(defaultFx(kind))) {
        const key = fxParamKey(p.key);
        expect(key, `${kind}.${p.key}`).toBeDefined();
        if (key) for (const lang of ["en", "es"] as const) expect(translate(lang, key).trim()).not.toBe("");
      }
    }
    expect(fxParamKey("not-a-param")).toBeUndefined();
    expect(translate("es", "fx.param.threshold_db")).toBe("Umbral (dB)");
    for (const p of VOICE_PRESETS) {
      expect(translate("en", voicePresetKey(p)).trim()).not.toBe("");
      expect(translate("es", voicePresetKey(p)).trim()).not.toBe("");
    }
    expect(translate("es", voicePresetKey("whisper"))).toBe("Susurro");
  });
});
