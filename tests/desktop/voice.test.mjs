// Desktop end-to-end, the Voice screen: a take recorded from the default input with its level
// meter (scripts/virtual-audio.sh gives machines without a sound card a PulseAudio null source;
// with no input at all the screen must say why and leave no file), then a real neural conversion
// with son1k-ml's tiny random-weight WavLM and HiFi-GAN — installed the way a user installs a model
// offline, a manifest in the models folder and `son1k models import` — cancelled from its progress
// bar (no file is written), run again to the end, and both jobs listed on the Dashboard.
//
// Run with `make e2e` (builds the app and the CLI first).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { app, launch, root, sleep, waitFor } from "./harness.mjs";

const cli = join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug", "son1k");

/** A mono 16-bit WAV: a tone with two harmonics. */
function toneWav(path, seconds, hz, rate = 16000) {
  const frames = Math.round(rate * seconds);
  const data = Buffer.alloc(44 + frames * 2);
  data.write("RIFF", 0); data.writeUInt32LE(36 + frames * 2, 4); data.write("WAVEfmt ", 8);
  data.writeUInt32LE(16, 16); data.writeUInt16LE(1, 20); data.writeUInt16LE(1, 22);
  data.writeUInt32LE(rate, 24); data.writeUInt32LE(rate * 2, 28); data.writeUInt16LE(2, 32);
  data.writeUInt16LE(16, 34); data.write("data", 36); data.writeUInt32LE(frames * 2, 40);
  for (let i = 0; i < frames; i++) {
    const x = [1, 0.5, 0.3].reduce((a, g, h) => a + g * Math.sin(2 * Math.PI * hz * (h + 1) * (i / rate)), 0) * 0.3;
    data.writeInt16LE(Math.round(x * 32767), 44 + i * 2);
  }
  writeFileSync(path, data);
}

