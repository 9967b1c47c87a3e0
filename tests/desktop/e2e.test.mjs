// Desktop end-to-end: the real Son1k Studio window under Xvfb, driven over WebDriver through
// tauri-driver and WebKitWebDriver. Opens the app, goes to the Generator, turns a knob and checks
// that the live prompt (built by the real `build_prompt` command) changes, then generates a short
// song with a fixed seed and checks its take (BPM, key, waveform read through son1k-song://).
//
// Run with `make e2e` (builds the app first). SON1K_SCREENSHOT=path also saves a screenshot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { app, demoWav, launch, root, sleep, waitFor } from "./harness.mjs";

test("the Generator's prompt follows a knob and a song is generated in the real desktop window", { timeout: 600000 }, async (t) => {
  const { wd, home, logs } = await launch(t);
  try {
    const started = performance.now();
    await wd.newSession(app);
    // First paint: the Dashboard's navigation is on screen.
    await waitFor("first paint", () => wd.find('[data-nav="dashboard"]'), 60000, 50);
    const firstPaintMs = performance.now() - started;
    console.log(`cold start to first paint under Xvfb: ${firstPaintMs.toFixed(0)} ms`);

    // The Dashboard shows the real version from `app_info`.
    const version = await waitFor("version", async () => wd.text(await wd.find('[data-testid="version"]')));
    assert.match(version, /^\d+\.\d+\.\d+/);

    await wd.click(await wd.find('[data-nav="generator"]'));
    const promptText = async () => wd.text(await wd.find('[data-testid="prompt"]'));
    const before = await waitFor("the first prompt", async () => (await promptText()) || null);
    assert.match(before, /^A balanced song\./, before);

    // Turn the Expressivity knob to 90 through its value field.
    const field = await wd.find("#knob-expressivity");
    await wd.clear(field);
    await wd.type(field, "90");
    // Typing "90" passes through 9 (deeply sad) first; wait for the final value's prompt.
    let seen = before;
    const after = await waitFor("the prompt to follow the knob", async () => {
      seen = await promptText();
      return /^A euphoric song\./.test(seen) ? seen : null;
    }).catch((e) => {
      throw new Error(`${e.message}; last prompt: ${seen}`);
    });
    assert.notEqual(after, before);
    const description = await wd.text(await wd.find('[data-knob-description="expressivity"]'));
    assert.match(description, /^Euphoric/, description);

    // The language switch changes the UI and the knob descriptions.
    await wd.click(await wd.find('[data-testid="lang-switch"] option[value="es"]'));
    await waitFor("Spanish navigation", async () => (await wd.text(await wd.find('[data-nav="generator"]'))) === "Generador");
    // Knob descriptions follow the UI language; the prompt keeps its own language.
    await waitFor("Spanish knob description", async () =>
      /^Eufórico/.test(await wd.text(await wd.find('[data-knob-description="expressivity"]'))),
    );
    assert.match(await promptText(), /^A euphoric song\./);
    // Each screen keeps its own scroll: the Generator scrolled down, a visit to the Dashboard
    // (which opens at its own top), and back where it was.
    const mainTop = () => wd.exec(`return Math.round(document.querySelector("main").scrollTop);`);
    const wanted = await wd.exec(`const m = document.querySelector("main"); m.scrollTop = Math.min(240, m.scrollHeight - m.clientHeight); return Math.round(m.scrollTop);`);
    assert.ok(wanted > 0, "the Generator page scrolls");
    await sleep(150);
    await wd.click(await wd.find('[data-nav="dashboard"]'));
    await waitFor("the Dashboard at its top", async () => (await mainTop()) === 0, 5000, 50);
    await wd.click(await wd.find('[data-nav="generator"]'));
    await waitFor("the Generator where it was left", async () => Math.abs((await mainTop()) - wanted) <= 2, 5000, 50);

    // Generate a 6-second song with a fixed seed; its take appears with the asked BPM and key.
    await wd.type(await wd.find('[data-testid="gen-prompt"]'), "deep house 124 bpm in F# minor");
    const seconds = await wd.find('[data-field="seconds"]');
    await wd.clear(seconds);
    await wd.type(seconds, "6");
    await wd.type(await wd.find('[data-field="seed"]'), "3");
    const genStarted = performance.now();
    await wd.click(await wd.find('[data-testid="generate"]'));
    const take = await waitFor("the generated take", () => wd.find('[data-testid="take"]'), 120000, 250).catch(async (e) => {
      const errors = await wd.find('[data-testid="generate-error"]').then((el) => wd.text(el)).catch(() => "");
      throw new Error(`${e.message} ${errors}`);
    });
    console.log(`6 s song generated and listed in ${((performance.now() - genStarted) / 1000).toFixed(1)} s`);
    const label = await wd.text(await wd.find('[data-testid="take"] [data-testid="take-label"]'));
    assert.match(label, /^house · 124 BPM · (?:F# minor|Fa# menor)$/, label);
    assert.ok(take);
    // The waveform is drawn from mix.wav, fetched through the shell's son1k-song:// scheme.
    await waitFor("the take's waveform", () => wd.find('[data-testid="take"] canvas'), 30000);

    // The take is named by its number, and the Generator says nothing was overridden.
    assert.equal(await wd.text(await wd.find('[data-testid="take"] [data-testid="take-name"]')), "Toma 1");
    // "Open in Ghost Studio" makes a project of the take: its stems on tracks, all at zero.
    await wd.click(await wd.find('[data-testid="take"] [data-testid="open-ghost"]'));
    await waitFor("Ghost Studio with the take", async () => (await wd.text(await wd.find('[data-testid="ghost-project"]'))) === "Toma 1", 30000);
    const stems = await waitFor("the take's stems on tracks", async () => {
      const got = await wd.exec(`return [...document.querySelectorAll('[data-track] .clip')].map((c) => Number(c.dataset.offset));`);
      if (got.length < 3) throw new Error(`${got.length} clips`);
      return got;
    }, 30000);
    assert.ok(stems.every((o) => o === 0), `stem offsets ${JSON.stringify(stems)}`);
    await wd.click(await wd.find('[data-nav="generator"]'));
    // Coming back keeps the form and the takes.
    await waitFor("the take after coming back", () => wd.find('[data-testid="take"]'), 10000);
    assert.match(await promptText(), /^A euphoric song\./);

    // A long generation shows its progress and stops on Cancel, leaving no take behind.
    const length = await wd.find('[data-field="seconds"]');
    await wd.clear(length);
    await wd.type(length, "600");
    await wd.click(await wd.find('[data-testid="generate"]'));
    const cancelButton = await waitFor("the progress bar", () => wd.find('[data-testid="generate-progress"] button'), 20000, 50);
    await wd.click(cancelButton);
    await waitFor("the generation to stop", async () => {
      await wd.find('[data-testid="generate-progress"]').then(
        () => { throw new Error("still running"); },
        () => {},
      );
      return true;
    }, 30000);
    // Toasts come and go while they are read (a stale element is read again).
    let said = [];
    await waitFor("the cancelled toast", async () => {
      const toasts = await wd.req("POST", wd.s("/elements"), { using: "css selector", value: ".toast span" });
      said = await Promise.all(toasts.map((el) => wd.text(Object.values(el)[0])));
      return said.includes("Generación cancelada.");
    }, 5000, 100).catch(() => {});
    assert.ok(said.includes("Generación cancelada."), `toasts: ${JSON.stringify(said)}`);
    const rows = await wd.req("POST", wd.s("/elements"), { using: "css selector", value: '[data-testid="take"]' });
    assert.equal(rows.length, 1, "a cancelled generation must not add a take");
    // The take renamed: a name another take could not also have, shown at once.
    await wd.click(await wd.find('[data-testid="take"] [data-testid="take-rename"]'));
    const nameInput = await wd.find('[data-testid="take-rename-input"]');
    await wd.clear(nameInput);
    await wd.type(nameInput, "Primera idea");
    await wd.click(await wd.find('[data-testid="take-rename-save"]'));
    await waitFor("the renamed take", async () => (await wd.text(await wd.find('[data-testid="take"] [data-testid="take-name"]'))) === "Primera idea", 10000);

    {
      // Nexus Visual: the take plays through the engine and its scene moves with it (frames drawn
      // by the Rust scenes at the engine's position); stopped, the picture holds; a video is made.
      await wd.click(await wd.find('[data-nav="visual"]'));
      const stageOf = () => wd.exec(`const c = document.querySelector('[data-testid="vis-canvas"]'); return { frames: Number(c.dataset.frames), light: c.dataset.light, seconds: Number(c.dataset.seconds) };`);
      await waitFor("the first frame", async () => (await stageOf()).frames >= 1, 30000, 100);
      await wd.click(await wd.find('[data-testid="vis-play"]'));
      const samples = [];
      for (let i = 0; i < 25; i++) {
        await sleep(100);
        samples.push(await stageOf());
      }
      const lights = new Set(samples.map((x) => x.light));
      const moved = samples[samples.length - 1].seconds - samples[0].seconds;
      console.log(`visual: ${samples[samples.length - 1].frames - samples[0].frames} frames in 2.5 s, ${lights.size} brightness values, playhead moved ${moved.toFixed(2)} s`);
      assert.ok(moved > 0.5, `the engine's playhead moved ${moved} s in 2.5 s`);
      assert.ok(lights.size >= 5, `the scene's brightness took ${lights.size} values while playing`);
      await wd.click(await wd.find('[data-testid="vis-play"]'));
      await sleep(400);
      const held = await stageOf();
      await sleep(800);
      assert.deepEqual(await stageOf(), held, "the picture holds while stopped");
      await wd.click(await wd.find('[data-testid="vis-render"]'));
      const made = await waitFor("the music video", async () => wd.text(await wd.find('[data-testid="vis-last"]')), 180000, 250);
      assert.match(made, /1920×1080/, made);
      const videoPath = made.split(" · ")[0];
      assert.ok(existsSync(videoPath) && statSync(videoPath).size > 20000, `${videoPath} was written`);
    }

    // Ghost Studio: a new project, a demo imported, its tempo and key read, Garage turned (the
    // prompt beside the knobs follows), a backing produced, the mix rendered, A/B, and exported.
    const demo = join(home, "phone demo.wav");
    demoWav(demo);
    await wd.click(await wd.find('[data-nav="ghost"]'));
    await wd.type(await wd.find('[data-testid="ghost-new-name"]'), "Mi demo");
    await wd.click(await wd.find('[data-testid="ghost-create"]'));
    await waitFor("the new project", async () => (await wd.text(await wd.find('[data-testid="ghost-project"]'))) === "Mi demo");
    await wd.type(await wd.find('[data-testid="ghost-import-path"]'), demo);
    await wd.click(await wd.find('[data-testid="ghost-import"]'));
    await waitFor("the demo's track", () => wd.find('[data-track="phone demo"]'), 30000);
    const bpm = await waitFor("the demo's tempo", async () => wd.text(await wd.find('[data-testid="ghost-bpm"]')), 60000);
    const bpmValue = parseFloat(bpm);
    assert.ok(Math.abs(bpmValue - 120) < 3 || Math.abs(bpmValue - 60) < 2 || Math.abs(bpmValue - 240) < 4, `tempo ${bpm}`);
    const key = await wd.text(await wd.find('[data-testid="ghost-key"]'));
    assert.match(key, /^(la menor|A minor|do mayor|C major)$/i, key);
    await waitFor("the demo's waveform", () => wd.find('[data-track="phone demo"] canvas'), 30000);
    // The timeline: the demo's clip dragged later is one move_clip edit; Ctrl+Z undoes it and
    // Ctrl+Shift+Z redoes it.
    const clipOffset = async () =>
      Number(await wd.exec(`return document.querySelector('[data-track="phone demo"] .clip')?.dataset.offset ?? "-1";`));
    assert.equal(await clipOffset(), 0);
    await wd.exec(`
      const clip = document.querySelector('[data-track="phone demo"] .clip');
      const lane = clip.closest(".lane").getBoundingClientRect();
      const r = clip.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2, dx = lane.width * 0.1;
      const at = (cx) => ({ bubbles: true, clientX: cx, clientY: y, button: 0, pointerId: 1, isPrimary: true });
      clip.dispatchEvent(new PointerEvent("pointerdown", at(x)));
      window.dispatchEvent(new PointerEvent("pointermove", at(x + dx / 2)));
      window.dispatchEvent(new PointerEvent("pointermove", at(x + dx)));
      window.dispatchEvent(new PointerEvent("pointerup", at(x + dx)));
    `);
    const moved = await waitFor("the moved clip", async () => ((await clipOffset()) > 0.5 ? clipOffset() : null));
    const pressCtrl = (k, shift) => wd.exec(`document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "${k}", ctrlKey: true, shiftKey: ${shift}, bubbles: true }));`);
    await pressCtrl("z", false);
    await waitFor("the move undone", async () => (await clipOffset()) === 0);
    await pressCtrl("Z", true);
    await waitFor("the move redone", async () => Math.abs((await clipOffset()) - moved) < 1e-6);
    console.log(`clip dragged to ${moved.toFixed(2)} s, undone and redone by keyboard`);
    // A click selects the clip; Delete removes it and Ctrl+Z brings it back.
    await wd.exec(`
      const clip = document.querySelector('[data-track="phone demo"] .clip');
      const r = clip.getBoundingClientRect();
      const at = { bubbles: true, clientX: r.left + r.width / 2, clientY: r.top + 5, button: 0, pointerId: 1, isPrimary: true };
      clip.dispatchEvent(new PointerEvent("pointerdown", at));
      window.dispatchEvent(new PointerEvent("pointerup", at));
    `);
    await waitFor("the clip's tools", () => wd.find('[data-testid="clip-tools"]'));
    await wd.exec(`document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Delete", bubbles: true }));`);
    await waitFor("the clip deleted", async () => (await clipOffset()) === -1);
    await pressCtrl("z", false);
    await waitFor("the clip back", async () => Math.abs((await clipOffset()) - moved) < 1e-6);
    // An EQ added to the demo's track from its FX list.
    await wd.click(await wd.find('[data-track="phone demo"] [data-testid="track-fx"]'));
    await wd.click(await wd.find('[data-testid="fx-chain"] [data-testid="fx-kind"] option[value="eq"]'));
    await wd.click(await wd.find('[data-testid="fx-chain"] [data-testid="fx-add"]'));
    await waitFor("the EQ on the track", async () => /FX 1/.test(await wd.text(await wd.find('[data-track="phone demo"] [data-testid="track-fx"]'))));
    // A reverb return, fed from the demo's track by its send slider (saved with the project).
    await wd.click(await wd.find('[data-testid="add-reverb-return"]'));
    await waitFor("the reverb return", () => wd.find('[data-testid="ghost-returns"] [data-return]'));
    await waitFor("the track's send slider", () => wd.find('[data-track="phone demo"] [data-testid="track-send"]'));
    await wd.exec(`const el = document.querySelector('[data-track="phone demo"] [data-testid="track-send"]'); el.value = "-12"; el.dispatchEvent(new Event("change", { bubbles: true }));`);
    const sendLabel = await waitFor("the send at −12 dB", async () => {
      const text = await wd.exec(`return document.querySelector('[data-track="phone demo"] [data-testid="track-send"]').parentElement.textContent;`);
      return /−12\.0 dB/.test(text) ? text.trim() : null;
    });
    console.log(`send: ${sendLabel}`);
    // The tracks play live: the clock runs and the track's meter moves.
    await wd.click(await wd.find('[data-testid="ghost-play-tracks"]'));
    const meterSeen = await waitFor("the playing tracks", async () => {
      const w = await wd.exec(`return document.querySelector('[data-track="phone demo"] [data-testid="track-meter"]').style.width;`);
      const clockText = await wd.text(await wd.find('[data-testid="ghost-clock"]'));
      return parseFloat(w) > 0 && clockText !== "0:00" ? `${clockText} meter ${w}` : null;
    }, 20000, 100);
    console.log(`tracks playing: ${meterSeen}`);
    await wd.click(await wd.find('[data-testid="ghost-play-tracks"]'));
    // Tracking. The round trip is calibrated with the screen's button (the null sink's monitor
    // is the default input here: a loopback), then a take recorded after a one-bar count-in
    // while the project plays lands on a new track, placed by the latency compensation; undo
    // takes it away again. With no input at all the screen must say why.
    // Each toast's text, with the studio's English detail when the toast is in Spanish (its tooltip).
    const toastTexts = () =>
      wd.exec(`return [...document.querySelectorAll(".toast")].map((t) => t.querySelector("span").textContent + (t.title ? " [" + t.title + "]" : ""));`);
    const clearToasts = () => wd.exec(`for (const b of document.querySelectorAll(".toast button[aria-label]")) b.click();`);
    // Whatever the calibration says (a measured figure, or why not: no loopback, no device, a
    // sound server whose latency moved meanwhile — then, as the message asks, again) comes as
    // a toast once the button is enabled again.
    let calibrated = "";
    for (let attempt = 0; attempt < 3 && !/(Latency|Latencia): -?[0-9.]+ ms/.test(calibrated); attempt++) {
      // (The same answer twice is a new toast with the same words: start from none.)
      await clearToasts();
      await waitFor("no toasts", async () => (await toastTexts()).length === 0, 5000, 50);
      await wd.click(await wd.find('[data-testid="ghost-calibrate"]'));
      calibrated = await waitFor("the calibration", async () => {
        const button = await wd.text(await wd.find('[data-testid="ghost-calibrate"]'));
        if (/Calibrating|Calibrando/.test(button)) return null;
        return (await toastTexts()).join(" | ") || null;
      }, 60000, 200);
      console.log(`calibration: ${calibrated}`);
    }
    await wd.exec(`const c = document.querySelector('[data-testid="ghost-count-in"]'); c.value = "1"; c.dispatchEvent(new Event("change"));`);
    const tracksBefore = await wd.req("POST", wd.s("/elements"), { using: "css selector", value: "[data-track]" });
    await wd.click(await wd.find('[data-testid="ghost-record"]'));
    const recorder = await waitFor("the recorder", async () => {
      if (await wd.find('[data-testid="ghost-record-stop"]').catch(() => null)) return "recording";
      return (await toastTexts()).find((x) => /input device|dispositivo de audio/.test(x)) ?? null;
    }, 15000, 100);
    if (recorder === "recording") {
      await sleep(3000);
      const saidBefore = new Set(await toastTexts());
      await wd.click(await wd.find('[data-testid="ghost-record-stop"]'));
      await waitFor("the take's track", async () => {
        const track = await wd.find('[data-track="take"]').catch(() => null);
        if (track) return track;
        // A take the studio refused says why in a new toast: fail with its words.
        const refused = (await toastTexts()).find((x) => !saidBefore.has(x) && !/(Take placed on|Toma colocada en)/.test(x));
        if (refused) throw new Error(`the take was not placed: ${refused}`);
        return null;
      }, 40000).catch(async (e) => {
        const stop = await wd.find('[data-testid="ghost-record-stop"]').catch(() => null);
        const busy = await wd.exec(`return document.querySelector('[data-testid="ghost-record"]')?.disabled ?? null;`);
        throw new Error(`${e.message} (stop button still shown: ${!!stop}; record button disabled: ${busy}; toasts: ${(await toastTexts()).join(" | ")})`);
      });
      const placed = await waitFor("the take's note", async () => (await toastTexts()).find((x) => /(Take placed on|Toma colocada en) take/.test(x)) ?? null, 10000);
      console.log(`a take was recorded onto a new track: ${placed}`);
      // Calibrated, the take is placed by the calibration or by its own count-in.
      if (/(Latency|Latencia): -?[0-9.]+ ms/.test(calibrated)) assert.ok(!/not calibrated|sin calibrar/.test(placed), placed);
      await wd.click(await wd.find('[data-testid="ghost-undo"]'));
      await waitFor("the take undone", async () => !(await wd.find('[data-track="take"]').catch(() => null)));
      const tracksAfter = await wd.req("POST", wd.s("/elements"), { using: "css selector", value: "[data-track]" });
      assert.equal(tracksAfter.length, tracksBefore.length);
      await wd.click(await wd.find('[data-testid="ghost-redo"]'));
      await waitFor("the take back", () => wd.find('[data-track="take"]'), 10000);
    } else {
      console.log(`no input device here, and the screen said so: ${recorder}`);
    }
    const ghostPrompt = async () => wd.text(await wd.find('[data-testid="ghost-prompt"]'));
    const neutral = await waitFor("the Ghost Studio prompt", async () => (await ghostPrompt()) || null);
    const garage = await wd.find("#knob-garage");
    await wd.clear(garage);
    await wd.type(garage, "80");
    await waitFor("the prompt to follow Garage", async () => (await ghostPrompt()) !== neutral);
    const laneCount = async () => (await wd.req("POST", wd.s("/elements"), { using: "css selector", value: "[data-track]" })).length;
    const lanesBefore = await laneCount();
    const produceStarted = performance.now();
    await wd.click(await wd.find('[data-testid="ghost-produce"]'));
    await waitFor("the produced backing", async () => (await laneCount()) > lanesBefore, 240000, 500);
    console.log(`backing produced for a 10 s demo in ${((performance.now() - produceStarted) / 1000).toFixed(1)} s`);
    // A mix edit, undone with Ctrl+Z through the screen's button.
    await wd.click(await wd.find('[data-track="phone demo"] [data-testid="track-mute"]'));
    await waitFor("mute on", async () => /\bon\b/.test(await wd.req("GET", wd.s(`/element/${await wd.find('[data-track="phone demo"] [data-testid="track-mute"]')}/attribute/class`))));
    await wd.click(await wd.find('[data-testid="ghost-undo"]'));
    await waitFor("mute undone", async () => !/\bon\b/.test(await wd.req("GET", wd.s(`/element/${await wd.find('[data-track="phone demo"] [data-testid="track-mute"]')}/attribute/class`))));
    await wd.click(await wd.find('[data-testid="ghost-render"]'));
    await waitFor("the rendered mix", async () => /×/.test(await wd.text(await wd.find('[data-testid="ghost-mix"]'))), 120000, 300);
    await wd.click(await wd.find('[data-testid="ghost-ab-switch"]'));
    await wd.click(await wd.find('[data-testid="ghost-export"]'));
    const exported = await waitFor("the export", async () => wd.text(await wd.find('[data-testid="ghost-exported"]')), 120000, 300);
    assert.match(exported, /export[\\/]mix\.wav/, exported);
    assert.match(exported, /stems[\\/]/, exported);

    // Account, signed out and offline: FREE, said quickly, and why.
    const accountStarted = performance.now();
    await wd.click(await wd.find('[data-nav="account"]'));
    const tier = await waitFor("the account's tier", async () => wd.text(await wd.find('[data-testid="account-tier"]')), 10000, 50);
    const accountMs = performance.now() - accountStarted;
    console.log(`Account screen signed out and offline answered in ${accountMs.toFixed(0)} ms`);
    assert.equal(tier, "FREE");
    assert.ok(accountMs < 8000, `the Account screen took ${accountMs} ms offline`);
    assert.equal(await wd.text(await wd.find('[data-testid="account-online"]')), "sin conexión");
    assert.match(await wd.text(await wd.find('[data-testid="account-message"]')), /offline|Sin conexión/);

    // The Pool offline says so instead of hanging.
    await wd.click(await wd.find('[data-nav="pool"]'));
    await waitFor("the pool's offline message", () => wd.find('[data-testid="pool-offline"]'), 15000);

    // Voice: a 2 s sung A3 imported by path, shifted up an octave; the result is listed with its
    // length and loudness-matched A/B gains, and its waveform is drawn through son1k-voice://.
    const voice = join(home, "voz.wav");
    {
      const rate = 44100, frames = rate * 2, data = Buffer.alloc(44 + frames * 2);
      data.write("RIFF", 0); data.writeUInt32LE(36 + frames * 2, 4); data.write("WAVEfmt ", 8);
      data.writeUInt32LE(16, 16); data.writeUInt16LE(1, 20); data.writeUInt16LE(1, 22);
      data.writeUInt32LE(rate, 24); data.writeUInt32LE(rate * 2, 28); data.writeUInt16LE(2, 32);
      data.writeUInt16LE(16, 34); data.write("data", 36); data.writeUInt32LE(frames * 2, 40);
      for (let i = 0; i < frames; i++) {
        const x = [1, 0.5, 0.3].reduce((a, g, h) => a + g * Math.sin(2 * Math.PI * 220 * (h + 1) * (i / rate)), 0) * 0.3;
        data.writeInt16LE(Math.round(x * 32767), 44 + i * 2);
      }
      writeFileSync(voice, data);
    }
    await wd.click(await wd.find('[data-nav="voice"]'));
    await wd.type(await wd.find('[data-testid="voice-path"]'), voice);
    await wd.click(await wd.find('[data-testid="voice-import"]'));
    await waitFor("the imported recording", async () => (await wd.text(await wd.find('[data-testid="voice-source"]'))) === "voz.wav", 20000);
    const semis = await wd.find('[data-testid="voice-semitones"]');
    await wd.clear(semis);
    await wd.type(semis, "12");
    const voiceStarted = performance.now();
    await wd.click(await wd.find('[data-testid="voice-transform"]'));
    const voiceResult = await waitFor("the transformed voice", async () => wd.text(await wd.find('[data-testid="voice-result"]')), 60000, 100);
    console.log(`voice +12 transform of 2 s shown in ${((performance.now() - voiceStarted) / 1000).toFixed(1)} s: ${voiceResult}`);
    assert.match(voiceResult, /^voz\.transformed\.wav · 2\.0\d s/, voiceResult);
    assert.ok(existsSync(join(home, "son1k", "data", "voice", "voz.transformed.wav")), "the transform's file");
    await waitFor("matched A/B gains", async () => /×\d/.test(await wd.text(await wd.find('[data-testid="voice-ab-b"]'))), 30000);
    // Pitch correction to the key heard in the recording, with the shift back at 0.
    await wd.clear(semis);
    await wd.type(semis, "0");
    await wd.click(await wd.find('[data-testid="voice-correct-key"] option[value="auto"]'));
    await waitFor("the strength slider", () => wd.find('[data-testid="voice-correct-strength"]'), 5000);
    const untuned = statSync(join(home, "son1k", "data", "voice", "voz.transformed.wav")).mtimeMs;
    await wd.click(await wd.find('[data-testid="voice-transform"]'));
    const heard = await waitFor("the heard key", async () => {
      const label = await wd.text(await wd.find('[data-testid="voice-correct-key"] option[value="auto"]'));
      return /\((?:[A-G][#b]? (?:major|minor)|(?:Do|Re|Mi|Fa|Sol|La|Si)[#b♭]? (?:mayor|menor))\)/.test(label) ? label : null;
    }, 60000, 100);
    // The corrected take is a new result beside the first, which is kept as it was.
    await waitFor("the corrected file", async () => /^voz\.transformed-2\.wav/.test(await wd.text(await wd.find('[data-testid="voice-result"]'))), 60000, 100);
    assert.ok(existsSync(join(home, "son1k", "data", "voice", "voz.transformed-2.wav")), "the corrected file");
    assert.equal(statSync(join(home, "son1k", "data", "voice", "voz.transformed.wav")).mtimeMs, untuned, "the first result is not overwritten");
    const listed = await wd.exec(`return [...document.querySelectorAll('[data-testid="voice-result-row"]')].map((r) => r.dataset.file);`);
    assert.deepEqual(listed, ["voz.transformed-2.wav", "voz.transformed.wav"]);
    console.log(`pitch correction to the recording's key: ${heard}`);

    if (process.env.SON1K_SCREENSHOT) {
      await wd.click(await wd.find('[data-testid="lang-switch"] option[value="en"]'));
      await sleep(500);
      const out = resolve(root, process.env.SON1K_SCREENSHOT);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, Buffer.from(await wd.screenshot(), "base64"));
      console.log(`screenshot written to ${out}`);
    }
    await wd.quit();
  } catch (e) {
    console.error(logs.join("").slice(-4000));
    throw e;
  }
});
