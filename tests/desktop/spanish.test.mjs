// Desktop end-to-end, a Spanish-speaking musician's first look: the app starts on a system whose
// language is Spanish, in a 1024×700 window, with one song already generated. Every screen is
// visited; on each, no text the page shows (text, placeholders, the options of its menus) may be
// an English sentence from the UI's own tables or read as English, and no control may stick out
// of its card, nor a card out of the page. Then another output device is chosen in Settings and
// Ghost Studio plays on it.
//
// Run with `make e2e` (builds the app and the CLI first).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { app, launch, root, sleep, waitFor } from "./harness.mjs";

const cli = join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug", "son1k");

/** The `"key": "text",` lines of one of the UI's language tables. */
function table(lang) {
  const text = readFileSync(join(root, "ui/src/lib/i18n", `${lang}.ts`), "utf8");
  const out = new Map();
  for (const m of text.matchAll(/^\s*"([^"]+)":\s*("(?:[^"\\]|\\.)*"),?$/gm)) out.set(m[1], JSON.parse(m[2]));
  return out;
}

/**
 * The English fragments to look for: each English text (split at its {placeholders}) that the
 * Spanish table does not also use, at least two words or eight letters (short words such as
 * "Pool", "Tempo" or "BPM" are the same in both languages).
 */
function englishFragments() {
  const en = table("en");
  const es = table("es");
  assert.ok(en.size > 300 && es.size === en.size, `language tables read: ${en.size} en, ${es.size} es`);
  const spanish = [...es.values()].join("\n");
  const fragments = new Set();
  for (const [key, text] of en) {
    if (es.get(key) === text) continue;
    for (const part of text.split(/\{[a-z_]+\}/)) {
      const f = part.trim().replace(/^[\s:;,.—–(]+|[\s:;,.—–)]+$/g, "");
      const words = f.split(/\s+/).filter((w) => /[a-z]/i.test(w));
      if ((words.length >= 2 || f.replace(/[^a-z]/gi, "").length >= 8) && !spanish.includes(f)) fragments.add(f);
    }
  }
  return [...fragments];
}

// Words only English uses, and the least a line needs of them to read as English (engine text
// such as "could not read the file" that no table holds).
const ENGLISH_WORDS = ["the", "and", "is", "with", "from", "this", "could", "cannot", "failed", "found", "should", "your", "you", "are", "was", "not", "will", "has", "have", "been", "which", "there", "when"];

/** The text a person sees on the page now: rendered text, placeholders and menu options, a line each. */
const VISIBLE_TEXT = `
  const lines = document.body.innerText.split("\\n");
  for (const el of document.querySelectorAll("input[placeholder], textarea[placeholder]")) lines.push(el.placeholder);
  for (const el of document.querySelectorAll("option")) lines.push(el.textContent);
  return lines.map((l) => l.trim()).filter(Boolean);
`;

/** Controls outside their card, cards outside the page, and bars drawn with no width. */
const LAYOUT_FAULTS = `
  const faults = [];
  const name = (el) => el.tagName.toLowerCase() + (el.dataset.testid ? "[" + el.dataset.testid + "]" : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.split(" ").filter(Boolean).join(".") : "") +
    " \\"" + (el.innerText || el.value || el.placeholder || "").trim().slice(0, 30) + "\\"";
  const main = document.querySelector("main");
  const page = main.getBoundingClientRect();
  if (main.scrollWidth > main.clientWidth + 1) faults.push("the page scrolls sideways: " + main.scrollWidth + " > " + main.clientWidth);
  for (const card of main.querySelectorAll(".card")) {
    const c = card.getBoundingClientRect();
    if (c.width === 0) continue;
    if (c.right > page.right + 1) faults.push("card past the page's right edge by " + Math.round(c.right - page.right) + " px: " + name(card));
    for (const el of card.querySelectorAll("button, input, select, textarea, progress, [role=progressbar]")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none") continue;
      // Inside a part that scrolls sideways on purpose (the tracks' timeline), the part is the box.
      let box = c;
      for (let p = el.parentElement; p && p !== card; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden") { box = p.getBoundingClientRect(); break; }
      }
      if (r.right > box.right + 1 || r.left < box.left - 1) faults.push(name(el) + " sticks out of its card by " + Math.round(Math.max(r.right - box.right, box.left - r.left)) + " px");
      if (el.matches("progress, [role=progressbar]") && r.width < 8) faults.push(name(el) + " is " + Math.round(r.width) + " px wide");
    }
  }
  return faults;
`;

