import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { rustFiles } from "./rust-sources";
import { jobKindName, STAGE_KEYS, stageName, textOr, translate } from "../src/lib/i18n";

const crates = fileURLToPath(new URL("../../crates", import.meta.url));


/** The stage literals the engines report: Progress::new(_, "…"), progress_stage(_, Some("…")), report("…".into(), _). */
function reportedStages(): Set<string> {
  const found = new Set<string>();
  const patterns = [
    /Progress::new\([^,()]*(?:\([^()]*\))?[^,()]*,\s*"([^"]+)"\)/g,
    /progress_stage\([^;]*?Some\("([^"]+)"\)\)/g,
    /report\("([^"]+)"\.into\(\)/g,
    /Cow::Borrowed\("([^"]+)"\)/g,
  ];
  for (const file of rustFiles(crates)) {
    // Unit tests sit at the end of a file, after #[cfg(test)]: their stages are not the engines'.
    const text = readFileSync(file, "utf8").split("#[cfg(test)]")[0];
    for (const re of patterns) for (const m of text.matchAll(re)) found.add(m[1]);
  }
  return found;
}

describe("progress stages", () => {
  it("every stage an engine reports has a name in both languages", () => {
    const stages = reportedStages();
    // The scan reads the engines: the generator's, Ghost Studio's, the voice's and the video's stages.
    for (const known of ["composing", "mastering", "analysing the demo", "encode", "cover", "queued"]) {
      expect(stages, known).toContain(known);
    }
    for (const stage of stages) {
      expect(STAGE_KEYS[stage], `stage "${stage}" has no message`).toBeDefined();
      expect(stageName(stage, "es")).not.toBe(stage);
      expect(stageName(stage, "en").length).toBeGreaterThan(0);
    }
  });

  it("names the part being rendered in the reader's language", () => {
    expect(stageName("rendering drums", "es")).toBe("sintetizando: batería");
    expect(stageName("rendering bass", "en")).toBe("rendering the bass");
    expect(stageName("analysing the demo", "es")).toBe(translate("es", "stage.analysingDemo"));
    expect(stageName("vocode", "es")).toBe("sintetizando");
  });

  it("shows an unknown stage as it came and an empty one as nothing", () => {
    expect(stageName("warming up", "es")).toBe("warming up");
    expect(stageName("", "es")).toBe("");
    expect(stageName(null, "en")).toBe("");
  });
});

describe("job kinds and engines", () => {
  const read = (file: string) => readFileSync(join(crates, file), "utf8");

  it("every job kind the studio runs and every engine it lists has names in both languages", () => {
    const lib = read("son1k-app/src/lib.rs");
    const works = lib.slice(lib.indexOf("pub fn job_works"), lib.indexOf("pub fn recover_jobs"));
    const kinds = [...works.matchAll(/\("([a-z-]+)"\.to_string\(\)/g)].map((m) => m[1]);
    for (const [file, name] of [["son1k-app/src/voice.rs", "CONVERT_JOB"], ["son1k-app/src/visual.rs", "RENDER_JOB"]]) {
      const m = new RegExp(`pub const ${name}: &str = "([a-z-]+)"`).exec(read(file));
      expect(m, name).not.toBeNull();
      kinds.push(m![1]);
    }
    expect(kinds.length).toBeGreaterThanOrEqual(4);
    for (const kind of kinds) {
      expect(jobKindName(kind, "es"), kind).not.toBe(kind);
      expect(jobKindName(kind, "en"), kind).not.toBe(kind);
    }
    const engines = [...read("son1k-app/src/info.rs").matchAll(/id: "([a-z-]+)"\.into\(\)/g)].map((m) => m[1]);
    expect(engines).toContain("procedural");
    for (const id of engines) {
      for (const part of ["name", "status"]) {
        expect(textOr("es", `dash.engine.${id}.${part}`, "—"), `${id} ${part}`).not.toBe("—");
      }
    }
    expect(jobKindName("brand-new", "es")).toBe("brand-new");
  });
});
