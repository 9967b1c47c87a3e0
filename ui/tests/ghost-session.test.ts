import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ProjectView } from "../src/lib/bindings";

// The studio, as Ghost Studio's session calls it: each command answers like the shell's bindings
// ({ status, data }) and records what it was asked.
type Answer = { status: "ok"; data: unknown };
const asked: { command: string; args: unknown[] }[] = [];
let pending: Record<string, (data: unknown) => void> = {};

function view(folder: string): ProjectView {
  return {
    name: folder,
    folder,
    dir: folder,
    knobs: { expressivity: 50, rareza: 0, garage: 0, trash: 0 },
    tracks: [],
    master_fx: [],
    can_undo: false,
    can_redo: false,
    damaged: null,
    tempo: saved[folder]?.tempo ?? null,
    markers: saved[folder]?.markers ?? [],
  };
}

/** What the mocked studio saved per project folder (the tempo and markers commands). */
let saved: Record<string, { tempo?: ProjectView["tempo"]; markers?: ProjectView["markers"] }> = {};

/** A command that answers at once with `data(args)`. */
const now = (command: string, data: (...args: unknown[]) => unknown) => (...args: unknown[]): Promise<Answer> => {
  asked.push({ command, args });
  return Promise.resolve({ status: "ok", data: data(...args) });
};
/** A command that answers when the test calls `pending[command](data)`. */
const later = (command: string) => (...args: unknown[]): Promise<Answer> => {
  asked.push({ command, args });
  return new Promise((resolve) => (pending[command] = (data) => resolve({ status: "ok", data })));
};

vi.mock("../src/lib/api", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/lib/api")>();
  return {
    ...real,
    inDesktopApp: () => true,
    onEvent: () => () => {},
    get: async <T>(run: () => Promise<T>) => run(),
    call: async <T>(run: () => Promise<{ status: "ok"; data: T }>) => (await run()).data,
    commands: {
      libraryEntries: now("libraryEntries", () => []),
      presets: now("presets", () => []),
      projectCreate: now("projectCreate", (name) => view(`/projects/${String(name)}`)),
      projectOpen: now("projectOpen", (folder) => view(String(folder))),
      projectAnalyze: later("projectAnalyze"),
      projectSpectrum: now("projectSpectrum", () => ({ hz: [], db: [] })),
      projectProduce: later("projectProduce"),
      projectRender: later("projectRender"),
      projectAbGains: now("projectAbGains", () => [0.5, 0.8]),
      projectExport: now("projectExport", () => ["mix.wav"]),
      projectMetronome: now("projectMetronome", () => null),
      projectSeek: now("projectSeek", () => null),
      projectPlay: now("projectPlay", () => ({ seconds: 0, playing: true, finished: false, device: "test", deadline_misses: 0, tracks: [], master: [0, 0], events: [] })),
      projectStop: now("projectStop", () => ({ seconds: 0, playing: false, finished: false, device: "test", deadline_misses: 0, tracks: [], master: [0, 0], events: [] })),
      pickPath: now("pickPath", () => "/picked"),
      cancelTask: now("cancelTask", () => true),
      projectSetTempo: now("projectSetTempo", (folder, tempo) => {
        saved[String(folder)] = { ...saved[String(folder)], tempo: tempo as ProjectView["tempo"] };
        return view(String(folder));
      }),
      projectSetMarkers: now("projectSetMarkers", (folder, markers) => {
        saved[String(folder)] = { ...saved[String(folder)], markers: markers as ProjectView["markers"] };
        return view(String(folder));
      }),
    },
  };
});

const { GhostSession, forgetGhostState } = await import("../src/screens/ghost-studio/session.svelte");
const { tasks } = await import("../src/lib/tasks.svelte");

const A = "/projects/a";
const B = "/projects/b";
const tick = () => new Promise((r) => setTimeout(r, 0));
const calls = (command: string) => asked.filter((c) => c.command === command).map((c) => c.args);

beforeEach(() => {
  forgetGhostState();
  saved = {};
  asked.length = 0;
  pending = {};
});

