// What a failed call says to the person, in the UI's language. The shell sends a stable code,
// named values (params) and the engine's English sentence; English readers get that sentence as
// it is (it is the most specific), other languages a sentence made from the code and the values,
// with the English one kept as the detail (the toast's tooltip).
import { formatUnix } from "./account";
import { isMessageKey as has, translate, type Lang, type MessageKey } from "./i18n";

/** The parts of a UiError this module reads. */
export interface ErrorDetail {
  code: string;
  message: string;
  params?: Partial<Record<string, string>> | null;
}

/** The message key for an error: `err.<code>.<kind>` when the finer reason has one, else `err.<code>`. */
export function errorKey(detail: ErrorDetail): MessageKey | null {
  const kind = detail.params?.kind;
  if (kind) {
    const finer = `err.${detail.code}.${kind}`;
    if (has(finer)) return finer;
  }
  const key = `err.${detail.code}`;
  return has(key) ? key : null;
}

/** A value shown inside a sentence: a field's name, a period, a reset time, in `lang`. */
function shownParam(name: string, value: string, lang: Lang): string {
  if (name === "field") {
    const key = `err.field.${value}`;
    return has(key) ? translate(lang, key) : value;
  }
  if (name === "period") {
    const key = `err.period.${value}`;
    return has(key) ? translate(lang, key) : value;
  }
  if (name === "resets_at") {
    const secs = Number(value);
    return Number.isFinite(secs) ? formatUnix(secs, lang) : value;
  }
  return value;
}

/**
 * The sentence to show for a failed call in `lang`. English: the studio's own sentence. Other
 * languages: the code's sentence with its values filled in, or a general one naming the code
 * when this UI has no sentence for it (never the English text).
 */
export function errorMessage(detail: ErrorDetail, lang: Lang): string {
  if (lang === "en" && detail.message) return detail.message;
  const key = errorKey(detail);
  if (!key) return translate(lang, "err.unknown").replace("{code}", detail.code);
  return translate(lang, key).replace(/\{([a-z_]+)\}/g, (whole, name: string) => {
    const value = detail.params?.[name];
    return value === undefined ? whole : shownParam(name, value, lang);
  });
}

/** The English detail worth keeping beside a translated sentence (none in English). */
export function errorDetail(detail: ErrorDetail, lang: Lang): string {
  return lang === "en" ? "" : detail.message;
}
