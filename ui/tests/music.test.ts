import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { correctionKeys } from "../src/lib/account";
import type { Override } from "../src/lib/bindings";
import { overrideText, stemList, takeLabel } from "../src/lib/generator";
import { GENRE_IDS, genreName, INSTRUMENT_IDS, instrumentName, keyName, music, STEM_IDS, translate, type MessageKey } from "../src/lib/i18n";

// Every tonic the engines write, with its Spanish name (flats as ♭).
const TONICS: [string, string][] = [
  ["C", "Do"], ["C#", "Do#"], ["Db", "Re♭"], ["D", "Re"], ["D#", "Re#"], ["Eb", "Mi♭"], ["E", "Mi"],
  ["F", "Fa"], ["F#", "Fa#"], ["Gb", "Sol♭"], ["G", "Sol"], ["G#", "Sol#"], ["Ab", "La♭"], ["A", "La"],
  ["A#", "La#"], ["Bb", "Si♭"], ["B", "Si"],
];

describe("key names", () => {
  it("reads every tonic in both modes and names it in Spanish, English unchanged", () => {
    for (const [tonic, es] of TONICS) {
      expect(keyName(`${tonic} major`, "es")).toBe(`${es} mayor`);
      expect(keyName(`${tonic} minor`, "es")).toBe(`${es} menor`);
      expect(keyName(`${tonic} major`, "en")).toBe(`${tonic} major`);
      expect(keyName(`${tonic} minor`, "en")).toBe(`${tonic} minor`);
    }
    expect(keyName("D minor", "es")).toBe("Re menor");
    expect(keyName("F# major", "es")).toBe("Fa# mayor");
    expect(keyName("Bb minor", "es")).toBe("Si♭ menor");
  });

  it("accepts the sharp and flat signs, any case and spaces around", () => {
    expect(keyName("F♯ minor", "es")).toBe("Fa# menor");
    expect(keyName("B♭ Major", "es")).toBe("Si♭ mayor");
    expect(keyName("  e minor ", "es")).toBe("Mi menor");
    expect(keyName("b minor", "es")).toBe("Si menor");
    expect(keyName("bb minor", "en")).toBe("Bb minor");
  });

  it("shows anything else as it came, and never a blank", () => {
    for (const raw of ["H minor", "D dorian", "La menor", "Dm", "C", "unknown", "F## minor", "D minor 7"]) {
      expect(keyName(raw, "es")).toBe(raw);
      expect(keyName(raw, "en")).toBe(raw);
    }
    expect(keyName("", "es")).toBe("—");
    expect(keyName("   ", "en")).toBe("—");
    expect(keyName(null, "es")).toBe("—");
    expect(keyName(undefined, "en")).toBe("—");
  });

  it("names the Voice screen's correction keys the same way", () => {
    const es = correctionKeys("es");
    expect(es).toHaveLength(24);
    for (const k of es) {
      expect(k.label).toBe(keyName(k.value, "es"));
      expect(k.label).toMatch(/^(Do|Re|Mi|Fa|Sol|La|Si)[#♭]? (mayor|menor)$/);
    }
    for (const k of correctionKeys("en")) expect(k.label).toBe(k.value);
  });
});

describe("genre and instrument names", () => {
  it("has a name in both languages for every genre, instrument and stem, and nothing else", () => {
    for (const lang of ["en", "es"] as const) {
      expect(Object.keys(music[lang].genres).sort()).toEqual([...GENRE_IDS].sort());
      expect(Object.keys(music[lang].instruments).sort()).toEqual([...new Set([...INSTRUMENT_IDS, ...STEM_IDS])].sort());
      for (const [id, name] of [...Object.entries(music[lang].genres), ...Object.entries(music[lang].instruments)]) {
        expect(name.trim(), `${lang}:${id}`).not.toBe("");
      }
    }
  });

  it("names genres in Spanish and reads ids, English names and any case", () => {
    expect(genreName("reggaeton", "es")).toBe("reguetón");
    expect(genreName("classical", "es")).toBe("clásica");
    expect(genreName("ballad", "es")).toBe("balada");
    expect(genreName("electronic", "es")).toBe("electrónica");
    expect(genreName("hip-hop", "en")).toBe("hip hop");
    expect(genreName("drum-and-bass", "es")).toBe("drum & bass");
    expect(genreName("rnb", "en")).toBe("R&B");
    expect(genreName("House", "es")).toBe("house");
    expect(genreName("hip hop", "es")).toBe("hip hop");
    for (const id of GENRE_IDS) {
      expect(genreName(id, "es")).toBe(music.es.genres[id]);
      expect(genreName(id, "en")).toBe(music.en.genres[id]);
    }
    expect(genreName("zydeco", "es")).toBe("zydeco");
    expect(genreName(null, "es")).toBe("—");
  });

  it("names instruments and stems in Spanish, anything else as it came", () => {
    expect(instrumentName("drums", "es")).toBe("batería");
    expect(instrumentName("bass", "es")).toBe("bajo");
    expect(instrumentName("vocal", "es")).toBe("voz");
    expect(instrumentName("electric piano", "es")).toBe("piano eléctrico");
    expect(instrumentName("strings-2", "es")).toBe("cuerdas 2");
    expect(instrumentName("drums", "en")).toBe("drums");
    expect(instrumentName("guitar2", "en")).toBe("guitar 2");
    expect(instrumentName("theremin", "es")).toBe("theremin");
    expect(instrumentName("", "es")).toBe("—");
  });

  it("says a take's summary, stems and overrides in the display language", () => {
    const take = { genre: "reggaeton", bpm: 92, key: "A minor" };
    expect(takeLabel(take, "es")).toBe("reguetón · 92 BPM · La menor");
    expect(takeLabel(take, "en")).toBe("reggaeton · 92 BPM · A minor");
    expect(takeLabel({ genre: "house", bpm: 124, key: "F# minor" }, "en")).toBe("house · 124 BPM · F# minor");
    expect(takeLabel({ genre: "zydeco", bpm: 100, key: "?" }, "es")).toBe("zydeco · 100 BPM · ?");
    expect(stemList(["drums", "bass", "keys", "pad", "lead", "vocal"], "es")).toBe("batería, bajo, teclados, pad, melodía, voz");
    expect(stemList(["drums", "bass"], "en")).toBe("drums, bass");

    const es = (k: MessageKey) => translate("es", k);
    const key: Override = { kind: "key", reason: "field-wins", asked: "D minor", got: "Bb major", detail: "" };
    expect(overrideText(key, es, "es")).toBe("Tonalidad: el prompt dice Re menor y el campo de tonalidad Si♭ mayor — manda el campo");
    const genre: Override = { kind: "genre", reason: "style-family", asked: "latin", got: "reggaeton", detail: "" };
    expect(overrideText(genre, es, "es")).toBe("Género: latina aún no tiene arreglo propio; lo toca el estilo reguetón");
    const instrument: Override = { kind: "instrument", reason: "not-played", asked: "electric guitar", got: "", detail: "" };
    expect(overrideText(instrument, es, "es")).toBe("Instrumento: se pidió guitarra eléctrica, pero este arreglo no lo toca");
    // Numbers stay numbers.
    const bpm: Override = { kind: "bpm", reason: "field-wins", asked: "90", got: "120", detail: "" };
    expect(overrideText(bpm, es, "es")).toBe("Tempo: el prompt dice 90 BPM y el campo de tempo 120 BPM — manda el campo");
  });
});

// The identifiers the engines write, read from their Rust sources (when this checkout has them),
// so a genre, instrument or stem added there without names here fails this test.
const crates = fileURLToPath(new URL("../../crates/", import.meta.url));
const haveSources = existsSync(join(crates, "son1k-core/src/genre.rs"));

/** The Rust files under `dir`, inline test modules cut off, test files left out. */
function rustSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return rustSources(path);
    if (!name.endsWith(".rs") || name === "tests.rs") return [];
    const text = readFileSync(path, "utf8");
    const tests = text.search(/#\[cfg\(test\)\]\s*mod \w+\s*\{/);
    return [tests >= 0 ? text.slice(0, tests) : text];
  });
}

