// The desktop end-to-end harness: a private Xvfb display, tauri-driver + WebKitWebDriver, and a
// small W3C WebDriver client; plus waiting and test-audio helpers the desktop tests share.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const app = join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug", "son1k-studio");
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export async function waitFor(what, fn, timeoutMs = 30000, everyMs = 200) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
}


/** A 16-bit stereo WAV: a kick on every beat at `bpm` over an A minor chord (A2 A3 C4 E4). */
export function demoWav(path, { bpm = 120, seconds = 10, rate = 44100 } = {}) {
  const frames = Math.floor(seconds * rate);
  const buf = Buffer.alloc(44 + frames * 4);
  buf.write("RIFF", 0);
  buf.writeUInt32LE(36 + frames * 4, 4);
  buf.write("WAVEfmt ", 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(2, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 4, 28);
  buf.writeUInt16LE(4, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36);
  buf.writeUInt32LE(frames * 4, 40);
  const beat = 60 / bpm;
  for (let i = 0; i < frames; i++) {
    const t = i / rate;
    const sinceBeat = t % beat;
    const kick = Math.sin(2 * Math.PI * (50 + 80 * Math.exp(-sinceBeat * 30)) * sinceBeat) * Math.exp(-sinceBeat * 12) * 0.6;
    const chord = [110, 220, 261.63, 329.63].reduce((a, f) => a + Math.sin(2 * Math.PI * f * t), 0) * 0.06;
    const s = Math.max(-1, Math.min(1, kick + chord));
    const v = Math.round(s * 32767);
    buf.writeInt16LE(v, 44 + i * 4);
    buf.writeInt16LE(v, 46 + i * 4);
  }
  writeFileSync(path, buf);
}

export class WebDriver {
  constructor(base) {
    this.base = base;
  }
  async req(method, path, body) {
    const r = await fetch(this.base + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await r.json();
    if (!r.ok || (json.value && json.value.error)) {
      throw new Error(`${method} ${path}: ${JSON.stringify(json.value ?? json).slice(0, 400)}`);
    }
    return json.value;
  }
  async newSession(application) {
    const v = await this.req("POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application } } },
    });
    this.sid = v.sessionId;
    return v;
  }
  s(path) {
    return `/session/${this.sid}${path}`;
  }
  async find(css) {
    const v = await this.req("POST", this.s("/element"), { using: "css selector", value: css });
    return Object.values(v)[0];
  }
  text(el) {
    return this.req("GET", this.s(`/element/${el}/text`));
  }
  click(el) {
    return this.req("POST", this.s(`/element/${el}/click`), {});
  }
  clear(el) {
    return this.req("POST", this.s(`/element/${el}/clear`), {});
  }
  type(el, text) {
    return this.req("POST", this.s(`/element/${el}/value`), { text, value: [...text] });
  }
  /** Runs `script` (a function body) in the page and returns its value. */
  exec(script, args = []) {
    return this.req("POST", this.s("/execute/sync"), { script, args });
  }
  screenshot() {
    return this.req("GET", this.s("/screenshot"));
  }
  quit() {
    return this.req("DELETE", this.s(""));
  }
}

/** Starts a private Xvfb display (handing the process to `keep`) and returns its number. */
export async function privateDisplay(keep) {
  const display = 90 + Math.floor(Math.random() * 400);
  keep("xvfb", spawn("Xvfb", [`:${display}`, "-screen", "0", "1400x900x24", "-nolisten", "tcp"], { stdio: "pipe" }));
  await waitFor("Xvfb", () => existsSync(`/tmp/.X11-unix/X${display}`), 15000);
  return display;
}

/** The app's environment for a test run: a private display and home, no services, no locale. */
export function appEnv(home, display, extra = {}) {
  return {
    ...process.env,
    DISPLAY: `:${display}`,
    HOME: home,
    XDG_DATA_HOME: join(home, "share"),
    SON1K_HOME: join(home, "son1k"),
    // Test-only switches for WebKitGTK inside a VM as root; never set in the shipped app.
    WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS: "1",
    WEBKIT_DISABLE_DMABUF_RENDERER: "1",
    WEBKIT_DISABLE_COMPOSITING_MODE: "1",
    OLLAMA_HOST: "127.0.0.1:9", // nothing listens there: the Dashboard must say so, not hang
    SON1K_API_URL: "http://127.0.0.1:9", // nor here: the Account screen must say FREE and offline quickly
    // No language from the machine running the tests: the app starts in English unless a test
    // gives it a system language (`extra`).
    LANGUAGE: "",
    LC_ALL: "",
    LC_MESSAGES: "",
    LANG: "C.UTF-8",
    ...extra,
  };
}

/**
 * Starts Xvfb, tauri-driver and a WebDriver session on the app (with a fresh SON1K_HOME), all
 * stopped when the test ends; `env` adds to or overrides the app's environment. Returns the
 * driver, the home folder and the collected logs.
 */
export async function launch(t, { env: extra = {} } = {}) {
  assert.ok(existsSync(app), `build the app first (cargo build -p son1k-studio): ${app} is missing`);
  const home = mkdtempSync(join(tmpdir(), "son1k-e2e-"));
  const children = [];
  t.after(() => {
    for (const c of children.reverse()) c.kill("SIGTERM");
    rmSync(home, { recursive: true, force: true });
  });
  const logs = [];
  const keep = (name, child) => {
    child.stdout?.on("data", (d) => logs.push(`[${name}] ${d}`));
    child.stderr?.on("data", (d) => logs.push(`[${name}] ${d}`));
    children.push(child);
    return child;
  };

  const display = await privateDisplay((name, child) => keep(name, child));
  const port = await freePort();
  const nativePort = await freePort();
  const env = appEnv(home, display, extra);
  // The app runs with a fresh HOME; it keeps the caller's sound set-up (the ALSA default and
  // the PulseAudio cookie and server that scripts/virtual-audio.sh provides), so playback and
  // recording reach the same virtual device.
  const realHome = process.env.HOME ?? "";
  for (const rel of [".asoundrc", ".config/pulse/cookie"]) {
    const from = join(realHome, rel);
    if (realHome && existsSync(from)) {
      mkdirSync(dirname(join(home, rel)), { recursive: true });
      copyFileSync(from, join(home, rel));
    }
  }
  if (!env.PULSE_SERVER) {
    const info = spawnSync("pactl", ["info"], { encoding: "utf8", timeout: 3000 });
    const server = /^Server String: (.+)$/m.exec(info.stdout ?? "")?.[1]?.trim();
    if (server) env.PULSE_SERVER = server.startsWith("/") ? `unix:${server}` : server;
  }
  const driverBin = process.env.TAURI_DRIVER ?? "tauri-driver";
  keep(
    "tauri-driver",
    spawn(driverBin, ["--port", String(port), "--native-port", String(nativePort)], { env, stdio: "pipe" }),
  );
  const wd = new WebDriver(`http://127.0.0.1:${port}`);
  await waitFor("tauri-driver", async () => (await fetch(`http://127.0.0.1:${port}/status`)).ok, 20000);

  return { wd, home, logs };
}
