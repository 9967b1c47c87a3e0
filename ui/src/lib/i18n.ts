// One table for every string the UI shows, in English and Spanish.
// Tests check that both languages have exactly the same keys and no empty text.

export type Lang = "en" | "es";

import { en, type MessageKey } from "./i18n/en";
import { es } from "./i18n/es";

export type { MessageKey };

export const messages: Record<Lang, Record<MessageKey, string>> = { en, es };

/** Looks up `key` in `lang`, falling back to English (never to the raw key). */
export function translate(lang: Lang, key: MessageKey): string {
  return messages[lang][key] ?? messages.en[key];
}

/** Reads a saved language, or the system's when it is Spanish, else English. */
export function initialLang(saved: string | null, navigatorLang: string | undefined): Lang {
  if (saved === "en" || saved === "es") return saved;
  return navigatorLang?.toLowerCase().startsWith("es") ? "es" : "en";
}
