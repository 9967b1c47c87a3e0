import { describe, expect, it } from "vitest";
import { actionOf, commandOf } from "../src/lib/next";

describe("next steps", () => {
  it("are the CLI's commands, so the desktop and the terminal say the same thing", () => {
    expect(commandOf({ kind: "upgrade", tier: "CREATOR" })).toBe("son1k upgrade creator");
    expect(commandOf({ kind: "claim-from-pool" })).toBe("son1k pool claim");
    expect(commandOf({ kind: "install-model", model: "wavlm-large" })).toBe("son1k models install wavlm-large");
    expect(commandOf({ kind: "sign-in" })).toBe("son1k account login");
    expect(commandOf({ kind: "start-ollama" })).toBe("ollama serve");
    expect(commandOf({ kind: "pull-ollama-model", model: "qwen2.5" })).toBe("ollama pull qwen2.5");
  });

  it("open the screen that does them, or copy what only a terminal can run", () => {
    expect(actionOf({ kind: "upgrade", tier: "PRO" })).toEqual({ screen: "account" });
    expect(actionOf({ kind: "sign-in" })).toEqual({ screen: "account" });
    expect(actionOf({ kind: "claim-from-pool" })).toEqual({ screen: "pool" });
    expect(actionOf({ kind: "install-model", model: "wavlm-large" })).toEqual({ copy: "son1k models install wavlm-large" });
    expect(actionOf({ kind: "start-ollama" })).toEqual({ copy: "ollama serve" });
  });
});
