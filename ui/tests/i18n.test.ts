import { describe, expect, it } from "vitest";
import { initialLang, messages, translate } from "../src/lib/i18n";

describe("i18n table", () => {
  it("has the same keys in Spanish and English, none empty", () => {
    const en = Object.keys(messages.en).sort();
    const es = Object.keys(messages.es).sort();
    expect(es).toEqual(en);
    for (const lang of ["en", "es"] as const) {
      for (const [key, text] of Object.entries(messages[lang])) {
        expect(text.trim(), `${lang}:${key}`).not.toBe("");
      }
    }
  });

  it("actually translates the screens", () => {
    expect(translate("es", "nav.generator")).toBe("Generador");
    expect(translate("en", "nav.generator")).toBe("Generator");
    // The voice consent checkbox says the same thing in both languages.
    expect(translate("es", "vox.consent")).toMatch(/derecho a usar esta voz/);
    expect(translate("en", "vox.consent")).toBe("I have the right to use this voice");
  });

  it("picks a saved language, else Spanish for a Spanish system, else English", () => {
    expect(initialLang("es", "en-US")).toBe("es");
    expect(initialLang(null, "es-MX")).toBe("es");
    expect(initialLang(null, "de-DE")).toBe("en");
    expect(initialLang("fr", undefined)).toBe("en");
  });
});
