// App-wide UI state: language, current screen, toasts.
import { initialLang, translate, type Lang, type MessageKey } from "./i18n";
import { StudioError } from "./api";
import { errorDetail, errorMessage } from "./errors";
import type { NextStep } from "./bindings";

export const SCREENS = [
  "dashboard",
  "ghost",
  "generator",
  "lyrics",
  "voice",
  "release",
  "visual",
  "pool",
  "account",
  "settings",
] as const;
export type Screen = (typeof SCREENS)[number];

function savedLang(): string | null {
  try {
    return localStorage.getItem("son1k.lang");
  } catch {
    return null;
  }
}

/** The system's language: the shell's reading of the locale when it has one, else the webview's. */
function systemLang(): string | undefined {
  const shell = (globalThis as { __SON1K_SYSTEM_LANG?: unknown }).__SON1K_SYSTEM_LANG;
  if (typeof shell === "string" && shell) return shell;
  return typeof navigator === "undefined" ? undefined : navigator.language;
}

export const ui = $state({
  lang: initialLang(savedLang(), systemLang()) as Lang,
  screen: "dashboard" as Screen,
  showHelp: false,
  /** The file the Generator handed to Ghost Studio ("Open in Ghost Studio"). */
  ghostFile: null as string | null,
  /** A project folder to open in Ghost Studio (e.g. from the Dashboard). */
  ghostProject: null as string | null,
  /** Lyrics the Lyric Studio sent to the Generator, waiting to fill its lyrics field. */
  generatorLyrics: null as string | null,
  /** Stripe sent the person back (`son1k://checkout/success`): the Account screen refreshes the lease. */
  checkoutReturned: false,
  toasts: [] as { id: number; text: string; kind: "info" | "error"; next: NextStep[]; detail: string }[],
});

/**
 * Where each screen was scrolled to when it was left (pixels from the top of the page), so
 * coming back lands where the person was; App.svelte records and restores it.
 */
export const scrollOf: Partial<Record<Screen, number>> = {};

/** Shows `screen` from its top next time (e.g. when something new was opened there). */
export function openAtTop(screen: Screen) {
  scrollOf[screen] = 0;
}

/**
 * Sets `el.scrollTop` to `target` once the page is tall enough (screens load their content after
 * they appear), trying for up to `frames` animation frames; `done` runs when it is there or
 * the tries are spent.
 */
export function restoreScroll(el: HTMLElement, target: number, done: () => void, frames = 60) {
  const step = (left: number) => {
    el.scrollTop = target;
    if (Math.abs(el.scrollTop - target) < 2 || left <= 0) done();
    else requestAnimationFrame(() => step(left - 1));
  };
  step(frames);
}

export function setLang(lang: Lang) {
  ui.lang = lang;
  try {
    localStorage.setItem("son1k.lang", lang);
  } catch {
    /* private mode: the choice lasts for this session */
  }
  document.documentElement.lang = lang;
}

export function t(key: MessageKey): string {
  return translate(ui.lang, key);
}

let nextToast = 1;
/** Shows a message; `next` are the steps the error offers (a button each, see Toasts.svelte). */
export function toast(text: string, kind: "info" | "error" = "info", next: NextStep[] = [], detail = "") {
  const id = nextToast++;
  ui.toasts.push({ id, text, kind, next, detail });
  setTimeout(() => dismiss(id), kind === "error" ? (next.length ? 15000 : 8000) : 3000);
}

/** What a failed call says to the person: the studio's message, or that the page is not the app. */
export function errorText(e: unknown): string {
  if (e instanceof StudioError) {
    return e.detail.code === "no-desktop" ? t("common.desktopOnly") : errorMessage(e.detail, ui.lang);
  }
  return e instanceof Error ? e.message : String(e);
}

/** Shows a failed call as an error toast, with a button for each next step the studio offers;
 * in another language than English the studio's English sentence is the toast's tooltip. */
export function toastError(e: unknown, prefix = "") {
  const next = e instanceof StudioError ? (e.detail.next ?? []) : [];
  const detail = e instanceof StudioError && e.detail.code !== "no-desktop" ? errorDetail(e.detail, ui.lang) : "";
  toast(prefix ? `${prefix}: ${errorText(e)}` : errorText(e), "error", next, detail);
}

export function dismiss(id: number) {
  const i = ui.toasts.findIndex((x) => x.id === id);
  if (i >= 0) ui.toasts.splice(i, 1);
}
