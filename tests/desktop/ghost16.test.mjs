// "Smooth at 16 tracks", measured: the real window opens a Ghost Studio project with 16 imported
// tracks (waveforms drawn), plays them through the native audio engine for 8 s and prints the
// requestAnimationFrame frame-time percentiles the screen recorded while its playhead and 16
// meters moved (a measurement: it only requires that playback ran). Then Trash is turned while
// the project plays, and the change is found in what the default output device played: the
// PulseAudio null sink's monitor (scripts/virtual-audio.sh), recorded with parec. The delay from
// the knob's input to the changed sound on the monitor is printed; it includes WebDriver's round
// trip and the sound server's buffering (the engine's own bound, 100 ms on a paced virtual
// device, is tested in crates/son1k-app/tests/live_playback.rs).
//
// Run with `make e2e` (or `node --test tests/desktop/ghost16.test.mjs` after building the app).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { app, demoWav, launch, sleep, waitFor } from "./harness.mjs";

const TRACKS = 16;

/** Records the default output's monitor (48 kHz stereo float) with arrival times, or null. */
function recordMonitor() {
  if (spawnSync("pactl", ["info"], { timeout: 3000 }).status !== 0) return null;
  const p = spawn("parec", ["-d", "@DEFAULT_MONITOR@", "--raw", "--format=float32le", "--rate=48000", "--channels=2", "--latency-msec=10"], { stdio: ["ignore", "pipe", "pipe"] });
  const chunks = [];
  p.stdout.on("data", (d) => chunks.push({ at: performance.now(), data: d }));
  return {
    stop: () => p.kill("SIGTERM"),
    /** 50 ms windows: when their last frame arrived, level (dB RMS) and crest factor (dB). */
    windows() {
      const all = Buffer.concat(chunks.map((c) => c.data));
      const ends = [];
      let sum = 0;
      for (const c of chunks) ends.push({ end: (sum += c.data.length), at: c.at });
      const frames = Math.floor(all.length / 8);
      const out = [];
      let k = 0;
      for (let w = 0; (w + 1) * 2400 <= frames; w++) {
        let ss = 0;
        let peak = 0;
        for (let i = w * 2400 * 2; i < (w + 1) * 2400 * 2; i++) {
          const v = all.readFloatLE(i * 4);
          ss += v * v;
          peak = Math.max(peak, Math.abs(v));
        }
        const rms = Math.sqrt(ss / 4800);
        const byteEnd = (w + 1) * 2400 * 8;
        while (k < ends.length - 1 && ends[k].end < byteEnd) k++;
        const db = (x) => 20 * Math.log10(Math.max(x, 1e-9));
        out.push({ at: ends[k].at, level: db(rms), crest: db(peak) - db(rms) });
      }
      return out;
    },
  };
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0;
}

