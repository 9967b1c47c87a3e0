// `make bench-app`: how heavy and how quick the desktop app is, against WebKitGTK's own
// MiniBrowser showing the same UI (the same web engine and page without the studio behind it),
// in the same run under the same private X display.
//
// For each side, ROUNDS cold starts: the time from asking WebDriver for a session (which starts
// the program) to the first paint of the navigation, and after the Dashboard has been idle for
// IDLE_MS, the memory of all its processes (the program and WebKit's web, network and GPU
// processes): resident set (RSS, counts shared libraries once per process, as `ps` does) and
// proportional set (PSS, shares them out: what the machine really spends). Prints medians and
// ours/MiniBrowser ratios, and the goals from issue #30 (idle RSS < 300 MiB, first paint < 0.8 s).
//
// SON1K_BENCH_APP picks the binary (default: the release build if there is one, else debug).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appEnv, freePort, privateDisplay, root, sleep, waitFor, WebDriver } from "../tests/desktop/harness.mjs";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const IDLE_MS = 5000;
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const release = join(target, "release", "son1k-studio");
const app = process.env.SON1K_BENCH_APP ?? (existsSync(release) ? release : join(target, "debug", "son1k-studio"));
const miniBrowser = ["/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", "/usr/libexec/webkit2gtk-4.1/MiniBrowser"].find(existsSync);
const dist = join(root, "ui", "dist");
const page = join(dist, "index.html");

/** The built UI over loopback HTTP (WebKit refuses module scripts from file://). */
function serveDist() {
  const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2" };
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]);
    const file = join(dist, path === "/" ? "index.html" : path);
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
let pageUrl = "";

const WATCHED = /^(son1k-studio|MiniBrowser|WebKitWebProces|WebKitNetworkPr|WebKitGPUProces)/;

/** RSS and PSS (KiB) summed over the app's processes now, and which processes they were. */
function memory() {
  let rss = 0;
  let pss = 0;
  const names = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      if (!WATCHED.test(comm)) continue;
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const r = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const p = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
      rss += r;
      pss += p;
      names.push(`${comm} ${(r / 1024).toFixed(0)}/${(p / 1024).toFixed(0)}`);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return { rss, pss, names };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One private X display and a WebDriver server (tauri-driver for ours, WebKitWebDriver for the peer). */
async function withDriver(kind, fn) {
  const home = mkdtempSync(join(tmpdir(), "son1k-bench-app-"));
  const children = [];
  try {
    const display = await privateDisplay((_, child) => children.push(child));
    const port = await freePort();
    const env = appEnv(home, display);
    const driver =
      kind === "ours"
        ? spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", String(port), "--native-port", String(await freePort())], { env, stdio: "ignore" })
        : spawn("WebKitWebDriver", [`--port=${port}`], { env, stdio: "ignore" });
    children.push(driver);
    await waitFor("the WebDriver server", async () => (await fetch(`http://127.0.0.1:${port}/status`)).ok, 20000);
    return await fn(new WebDriver(`http://127.0.0.1:${port}`));
  } finally {
    for (const c of children.reverse()) c.kill("SIGTERM");
    await sleep(500);
    rmSync(home, { recursive: true, force: true });
  }
}

/** One cold start: ms to the navigation's first paint, then the memory after IDLE_MS. */
async function round(kind) {
  return withDriver(kind, async (wd) => {
    const started = performance.now();
    if (kind === "ours") {
      await wd.newSession(app);
    } else {
      const v = await wd.req("POST", "/session", {
        capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { binary: miniBrowser, args: ["--automation"] } } },
      });
      wd.sid = v.sessionId;
      await wd.req("POST", wd.s("/url"), { url: pageUrl });
    }
    await waitFor("first paint", () => wd.find('[data-nav="dashboard"]'), 60000, 20);
    const firstPaint = performance.now() - started;
    await sleep(IDLE_MS);
    const mem = memory();
    await wd.quit().catch(() => {});
    return { firstPaint, ...mem };
  });
}

async function main() {
  if (!existsSync(app)) throw new Error(`build the app first (cargo build -p son1k-studio --release): ${app} is missing`);
  if (!existsSync(page)) throw new Error(`build the UI first (make ui): ${page} is missing`);
  if (memory().names.length) throw new Error(`close the running ${memory().names.join(", ")} first: they would be counted`);
  console.log(`app: ${app}`);
  const server = await serveDist();
  pageUrl = `http://127.0.0.1:${server.address().port}/`;
  const sides = [["ours", "Son1k Studio"]];
  if (miniBrowser) sides.push(["peer", "MiniBrowser (same UI)"]);
  else console.log("MiniBrowser not found (Debian: libwebkit2gtk-4.1-0 ships it): no peer figures");
  const results = { ours: [], peer: [] };
  // Interleaved, so a slow spell of the machine falls on both sides.
  for (let i = 0; i < ROUNDS; i++) {
    for (const [kind, name] of sides) {
      const r = await round(kind);
      results[kind].push(r);
      console.log(`round ${i + 1} ${name}: first paint ${r.firstPaint.toFixed(0)} ms, RSS ${(r.rss / 1024).toFixed(0)} MiB, PSS ${(r.pss / 1024).toFixed(0)} MiB (RSS/PSS MiB: ${r.names.join(", ")})`);
    }
  }
  const sum = (kind) => ({
    paint: median(results[kind].map((r) => r.firstPaint)),
    rss: median(results[kind].map((r) => r.rss)) / 1024,
    pss: median(results[kind].map((r) => r.pss)) / 1024,
  });
  const ours = sum("ours");
  console.log(`median Son1k Studio: first paint ${ours.paint.toFixed(0)} ms (goal < 800), idle RSS ${ours.rss.toFixed(0)} MiB (goal < 300), PSS ${ours.pss.toFixed(0)} MiB`);
  if (results.peer.length) {
    const peer = sum("peer");
    console.log(`median MiniBrowser:   first paint ${peer.paint.toFixed(0)} ms, idle RSS ${peer.rss.toFixed(0)} MiB, PSS ${peer.pss.toFixed(0)} MiB`);
    console.log(`ours/MiniBrowser: first paint ${(ours.paint / peer.paint).toFixed(2)}×, RSS ${(ours.rss / peer.rss).toFixed(2)}×, PSS ${(ours.pss / peer.pss).toFixed(2)}×`);
  }
  server.close();
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