describe("Ghost Studio keeps each project's own state", () => {
  it("starts another project from defaults and finds the first one as it was left", async () => {
    const s = new GhostSession();
    await s.create("a");
    expect(s.project?.folder).toBe(A);
    s.form.producePrompt = "with strings";
    s.form.seed = "42";
    s.form.quality = "high";
    s.form.exportDir = "/exports/a";
    s.form.importPath = "/music/take.wav";
    s.ab = { side: "b", gains: [0.5, 0.8] };
    s.mix = "renders/mix.wav";
    s.exported = ["mix.wav"];

    await s.create("b");
    expect(s.project?.folder).toBe(B);
    expect(s.form.producePrompt).toBe("");
    expect(s.form.seed).toBe("1");
    expect(s.form.quality).toBe("standard");
    expect(s.form.exportDir).toBe("");
    expect(s.form.importPath).toBe("");
    expect(s.ab).toEqual({ side: "a", gains: [1, 1] });
    expect(s.mix).toBeNull();
    expect(s.exported).toEqual([]);
    s.form.producePrompt = "faster drums";

    await s.openProject(A);
    expect(s.project?.folder).toBe(A);
    expect(s.form.producePrompt).toBe("with strings");
    expect(s.form.seed).toBe("42");
    expect(s.form.quality).toBe("high");
    expect(s.form.exportDir).toBe("/exports/a");
    expect(s.ab).toEqual({ side: "b", gains: [0.5, 0.8] });
    expect(s.mix).toBe("renders/mix.wav");
    expect(s.exported).toEqual(["mix.wav"]);

    await s.openProject(B);
    expect(s.form.producePrompt).toBe("faster drums");
    expect(s.ab.side).toBe("a");
  });

  it("keeps the state when the screen is left and a new session is made", async () => {
    const first = new GhostSession();
    await first.create("a");
    first.form.producePrompt = "lo-fi";
    first.close();
    first.loop = { start: 1, end: 3 };
    const again = new GhostSession();
    expect(again.project?.folder).toBe(A);
    expect(again.form.producePrompt).toBe("lo-fi");
    // Its transport plays the open project, inside its loop region.
    await again.tracks.play(0);
    expect(calls("projectPlay").at(-1)).toEqual([A, 0, [1, 3]]);
  });

  it("gives a project created again in a folder used before fresh state", async () => {
    const s = new GhostSession();
    await s.create("a");
    s.form.producePrompt = "old words";
    s.mix = "renders/mix.wav";
    await s.create("b");
    await s.create("a");
    expect(s.form.producePrompt).toBe("");
    expect(s.mix).toBeNull();
  });

  it("keeps the name typed for a new project apart from any project", async () => {
    const s = new GhostSession();
    await s.create("a");
    s.newName = "next song";
    await s.openProject(B);
    expect(s.newName).toBe("next song");
    await s.create();
    expect(s.project?.folder).toBe("/projects/next song");
    expect(s.newName).toBe("");
  });

  it("lands a production that ends after a switch in its own project, leaving the open one as it is", async () => {
    const s = new GhostSession();
    await s.create("a");
    s.form.producePrompt = "with strings";
    s.mix = "renders/mix.wav";
    const producing = s.produce();
    await tick();
    expect(calls("projectProduce")[0]?.slice(1, 3)).toEqual([A, "with strings"]);
    const jobA = s.job;
    expect(tasks.find(jobA)).not.toBeNull();

    await s.create("b");
    s.mix = "renders/b-mix.wav";
    expect(s.job).toBeNull();
    pending.projectProduce({ ...view(A), tracks: [] });
    await producing;

    expect(s.project?.folder).toBe(B);
    expect(s.mix).toBe("renders/b-mix.wav");
    expect(tasks.find(jobA)).toBeNull();
    await s.openProject(A);
    // The backing changed project A: its old mix is gone, and nothing is running there.
    expect(s.mix).toBeNull();
    expect(s.job).toBeNull();
  });

  it("puts a render that ends after a switch in its own project", async () => {
    const s = new GhostSession();
    await s.create("a");
    const rendering = s.render();
    await tick();
    await s.create("b");
    pending.projectRender("renders/a-mix.wav");
    await rendering;
    expect(s.mix).toBeNull();
    await s.openProject(A);
    expect(s.mix).toBe("renders/a-mix.wav");
  });

  it("puts an analysis that ends after a switch in its own project", async () => {
    const s = new GhostSession();
    await s.create("a");
    const analysing = s.analyze();
    await tick();
    await s.create("b");
    pending.projectAnalyze({ file: "demo.wav", seconds: 10, bpm: 120, bpm_confidence: 1, meter: 4, key: "D minor", key_confidence: 1, sections: [] });
    await analysing;
    expect(s.analysis).toBeNull();
    await s.openProject(A);
    expect(s.analysis?.key).toBe("D minor");
  });

  it("clears the loop region for another project and sets it again on return", async () => {
    const s = new GhostSession();
    await s.create("a");
    s.loop = { start: 2, end: 6 };
    s.tracks.setLoop(s.loop);
    await s.create("b");
    expect(s.loop).toBeNull();
    await s.tracks.play(0);
    expect(calls("projectPlay").at(-1)).toEqual([B, 0, null]);

    asked.length = 0;
    await s.openProject(A);
    expect(s.loop).toEqual({ start: 2, end: 6 });
    expect(calls("projectSeek").at(-1)).toEqual([A, null, [2, 6]]);
  });

  it("keeps the metronome per project and tells the studio again on return", async () => {
    const s = new GhostSession();
    await s.create("a");
    s.click = { on: true, inExport: true, countIn: 2 };
    await s.create("b");
    expect(s.click).toEqual({ on: false, inExport: false, countIn: 0 });
    asked.length = 0;
    await s.openProject(A);
    await tick();
    expect(s.click).toEqual({ on: true, inExport: true, countIn: 2 });
    expect(calls("projectMetronome")).toEqual([[A, { bpm: 120, beats_per_bar: 4, level_db: -12, in_export: true }]]);
  });

  it("plays the metronome in the project's tempo when one is set, the analysis' otherwise", async () => {
    const s = new GhostSession();
    await s.create("a");
    s.click = { on: true, inExport: false, countIn: 1 };
    s.analysis = { file: "demo.wav", seconds: 10, bpm: 96, bpm_confidence: 1, meter: 3, key: "D minor", key_confidence: 1, sections: [] };
    expect(s.metronome()).toMatchObject({ bpm: 96, beats_per_bar: 3 });
    asked.length = 0;
    s.setTempo({ bpm: 140, beats: 4 });
    await tick();
    expect(calls("projectMetronome")).toEqual([[A, { bpm: 140, beats_per_bar: 4, level_db: -12, in_export: false }]]);
    // Another project keeps its own tempo; coming back finds this one's.
    await s.create("b");
    expect(s.tempo).toBeNull();
    await s.openProject(A);
    expect(s.projectTempo()).toEqual({ bpm: 140, beats: 4 });
    expect(calls("projectSetTempo")).toEqual([[A, { bpm: 140, beats: 4 }]]);
    s.setTempo(null);
    expect(s.metronome()).toMatchObject({ bpm: 96, beats_per_bar: 3 });
  });

  it("saves the markers with the project", async () => {
    const s = new GhostSession();
    await s.create("a");
    s.markers = [{ name: "1", seconds: 4 }];
    // Shown at once, and saved.
    expect(s.markers).toEqual([{ name: "1", seconds: 4 }]);
    await tick();
    expect(calls("projectSetMarkers")).toEqual([[A, [{ name: "1", seconds: 4 }]]]);
    await s.create("b");
    expect(s.markers).toEqual([]);
    await s.openProject(A);
    expect(s.markers).toEqual([{ name: "1", seconds: 4 }]);
  });

  it("forgets the A/B player's decoded takes for another project", async () => {
    const s = new GhostSession();
    await s.create("a");
    const forgetAll = vi.spyOn(s.player, "forgetAll");
    await s.openProject(A);
    expect(forgetAll).not.toHaveBeenCalled();
    await s.create("b");
    expect(forgetAll).toHaveBeenCalledTimes(1);
  });
});