test("Ghost Studio plays 16 tracks and reports its frame times", { timeout: 600000 }, async (t) => {
  const { wd, home, logs } = await launch(t);
  try {
    await wd.newSession(app);
    await waitFor("first paint", () => wd.find('[data-nav="ghost"]'), 60000, 50);
    await wd.click(await wd.find('[data-nav="ghost"]'));
    await wd.type(await wd.find('[data-testid="ghost-new-name"]'), "Dieciséis pistas");
    await wd.click(await wd.find('[data-testid="ghost-create"]'));
    await waitFor("the new project", () => wd.find('[data-testid="ghost-project"]'));
    const importStarted = performance.now();
    for (let i = 0; i < TRACKS; i++) {
      const file = join(home, `pista ${String(i + 1).padStart(2, "0")}.wav`);
      demoWav(file, { bpm: 90 + i * 3, seconds: 20 });
      const field = await wd.find('[data-testid="ghost-import-path"]');
      await wd.clear(field);
      await wd.type(field, file);
      await wd.click(await wd.find('[data-testid="ghost-import"]'));
      await waitFor(`track ${i + 1}`, async () => (await wd.exec(`return document.querySelectorAll("[data-track]").length;`)) === i + 1, 60000, 100);
    }
    await waitFor("16 waveforms and loaded stems", async () =>
      wd.exec(`return document.querySelectorAll("[data-track] .clip canvas").length === ${TRACKS} && !document.querySelector('[data-testid="ghost-preparing"]');`),
    180000, 250);
    console.log(`${TRACKS} × 20 s tracks imported, drawn and loaded in ${((performance.now() - importStarted) / 1000).toFixed(1)} s`);

    // Play first waits for the latest stems (slow on a loaded machine): measure once frames flow.
    // In CI the first click has sometimes left playback stopped with no error; the screen records
    // how far starting got (__son1kGhostPlay), which is printed before clicking again.
    for (let attempt = 1; ; attempt++) {
      const stageNow = await wd.exec(`return globalThis.__son1kGhostPlay ?? "";`);
      if (stageNow !== "playing") await wd.click(await wd.find('[data-testid="ghost-play-tracks"]'));
      try {
        await waitFor("playback to start", async () => (await wd.exec(`return globalThis.__son1kGhostFrames.length;`)) > 5, 20000, 100);
        break;
      } catch (e) {
        const toasts = await wd.req("POST", wd.s("/elements"), { using: "css selector", value: ".toast span" });
        const said = await Promise.all(toasts.map((el) => wd.text(Object.values(el)[0])));
        const stage = await wd.exec(`return globalThis.__son1kGhostPlay ?? "the click did not reach the screen";`);
        console.log(`play attempt ${attempt} did not start: ${stage}; toasts ${JSON.stringify(said)}`);
        if (attempt === 3) throw e;
      }
    }
    await wd.exec(`globalThis.__son1kGhostFrames.length = 0;`);
    await sleep(8000);
    const frames = await wd.exec(`return [...globalThis.__son1kGhostFrames];`);
    console.log(`playback stage after the measurement: ${await wd.exec(`return globalThis.__son1kGhostPlay ?? "";`)}`);
    const meters = await wd.exec(`return [...document.querySelectorAll('[data-testid="track-meter"]')].filter((m) => parseFloat(m.style.width) > 0).length;`);
    const engine = await wd.exec(`return { frames: globalThis.__son1kEngineFrames ?? 0, last: globalThis.__son1kEngineLast ?? null };`);
    const last = engine.last ?? {};
    console.log(
      `engine frames reaching the page: ${engine.frames}; the last says playing ${last.playing} at ${(last.seconds ?? 0).toFixed(2)} s on ${last.device}, ` +
        `${last.deadline_misses} deadline misses, worst callback ${((last.worst_load ?? 0) * 100).toFixed(0)}% of its budget, ${last.stream_errors} stream errors`,
    );
    assert.ok(engine.frames > 30, `the engine's frames reach the page (${engine.frames})`);

    // Trash 0 → 100 while playing, found on the output device's monitor.
    const monitor = recordMonitor();
    if (!monitor) console.log("no PulseAudio server here: the Trash measurement on the monitor is skipped (run scripts/virtual-audio.sh)");
    else {
      // The monitor can take a while to deliver on a loaded sound server: turn the knob once it
      // has heard a second of the tracks (not after a fixed time).
      await waitFor("the monitor to hear the tracks", async () => {
        const now = performance.now();
        return monitor.windows().filter((x) => x.at > now - 1000 && x.level > -80).length >= 10 ? true : null;
      }, 15000, 100);
      const turned = performance.now();
      await wd.exec(`const k = document.querySelector("#knob-trash"); k.value = "100"; k.dispatchEvent(new Event("input", { bubbles: true }));`);
      await sleep(1500);
      monitor.stop();
      const w = monitor.windows();
      const before = w.filter((x) => x.at < turned && x.at > turned - 1000 && x.level > -80);
      assert.ok(before.length >= 5, `the monitor heard the tracks before the knob turned (${before.length} windows)`);
      // A window whose level or crest factor leaves the range the second before it spanned, by 1 dB.
      const range = (f) => [Math.min(...before.map(f)) - 1, Math.max(...before.map(f)) + 1];
      const [lo, hi] = range((x) => x.level);
      const [clo, chi] = range((x) => x.crest);
      const changed = w.find((x) => x.at > turned && (x.level < lo || x.level > hi || x.crest < clo || x.crest > chi));
      const fmt = (xs, f) => `${Math.min(...xs.map(f)).toFixed(1)}…${Math.max(...xs.map(f)).toFixed(1)}`;
      const after = w.filter((x) => x.at > turned + 500);
      console.log(
        `Trash 0 → 100 while 16 tracks play, on the monitor: before, level ${fmt(before, (x) => x.level)} dB, crest ${fmt(before, (x) => x.crest)} dB; ` +
          `0.5 s after, level ${fmt(after, (x) => x.level)} dB, crest ${fmt(after, (x) => x.crest)} dB; ` +
          (changed ? `first changed window ${(changed.at - turned).toFixed(0)} ms after the knob's input (WebDriver and the sound server's buffering included)` : "no change found"),
      );
      assert.ok(changed, "turning Trash while playing changed the level or crest factor on the monitor");
      assert.ok(changed.at - turned < 1000, `the change reached the monitor ${(changed.at - turned).toFixed(0)} ms after the knob's input`);
    }
    await wd.click(await wd.find('[data-testid="ghost-play-tracks"]'));

    const sorted = [...frames].sort((a, b) => a - b);
    const fps = frames.length / 8;
    console.log(
      `16 tracks playing, ${frames.length} frames in 8 s (${fps.toFixed(1)} fps), frame time p50 ${percentile(sorted, 50).toFixed(1)} ms, ` +
        `p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, worst ${(sorted.at(-1) ?? 0).toFixed(1)} ms; ` +
        `${meters} of ${TRACKS} meters moving at the end`,
    );
    assert.ok(frames.length > 30, `the playhead loop ran while playing (${frames.length} frames)`);
    await wd.quit();
  } catch (e) {
    console.error(logs.join("").slice(-4000));
    throw e;
  }
});