test("in Spanish at 1024×700 every screen speaks Spanish and keeps its controls inside their cards; an output chosen in Settings plays Ghost Studio", { timeout: 600000 }, async (t) => {
  assert.ok(existsSync(cli), `build the CLI first (cargo build --workspace --bins): ${cli} is missing`);
  // The system's language is Spanish (a locale this machine need not have installed): the app
  // must start in Spanish with nothing chosen.
  const { wd, home, logs } = await launch(t, { env: { LANG: "es_ES.UTF-8" } });
  const fragments = englishFragments();
  try {
    // One song in the library, so the Generator, Release and Visual screens have a take to show.
    const take = join(home, "son1k", "data", "songs", "bolero-1");
    const gen = spawnSync(cli, ["generate", "bolero romántico en La menor", "--seconds", "6", "--seed", "2", "-o", take], {
      env: { ...process.env, SON1K_HOME: join(home, "son1k") },
      encoding: "utf8",
    });
    assert.equal(gen.status, 0, `son1k generate: ${gen.stderr}`);
    // And a Ghost Studio project of its stems with a reverb return and a send, to walk the mixer.
    const cliIn = (args) => {
      const r = spawnSync(cli, args, { env: { ...process.env, SON1K_HOME: join(home, "son1k") }, encoding: "utf8" });
      assert.equal(r.status, 0, `son1k ${args.join(" ")}: ${r.stderr}`);
    };
    cliIn(["project", "new", "maqueta"]);
    for (const stem of ["drums", "bass", "keys"]) {
      if (existsSync(join(take, "stems", `${stem}.wav`))) cliIn(["project", "add", "maqueta", join(take, "stems", `${stem}.wav`)]);
    }
    cliIn(["project", "edit", "maqueta", JSON.stringify({ kind: "add_return", name: "Reverb", fx: [{ type: "reverb", room: 0.8, damping: 0.4, wet: 1, dry: 0 }] })]);

    await wd.newSession(app);
    await waitFor("first paint", () => wd.find('[data-nav="dashboard"]'), 60000, 50);
    await wd.req("POST", wd.s("/window/rect"), { width: 1024, height: 700 });
    const size = await waitFor("a 1024 px window", async () => {
      const w = await wd.exec("return [window.innerWidth, window.innerHeight];");
      return Math.abs(w[0] - 1024) <= 16 ? w : null;
    }, 10000);
    console.log(`window ${size[0]}×${size[1]}`);
    assert.equal(await wd.exec("return document.documentElement.lang;"), "es", "the system's Spanish picks the first language");

    const screens = await wd.exec(`return [...document.querySelectorAll("[data-nav]")].map((b) => b.dataset.nav);`);
    assert.ok(screens.length >= 10, `screens: ${screens}`);
    const problems = [];
    const look = async (screen) => {
      const lines = await wd.exec(VISIBLE_TEXT);
      for (const line of lines) {
        const hit = fragments.find((f) => line.includes(f));
        if (hit) {
          problems.push(`${screen}: English "${hit}" in "${line.slice(0, 120)}"`);
          continue;
        }
        const words = new Set(line.toLowerCase().split(/[^a-z']+/).filter((w) => ENGLISH_WORDS.includes(w)));
        if (words.size >= 2) problems.push(`${screen}: reads as English (${[...words].join(", ")}): "${line.slice(0, 120)}"`);
      }
      for (const fault of await wd.exec(LAYOUT_FAULTS)) problems.push(`${screen}: ${fault}`);
    };
    for (const screen of screens) {
      await wd.click(await wd.find(`[data-nav="${screen}"]`));
      // Each screen loads what it shows (the library, the devices, the account) on arrival.
      await sleep(1500);
      await look(screen);
    }
    // Ghost Studio with the project open (from the Dashboard's library): its tracks, mixer,
    // sends, return and transport.
    await wd.click(await wd.find('[data-nav="dashboard"]'));
    const open = await waitFor("the project in the library", () => wd.find('[data-testid="library-entry"][data-type="project"] button'), 15000);
    await wd.click(open);
    await waitFor("the project's tracks", async () => (await wd.req("POST", wd.s("/elements"), { using: "css selector", value: "[data-track]" })).length >= 2, 30000);
    await sleep(1500);
    await look("ghost (project open)");
    assert.deepEqual(problems, [], `\n${problems.join("\n")}`);

    // Settings: another output device chosen by name is the one Ghost Studio then plays on
    // (ALSA's "pulse" beside its "default" on the PulseAudio machine scripts/virtual-audio.sh makes).
    await wd.click(await wd.find('[data-nav="settings"]'));
    const outputs = await waitFor("the output menu", async () => {
      const o = await wd.exec(`return [...document.querySelectorAll('[data-testid="settings-output"] option')].map((o) => o.value);`);
      return o.length > 1 ? o : null;
    }, 15000);
    if (!outputs.includes("pulse")) {
      assert.ok(!process.env.CI, `CI: no "pulse" output to choose among ${outputs}`);
      console.log(`no "pulse" output here (${outputs.join(", ")}): the device choice is not checked`);
      return;
    }
    await wd.exec(`const s = document.querySelector('[data-testid="settings-output"]'); s.value = "pulse"; s.dispatchEvent(new Event("change", { bubbles: true }));`);
    await waitFor("the choice saved", async () => /pulse/.test(await wd.text(await wd.find('[data-testid="settings-in-use"]'))), 10000);
    await wd.click(await wd.find('[data-nav="ghost"]'));
    await wd.click(await waitFor("the play button", () => wd.find('[data-testid="ghost-play-tracks"]'), 10000));
    const device = await waitFor("playback on the chosen device", async () => {
      const d = await wd.exec(`return globalThis.__son1kEngineLast?.device ?? null;`);
      return d === "pulse" ? d : null;
    }, 20000).catch(async (e) => {
      throw new Error(`${e.message}: the engine says ${JSON.stringify(await wd.exec(`return globalThis.__son1kEngineLast ?? null;`))}`);
    });
    console.log(`Settings chose the output "pulse"; Ghost Studio plays on ${device}`);
    await wd.click(await wd.find('[data-testid="ghost-play-tracks"]'));
  } catch (e) {
    console.error(logs.slice(-40).join(""));
    throw e;
  }
});
