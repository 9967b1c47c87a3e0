// Account, Pool and Voice screen logic kept out of the components so it can be tested: usage bars,
// lease dates, upgrade choices with prices, the checkout-success link, voice file URLs and the
// transform controls.
import type { Tier, TierLimits } from "./bindings";
import { keyName, textOr } from "./i18n";

const ORDER: Tier[] = ["FREE", "CREATOR", "PRO", "STUDIO"];

/** Share of the period's generations used, 0–1 (a full bar when the limit is 0). */
export function usageFraction(used: number, limit: number): number {
  if (limit <= 0) return 1;
  return Math.min(1, Math.max(0, used / limit));
}

/** A Unix time as a local date and time in the UI's language. */
export function formatUnix(unix: number, lang: "en" | "es"): string {
  return new Date(unix * 1000).toLocaleString(lang === "es" ? "es-ES" : "en-US", {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

/** "$9.99" from cents. */
export function price(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}

/** The paid tiers above `current`, cheapest first, from the tier table. */
export function upgradesFrom(current: Tier, table: TierLimits[]): TierLimits[] {
  const at = ORDER.indexOf(current);
  return table
    .filter((row) => ORDER.indexOf(row.tier) > at && row.price_cents > 0)
    .sort((a, b) => ORDER.indexOf(a.tier) - ORDER.indexOf(b.tier));
}

/** Whether one of the links is Stripe's return to the app (`son1k://checkout/success`). */
export function isCheckoutSuccess(urls: string[]): boolean {
  return urls.some((u) => /^son1k:\/\/checkout\/success(?:[/?#]|$)/i.test(u.trim()));
}

/** Whether an e-mail and password are worth sending (the server checks the rest). */
export function credentialsReady(email: string, password: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) && password.length >= 8;
}

/** The URL the webview reads a voice-folder file from (the shell's son1k-voice:// scheme). */
export function voiceUrl(file: string, windows = isWindows()): string {
  const name = encodeURIComponent(file);
  return windows ? `http://son1k-voice.localhost/${name}` : `son1k-voice://localhost/${name}`;
}

function isWindows(): boolean {
  return typeof navigator !== "undefined" && /Windows/i.test(navigator.userAgent);
}

export const VOICE_PRESETS = ["deeper", "brighter", "whisper", "robot", "choir-double"] as const;
export type VoicePreset = (typeof VOICE_PRESETS)[number];

/** The i18n key naming a voice preset. */
export function voicePresetKey(p: VoicePreset): `vox.preset.${VoicePreset}` {
  return `vox.preset.${p}`;
}

/** Transform controls clamped to the engine's ranges (semitones ±24, formant ±12, stretch 0.25–4). */
/** Pitch correction on the Voice screen: the key's English name ("A minor"), strength 0–100 %,
 * retune speed in ms. */
export type Correction = { key: string; strength: number; retuneMs: number };

export function transformParams(
  semitones: number,
  formant: number,
  stretch: number,
  preset: VoicePreset | "",
  correction: Correction | null = null,
) {
  const clamp = (v: number, lo: number, hi: number, dflt: number) => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : dflt);
  const params = {
    semitones: clamp(semitones, -24, 24, 0),
    formant: clamp(formant, -12, 12, 0),
    stretch: clamp(stretch, 0.25, 4, 1),
    preset: preset === "" ? null : preset,
  };
  if (!correction || !correction.key) return params;
  return {
    ...params,
    key: correction.key,
    correct: clamp(correction.strength, 0, 100, 100) / 100,
    retune_ms: clamp(correction.retuneMs, 0, 1000, 50),
  };
}

const TONICS_MAJOR = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
const TONICS_MINOR = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"];

/** The 24 keys pitch correction can pull to: `value` is what the app parses, `label` per language. */
export function correctionKeys(lang: "es" | "en"): { value: string; label: string }[] {
  const keys: { value: string; label: string }[] = [];
  for (let i = 0; i < 12; i++) {
    for (const value of [`${TONICS_MAJOR[i]} major`, `${TONICS_MINOR[i]} minor`]) {
      keys.push({ value, label: keyName(value, lang) });
    }
  }
  return keys;
}

/** The stages a voice conversion reports (`son1k_app::Studio::convert_voice`). */
export const VOICE_STAGES = ["queued", "loading", "encode", "match", "vocode", "writing"] as const;
export type VoiceStage = (typeof VOICE_STAGES)[number];

/** The i18n key naming a conversion's stage, or null for a stage this UI does not know. */
export function voiceStageKey(stage: string): `vox.stage.${VoiceStage}` | null {
  return (VOICE_STAGES as readonly string[]).includes(stage) ? (`vox.stage.${stage}` as `vox.stage.${VoiceStage}`) : null;
}

/** A profile name the engine accepts: 1–64 letters, digits, '-' or '_', not starting with '-'. */
export function validProfileName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/.test(name);
}

/** Whether a command failed because the Son1k API cannot be reached (the shell's `offline` code). */
export function isOffline(e: unknown): boolean {
  const detail = (e as { detail?: { code?: string } } | null)?.detail;
  return detail?.code === "offline";
}

/** The parts of the account status a notice is made from. */
export interface NoticeSource {
  message?: string | null;
  message_kind?: string | null;
  tier: Tier;
  api_url: string;
  lease?: { grace_until: number } | null;
}

/**
 * What the Account screen says about the device's standing in `lang`: the studio's English
 * sentence in English; in Spanish the sentence of its kind with the values filled in (the English
 * one for a kind this UI does not know yet, rather than nothing). Null when there is nothing to say.
 */
export function accountNotice(s: NoticeSource, lang: "en" | "es"): string | null {
  if (!s.message) return null;
  if (lang === "en" || !s.message_kind) return s.message;
  const text = textOr(lang, `acct.notice.${s.message_kind}`, "");
  if (!text) return s.message;
  return text
    .replace("{url}", s.api_url || "?")
    .replace("{tier}", s.tier)
    .replace("{until}", s.lease ? formatUnix(s.lease.grace_until, lang) : "—");
}
