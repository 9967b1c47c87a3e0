// One table for every string the UI shows, in English and Spanish.
// Tests check that both languages have exactly the same keys and no empty text.

export type Lang = "en" | "es";

import { en, enMusic, type MessageKey } from "./i18n/en";
import { es, esMusic } from "./i18n/es";
import { GENRE_IDS, INSTRUMENT_IDS, STEM_IDS, type GenreId, type InstrumentId, type Letter, type MusicNames } from "./i18n/music";

export type { MessageKey, MusicNames };
export { GENRE_IDS, INSTRUMENT_IDS, STEM_IDS };

export const messages: Record<Lang, Record<MessageKey, string>> = { en, es };
/** The musical names the engines return, per language. */
export const music: Record<Lang, MusicNames> = { en: enMusic, es: esMusic };

/** Looks up `key` in `lang`, falling back to English (never to the raw key). */
export function translate(lang: Lang, key: MessageKey): string {
  return messages[lang][key] ?? messages.en[key];
}

/** Reads a saved language, or the system's when it is Spanish, else English. */
export function initialLang(saved: string | null, navigatorLang: string | undefined): Lang {
  if (saved === "en" || saved === "es") return saved;
  return navigatorLang?.toLowerCase().startsWith("es") ? "es" : "en";
}

// ---- Musical names: the engines write them in English; the UI shows them in its language ----

// A tonic letter, an optional sharp or flat, a space and the mode: "D minor", "F# major", "Bb minor".
const KEY_NAME = /^([A-Ga-g])([#♯b♭]?)\s+(major|minor)$/i;

/**
 * A key the engines name in English ("F# minor") in `lang`: "Fa# menor", "Si♭ mayor" in
 * Spanish, unchanged in English. Anything else is shown as it came.
 */
export function keyName(raw: string | null | undefined, lang: Lang): string {
  const text = (raw ?? "").trim();
  const m = KEY_NAME.exec(text);
  if (!m) return shown(raw);
  const names = music[lang];
  const letter = m[1].toUpperCase() as Letter;
  const accidental = m[2] === "#" || m[2] === "♯" ? names.sharp : m[2] ? names.flat : "";
  const mode = m[3].toLowerCase() === "major" ? names.major : names.minor;
  return `${names.notes[letter]}${accidental} ${mode}`;
}

const GENRES = new Map<string, GenreId>();
for (const id of GENRE_IDS) {
  GENRES.set(id, id);
  GENRES.set(enMusic.genres[id].toLowerCase(), id);
}

/** A genre the engines name by id ("hip-hop") or English name, in `lang`; else as it came. */
export function genreName(raw: string | null | undefined, lang: Lang): string {
  const id = GENRES.get((raw ?? "").trim().toLowerCase());
  return id ? music[lang].genres[id] : shown(raw);
}

const INSTRUMENTS = new Set<string>([...INSTRUMENT_IDS, ...STEM_IDS]);

/** An instrument or stem the engines name in English ("drums", "electric piano"), in `lang`; else as it came. */
export function instrumentName(raw: string | null | undefined, lang: Lang): string {
  const id = (raw ?? "").trim().toLowerCase();
  return INSTRUMENTS.has(id) ? music[lang].instruments[id as InstrumentId] : shown(raw);
}

/** Text that came from an engine, as it came, or "—" when there is none (never blank). */
function shown(raw: string | null | undefined): string {
  return raw && raw.trim() ? raw : "—";
}

// ---- Progress stages: the engines name them in English; the UI shows them in its language ----

/** Each stage an engine reports (son1k_core::Progress's `stage`), with its message. */
export const STAGE_KEYS: Record<string, MessageKey> = {
  queued: "stage.queued",
  composing: "stage.composing",
  rendering: "stage.renderingFrames",
  mixing: "stage.mixing",
  mastering: "stage.mastering",
  "writing files": "stage.writingFiles",
  done: "stage.done",
  "analysing the demo": "stage.analysingDemo",
  "aligning the backing": "stage.aligningBacking",
  listening: "stage.listening",
  cover: "stage.cover",
  loading: "vox.stage.loading",
  encode: "vox.stage.encode",
  match: "vox.stage.match",
  vocode: "vox.stage.vocode",
  writing: "vox.stage.writing",
};

/**
 * A progress stage in `lang`: "rendering drums" becomes "sintetizando: batería" in Spanish.
 * An unknown stage is shown as it came (an engine newer than its table), an empty one as "".
 */
export function stageName(raw: string | null | undefined, lang: Lang): string {
  const stage = (raw ?? "").trim();
  if (!stage) return "";
  const part = /^rendering (.+)$/.exec(stage);
  if (part) return translate(lang, "stage.rendering").replace("{part}", instrumentName(part[1], lang));
  const key = STAGE_KEYS[stage];
  return key ? translate(lang, key) : stage;
}

/** Whether the tables have a text for `key` (keys made from what an engine sent). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** The text of `key` in `lang` when the tables have it, else `fallback` (what an engine sent). */
export function textOr(lang: Lang, key: string, fallback: string): string {
  return isMessageKey(key) ? translate(lang, key) : fallback;
}

/** A job's kind (`generate`, `voice-convert`, …) named in `lang`; an unknown kind as it came. */
export function jobKindName(kind: string, lang: Lang): string {
  return textOr(lang, `job.kind.${kind}`, kind);
}