const all = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]);

describe.skipIf(!haveSources)("the engines' identifiers", () => {
  it("names every genre son1k-core knows", () => {
    const rs = readFileSync(join(crates, "son1k-core/src/genre.rs"), "utf8");
    const ids = all(rs, /\(\s*Genre::\w+,\s*"([^"]+)"/g);
    expect(ids.length).toBeGreaterThanOrEqual(29);
    expect([...ids].sort()).toEqual([...GENRE_IDS].sort());
  });

  it("names every instrument a prompt can ask for", () => {
    const rs = readFileSync(join(crates, "son1k-compose/src/brief/instruments.rs"), "utf8");
    const body = rs.slice(rs.indexOf("pub fn id(self)"));
    const ids = all(body.slice(0, body.indexOf("\n    }\n")), /Instrument::\w+ => "([^"]+)"/g);
    expect(ids.length).toBeGreaterThanOrEqual(31);
    expect([...ids].sort()).toEqual([...INSTRUMENT_IDS].sort());
  });

  it("names every stem the arrangement writes", () => {
    const src = rustSources(join(crates, "son1k-compose/src")).join("\n");
    const stems = new Set([
      ...all(src, /\bname: "([^"]+)"\.into\(\)/g),
      ...all(src, /\blayer\(\s*"([^"]+)"/g),
      // Second layers of the same kind are renamed to stay unique.
      ...all(src, /"[a-z]+" => "([a-z]+-2|extra)"/g),
    ]);
    expect(stems.size).toBeGreaterThanOrEqual(30);
    for (const stem of stems) expect(STEM_IDS as readonly string[], stem).toContain(stem);
  });
});