/** Runs the `son1k` CLI on the app's data folder; fails the test when it fails. */
function son1k(home, args) {
  const r = spawnSync(cli, args, { env: { ...process.env, SON1K_HOME: join(home, "son1k") }, encoding: "utf8" });
  assert.equal(r.status, 0, `son1k ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The tiny fixtures as the wavlm-large and knnvc-hifigan-prematched models. */
function installTinyModels(home) {
  const fixtures = join(root, "crates/son1k-ml/tests/fixtures");
  const models = join(home, "son1k", "data", "models");
  mkdirSync(models, { recursive: true });
  const tiny = [
    ["wavlm-large", "wavlm_large_tiny.safetensors", "wavlm_large_tiny.json", 2],
    ["knnvc-hifigan-prematched", "hifigan_tiny.pt", "hifigan_tiny.json", null],
  ];
  for (const [name, weights, config, layer] of tiny) {
    const m = JSON.parse(readFileSync(join(root, "models", `${name}.json`), "utf8"));
    m.files[0].name = weights;
    m.config = JSON.parse(readFileSync(join(fixtures, config), "utf8"));
    if (layer) m.use.layer = layer;
    writeFileSync(join(models, `${name}.json`), JSON.stringify(m));
    son1k(home, ["models", "import", name, join(fixtures, weights)]);
  }
}

test("Voice: a recorded take, and a real conversion cancelled then finished, in the desktop window", { timeout: 600000 }, async (t) => {
  assert.ok(existsSync(cli), `build the CLI first (cargo build --workspace --bins): ${cli} is missing`);
  const { wd, home, logs } = await launch(t);
  const voiceDir = join(home, "son1k", "data", "voice");
  try {
    // A profile large enough (40 clips, ~96k frames) that matching a 2 s recording takes seconds.
    installTinyModels(home);
    const clips = [];
    for (let i = 0; i < 40; i++) {
      clips.push(join(home, `clip${i}.wav`));
      toneWav(clips[i], 3, 150 + 3 * i);
    }
    son1k(home, ["voice", "profile", "create", "ana", ...clips, "--i-have-the-right"]);

    await wd.newSession(app);
    await waitFor("first paint", () => wd.find('[data-nav="voice"]'), 60000, 50);
    await wd.click(await wd.find('[data-nav="voice"]'));

    // Record a take: the clock runs beside the meter; stopped, the take is the screen's recording.
    await wd.click(await wd.find('[data-testid="voice-record"]'));
    const recorder = await waitFor("the recorder", async () => {
      if (await wd.find('[data-testid="voice-record-stop"]').catch(() => null)) return "recording";
      const toasts = await wd.req("POST", wd.s("/elements"), { using: "css selector", value: ".toast span" });
      const said = await Promise.all(toasts.map((el) => wd.text(Object.values(el)[0])));
      return said[0] ?? null;
    }, 15000, 100);
    if (recorder === "recording") {
      await wd.find('[data-testid="voice-record-meter"] [role="meter"]');
      await waitFor("the recording clock", async () => /0:0[2-9]/.test(await wd.text(await wd.find('[data-testid="voice-recording"]'))), 15000, 100);
      await wd.click(await wd.find('[data-testid="voice-record-stop"]'));
      const take = await waitFor("the take as the recording", async () => {
        const s = await wd.text(await wd.find('[data-testid="voice-source"]')).catch(() => "");
        return /^take-\d+\.wav$/.test(s) ? s : null;
      }, 20000);
      assert.ok(existsSync(join(voiceDir, take)), `the take's file ${take}`);
      console.log(`a take was recorded into the voice folder: ${take}`);
    } else {
      assert.match(recorder, /input device/, "without an input the screen says why");
      const left = existsSync(voiceDir) ? readdirSync(voiceDir) : [];
      assert.deepEqual(left, [], "no take file is left without an input device");
      console.log(`no input device here, and the screen said so: ${recorder}`);
    }

    // Import a 2 s recording and convert it to the profile; cancel from the progress bar.
    const voz = join(home, "voz.wav");
    toneWav(voz, 2, 220, 44100);
    await wd.type(await wd.find('[data-testid="voice-path"]'), voz);
    await wd.click(await wd.find('[data-testid="voice-import"]'));
    await waitFor("the imported recording", async () => (await wd.text(await wd.find('[data-testid="voice-source"]'))) === "voz.wav", 20000);
    await waitFor("the profile", () => wd.find('[data-testid="voice-profile"]'), 20000);
    await wd.click(await wd.find('[data-testid="voice-convert"]'));
    const cancel = await waitFor("the conversion's cancel button", () => wd.find('[data-testid="voice-task"] button'), 10000, 20);
    await wd.click(cancel);
    await waitFor("the conversion to stop", async () => !(await wd.find('[data-testid="voice-task"]').catch(() => null)), 60000, 100);
    const toasts = await wd.req("POST", wd.s("/elements"), { using: "css selector", value: ".toast span" });
    const said = await Promise.all(toasts.map((el) => wd.text(Object.values(el)[0])));
    assert.ok(said.some((x) => /cancel/i.test(x)), `a cancelled toast: ${said.join(" | ")}`);
    assert.ok(!existsSync(join(voiceDir, "voz.ana.wav")), "a cancelled conversion writes no file");
    assert.deepEqual(readdirSync(voiceDir).filter((f) => f.includes(".tmp")), [], "no temporary file is left");

    // Again, to the end: the result is listed with its length and drawn through son1k-voice://.
    const started = performance.now();
    await wd.click(await wd.find('[data-testid="voice-convert"]'));
    const result = await waitFor("the converted voice", async () => {
      const s = await wd.text(await wd.find('[data-testid="voice-result"]')).catch(() => "");
      return /^voz\.ana\.wav/.test(s) ? s : null;
    }, 120000, 100);
    console.log(`tiny kNN-VC conversion of 2 s against a 120 s profile shown in ${((performance.now() - started) / 1000).toFixed(1)} s: ${result}`);
    assert.match(result, /^voz\.ana\.wav · 2\.0\d s/, result);
    assert.ok(existsSync(join(voiceDir, "voz.ana.wav")), "the conversion's file");
    // It is kept in the list of results, each with its export.
    await waitFor("the result in the list", () => wd.find('[data-testid="voice-result-row"][data-file="voz.ana.wav"] [data-testid="voice-result-export"]'), 10000);

    // Both conversions are library jobs, on the Dashboard: one cancelled, one done.
    await wd.click(await wd.find('[data-nav="dashboard"]'));
    // (Finished jobs sit in a collapsed list, so read the rows' text and status directly.)
    const rows = await waitFor("the conversion jobs on the Dashboard", async () => {
      const r = await wd.exec(`return [...document.querySelectorAll('[data-testid="dash-jobs"] li')].map((li) => [li.dataset.status, li.textContent, li.dataset.kind]);`);
      // The kind's id, and its name as the Dashboard shows it.
      const voice = (r ?? []).filter(([, text, kind]) => kind === "voice-convert" && /Voice conversion|Conversión de voz/.test(text));
      return voice.length >= 2 ? voice : null;
    }, 20000);
    const statuses = rows.map(([status]) => status).sort();
    assert.deepEqual(statuses, ["cancelled", "done"], JSON.stringify(rows));
    console.log(`Dashboard jobs: ${rows.map(([s, text]) => `${s}: ${text.replace(/\s+/g, " ").trim()}`).join(" | ")}`);
    // Back on Voice: the recording, the result and the list are still there.
    await wd.click(await wd.find('[data-nav="voice"]'));
    assert.match(await wd.text(await wd.find('[data-testid="voice-result"]')), /^voz\.ana\.wav/);
    assert.ok(await wd.find('[data-testid="voice-result-row"][data-file="voz.ana.wav"]'));
    // "Send to Ghost Studio" hands the result to that screen, which offers a project from it.
    // (A toast still showing from the cancelled conversion may sit over the row: close it, as a
    // person would.)
    await wd.exec(`document.querySelectorAll('.toast button[aria-label]').forEach((b) => b.click());`);
    await wd.click(await wd.find('[data-testid="voice-result-row"][data-file="voz.ana.wav"] [data-testid="voice-result-ghost"]'));
    const handed = await waitFor("Ghost Studio with the result", async () => wd.text(await wd.find('[data-testid="ghost-file"]')), 10000);
    assert.match(handed, /voice[\\/]voz\.ana\.wav$/, handed);
    await sleep(100);
    await wd.quit();
  } catch (e) {
    console.error(logs.join("").slice(-4000));
    throw e;
  }
});
