// What a person can do about an error: the studio sends structured next steps (upgrade, claim
// from the pool, sign in, install a model, start Ollama) and each becomes a button. Steps the app
// can take itself open the screen that does it; the others copy the command to run.
import type { NextStep } from "./bindings";

/** What a next step's button does. */
export type NextAction = { screen: "account" | "pool" } | { copy: string };

/** The command line of a step, as the CLI prints it. */
export function commandOf(step: NextStep): string {
  switch (step.kind) {
    case "upgrade":
      return `son1k upgrade ${step.tier.toLowerCase()}`;
    case "claim-from-pool":
      return "son1k pool claim";
    case "install-model":
      return `son1k models install ${step.model}`;
    case "sign-in":
      return "son1k account login";
    case "start-ollama":
      return "ollama serve";
    case "pull-ollama-model":
      return `ollama pull ${step.model}`;
  }
}

/** The button's action: a screen of the app, or a command to copy. */
export function actionOf(step: NextStep): NextAction {
  switch (step.kind) {
    case "upgrade":
    case "sign-in":
      return { screen: "account" };
    case "claim-from-pool":
      return { screen: "pool" };
    default:
      return { copy: commandOf(step) };
  }
}
