import { describe, expect, it } from "vitest";
import {
  accountNotice,
  credentialsReady,
  isCheckoutSuccess,
  isOffline,
  price,
  transformParams,
  correctionKeys,
  upgradesFrom,
  usageFraction,
  validProfileName,
  voiceStageKey,
  voiceUrl,
  VOICE_STAGES,
} from "../src/lib/account";
import { messages } from "../src/lib/i18n";
import type { TierLimits } from "../src/lib/bindings";

const TABLE = [
  { tier: "FREE", price_cents: 0, generations: 3, period: "day", max_quality: "MP3_128", storage_gb: 0 },
  { tier: "STUDIO", price_cents: 9999, generations: 1000, period: "month", max_quality: "WAV_32", storage_gb: null },
  { tier: "CREATOR", price_cents: 999, generations: 50, period: "month", max_quality: "MP3_320", storage_gb: 5 },
  { tier: "PRO", price_cents: 2999, generations: 200, period: "month", max_quality: "WAV_24", storage_gb: 50 },
] as unknown as TierLimits[];

describe("account screen logic", () => {
  it("fills the usage bar by the share used, full at or past the limit", () => {
    expect(usageFraction(0, 3)).toBe(0);
    expect(usageFraction(2, 3)).toBeCloseTo(2 / 3);
    expect(usageFraction(3, 3)).toBe(1);
    expect(usageFraction(5, 3)).toBe(1);
    expect(usageFraction(0, 0)).toBe(1);
  });

  it("offers only the paid tiers above the current one, cheapest first, with prices", () => {
    expect(upgradesFrom("FREE", TABLE).map((r) => r.tier)).toEqual(["CREATOR", "PRO", "STUDIO"]);
    expect(upgradesFrom("PRO", TABLE).map((r) => r.tier)).toEqual(["STUDIO"]);
    expect(upgradesFrom("STUDIO", TABLE)).toEqual([]);
    expect(price(999)).toBe("$9.99");
  });

  it("recognizes Stripe's return link and nothing else", () => {
    expect(isCheckoutSuccess(["son1k://checkout/success"])).toBe(true);
    expect(isCheckoutSuccess(["son1k://checkout/success?session_id=cs_1"])).toBe(true);
    expect(isCheckoutSuccess(["son1k://checkout/cancel"])).toBe(false);
    expect(isCheckoutSuccess(["son1k://checkout/successful"])).toBe(false);
    expect(isCheckoutSuccess([])).toBe(false);
  });

  it("sends credentials only when they look usable", () => {
    expect(credentialsReady("ana@example.com", "12345678")).toBe(true);
    expect(credentialsReady("ana@example", "12345678")).toBe(false);
    expect(credentialsReady("ana@example.com", "short")).toBe(false);
  });

  it("tells the offline code apart from other errors", () => {
    expect(isOffline({ detail: { code: "offline", message: "x" } })).toBe(true);
    expect(isOffline({ detail: { code: "account", message: "x" } })).toBe(false);
    expect(isOffline(new Error("x"))).toBe(false);
    expect(isOffline(null)).toBe(false);
  });
});

describe("voice screen logic", () => {
  it("clamps the transform controls to the engine's ranges", () => {
    expect(transformParams(12, 0, 1, "")).toEqual({ semitones: 12, formant: 0, stretch: 1, preset: null });
    expect(transformParams(40, -20, 9, "robot")).toEqual({ semitones: 24, formant: -12, stretch: 4, preset: "robot" });
    expect(transformParams(NaN, NaN, NaN, "")).toEqual({ semitones: 0, formant: 0, stretch: 1, preset: null });
    // Pitch correction: strength in percent becomes 0–1, out-of-range values are clamped, no key = off.
    expect(transformParams(0, 0, 1, "", { key: "A minor", strength: 80, retuneMs: 20 })).toEqual({
      semitones: 0, formant: 0, stretch: 1, preset: null, key: "A minor", correct: 0.8, retune_ms: 20,
    });
    expect(transformParams(0, 0, 1, "", { key: "C major", strength: 250, retuneMs: -5 })).toMatchObject({ correct: 1, retune_ms: 0 });
    expect(transformParams(0, 0, 1, "", { key: "", strength: 80, retuneMs: 20 })).not.toHaveProperty("key");
  });

  it("accepts the profile names the engine accepts", () => {
    expect(validProfileName("ana_2")).toBe(true);
    expect(validProfileName("-ana")).toBe(false);
    expect(validProfileName("ana maria")).toBe(false);
    expect(validProfileName("")).toBe(false);
    expect(validProfileName("a".repeat(65))).toBe(false);
  });

  it("reads voice files through the son1k-voice scheme", () => {
    expect(voiceUrl("take 1.wav", false)).toBe("son1k-voice://localhost/take%201.wav");
    expect(voiceUrl("a.wav", true)).toBe("http://son1k-voice.localhost/a.wav");
  });

  it("names every conversion stage in both languages, and no unknown one", () => {
    for (const stage of VOICE_STAGES) {
      const key = voiceStageKey(stage);
      expect(key).toBe(`vox.stage.${stage}`);
      expect(messages.en[key!]).toBeTruthy();
      expect(messages.es[key!]).toBeTruthy();
      expect(messages.es[key!]).not.toBe(messages.en[key!]);
    }
    expect(voiceStageKey("rendering drums")).toBeNull();
    expect(voiceStageKey("")).toBeNull();
  });
});

describe("correctionKeys", () => {
  it("lists the 24 major and minor keys with Spanish names in Spanish", () => {
    const en = correctionKeys("en");
    expect(en).toHaveLength(24);
    expect(new Set(en.map((k) => k.value)).size).toBe(24);
    expect(en).toContainEqual({ value: "A minor", label: "A minor" });
    expect(correctionKeys("es")).toContainEqual({ value: "A minor", label: "La menor" });
    expect(correctionKeys("es")).toContainEqual({ value: "Bb major", label: "Si♭ mayor" });
    expect(correctionKeys("es")).toContainEqual({ value: "F# minor", label: "Fa# menor" });
  });
});

describe("the Account screen's notice", () => {
  const offline = {
    message: "offline: the Son1k API at http://127.0.0.1:9 cannot be reached; FREE applies (set SON1K_API_URL to use another server)",
    message_kind: "offline-free",
    tier: "FREE" as const,
    api_url: "http://127.0.0.1:9",
    lease: null,
  };

  it("is the studio's sentence in English and its kind's sentence in Spanish", () => {
    expect(accountNotice(offline, "en")).toBe(offline.message);
    expect(accountNotice(offline, "es")).toBe("Sin conexión: no se puede contactar con el servidor de Son1k en http://127.0.0.1:9; se aplica FREE.");
    const grace = { ...offline, message: "the entitlement lease expired; PRO stays…", message_kind: "lease-grace", tier: "PRO" as const, lease: { grace_until: 1_800_000_000 } };
    const es = accountNotice(grace, "es") ?? "";
    expect(es).toMatch(/^La licencia del plan caducó; PRO sigue vigente sin conexión hasta el .*2027/);
  });

  it("keeps the studio's sentence for a kind it does not know, and says nothing when there is nothing", () => {
    expect(accountNotice({ ...offline, message_kind: "brand-new" }, "es")).toBe(offline.message);
    expect(accountNotice({ ...offline, message: null }, "es")).toBeNull();
  });
});
