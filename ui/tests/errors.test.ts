import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { rustFiles } from "./rust-sources";
import { errorDetail, errorKey, errorMessage } from "../src/lib/errors";
import { messages } from "../src/lib/i18n";

const repo = fileURLToPath(new URL("../..", import.meta.url));


/** The codes the desktop can receive: AppError::code's and LyricsError::code's arms, the shell's UiError::new. */
function shellCodes(): Set<string> {
  const codes = new Set<string>();
  const body = (file: string) => {
    const text = readFileSync(join(repo, file), "utf8");
    const start = text.indexOf("pub fn code(&self)");
    expect(start, file).toBeGreaterThan(0);
    return text.slice(start, text.indexOf("\n    }\n", start));
  };
  for (const file of ["crates/son1k-app/src/error.rs", "crates/son1k-lyrics/src/error.rs"]) {
    for (const m of body(file).matchAll(/=> "([a-z-]+)"/g)) codes.add(m[1]);
  }
  for (const file of rustFiles(join(repo, "src-tauri/src"))) {
    for (const m of readFileSync(file, "utf8").matchAll(/UiError::new\("([a-z-]+)"/g)) codes.add(m[1]);
  }
  return codes;
}

describe("errors in the UI's language", () => {
  it("every code the studio sends has a sentence in both languages", () => {
    const codes = shellCodes();
    for (const c of ["invalid-input", "bad-audio", "quota-reached", "ollama-unreachable", "idle", "model-missing"]) {
      expect(codes, c).toContain(c);
    }
    for (const code of codes) {
      const detail = { code, message: "the English sentence", params: {} };
      expect(errorKey(detail), `err.${code}`).not.toBeNull();
      expect(errorMessage(detail, "es")).not.toContain("English");
      expect(messages.es[`err.${code}` as keyof typeof messages.es]).not.toBe(messages.en[`err.${code}` as keyof typeof messages.en]);
    }
  });

  it("English keeps the studio's own sentence; Spanish says it from the code and values", () => {
    const detail = {
      code: "bad-audio",
      message: "/tmp/x.wav: corrupt audio data: bad frame",
      params: { path: "/tmp/x.wav", kind: "corrupt" },
    };
    expect(errorMessage(detail, "en")).toBe(detail.message);
    expect(errorMessage(detail, "es")).toBe("/tmp/x.wav contiene audio dañado.");
    expect(errorDetail(detail, "es")).toBe(detail.message);
    expect(errorDetail(detail, "en")).toBe("");
  });

  it("picks the finer reason when there is a sentence for it, else the code's", () => {
    expect(errorMessage({ code: "account", message: "invalid email or password", params: { kind: "invalid_credentials" } }, "es")).toBe(
      "Correo o contraseña incorrectos.",
    );
    expect(errorMessage({ code: "account", message: "x", params: { kind: "something_new" } }, "es")).toBe(
      "El servidor de cuentas rechazó la petición.",
    );
  });

  it("names the field and the period in Spanish and dates the reset", () => {
    expect(errorMessage({ code: "invalid-input", message: "invalid bpm 300: BPM must be 40–240", params: { field: "bpm", value: "300" } }, "es")).toBe(
      "Valor no admitido en el tempo (BPM): 300.",
    );
    const quota = errorMessage(
      { code: "quota-reached", message: "x", params: { tier: "FREE", limit: "3", period: "day", resets_at: String(Date.UTC(2026, 11, 5) / 1000) } },
      "es",
    );
    expect(quota).toMatch(/^FREE permite 3 generaciones por día \(UTC\) y ya están usadas; el contador vuelve a empezar el .*2026/);
    expect(quota).not.toMatch(/\{|\}/);
  });

  it("tells a silent input from a missing device", () => {
    const silent = { code: "audio-device", message: "the input sent no audio within 5 s of opening", params: { kind: "no-audio" } };
    expect(errorMessage(silent, "es")).toMatch(/^La entrada no envió audio/);
    expect(errorMessage({ code: "audio-device", message: "no audio input device found", params: {} }, "es")).toMatch(/^No hay un dispositivo de audio/);
  });

  it("an unknown code is said in Spanish with the code, never in the English sentence", () => {
    const m = errorMessage({ code: "brand-new", message: "an English sentence", params: {} }, "es");
    expect(m).toBe("Algo salió mal (brand-new).");
    expect(errorMessage({ code: "brand-new", message: "an English sentence" }, "en")).toBe("an English sentence");
  });

  it("a value the error did not send leaves its place visible instead of inventing one", () => {
    expect(errorMessage({ code: "io", message: "x", params: {} }, "es")).toBe("No se pudo leer o escribir {path}.");
  });
});
