// Ghost Studio's shared state and the actions more than one of its panels takes: the open
// project and every change to it (show), the busy flag, the waveforms, the transport (the
// project playing through the native engine) and the A/B preview player. The screen makes one
// GhostSession and hands it to its panels.
import type { DemoAnalysis, Entry, Knobs, ProjectView, Quality, SpectrumView, TrackEdit } from "../../lib/bindings";
import { call, commands, get, StudioError, type PresetInfo } from "../../lib/api";
import { projectUrl, type GhostAb } from "../../lib/ghost";
import { EnginePlayer } from "../../lib/multitrack.svelte";
import { Player } from "../../lib/player.svelte";
import { errorText, t, toast, toastError } from "../../lib/state.svelte";

export { errorText };
import { parseWav, peaks, type DecodedAudio } from "../../lib/wav";

export type ProjectEntry = Extract<Entry, { type: "project" }>;
/** A clip file's waveform peaks and length (and the file the webview plays), or why not. */
export type Wave = { peaks: [number, number][]; seconds: number; playable: string } | "error" | "loading";

// The open project, its analysis and a running production live at module level, so leaving
// the screen and coming back keeps them.
const kept = $state({
  project: null as ProjectView | null,
  analysis: null as DemoAnalysis | null,
  knobs: { expressivity: 50, rareza: 0, garage: 0, trash: 0 } as Knobs,
  /** The id of the running production (its progress is in the task store, lib/tasks.svelte.ts). */
  job: null as string | null,
  mix: null as string | null,
  ab: { side: "a", gains: [1, 1] } as GhostAb,
  exported: [] as string[],
  spectrum: null as SpectrumView | null,
  loop: null as { start: number; end: number } | null,
  form: { name: "", importPath: "", producePrompt: "", seed: "1", quality: "standard" as Quality, exportDir: "", normalize: false },
});


/** Where playback stands, for the desktop tests' diagnostics (starting, playing, why it stopped). */
export function playStage(s: string) {
  (globalThis as unknown as { __son1kGhostPlay: string }).__son1kGhostPlay = s;
}

export class GhostSession {
  get project() { return kept.project; }
  set project(v) { kept.project = v; }
  get analysis() { return kept.analysis; }
  set analysis(v) { kept.analysis = v; }
  get knobs() { return kept.knobs; }
  set knobs(v) { kept.knobs = v; }
  get job() { return kept.job; }
  set job(v) { kept.job = v; }
  get mix() { return kept.mix; }
  set mix(v) { kept.mix = v; }
  get ab() { return kept.ab; }
  set ab(v) { kept.ab = v; }
  get exported() { return kept.exported; }
  set exported(v) { kept.exported = v; }
  get spectrum() { return kept.spectrum; }
  set spectrum(v) { kept.spectrum = v; }
  get loop() { return kept.loop; }
  set loop(v) { kept.loop = v; }
  get form() { return kept.form; }

  projects = $state<ProjectEntry[]>([]);
  presets = $state<PresetInfo[]>([]);
  /** The action running ("create", "import", "analyze", "render"…), or null. */
  busy = $state<string | null>(null);
  /** Per clip file: its waveform peaks and length, or an error. */
  waves = $state<Record<string, Wave>>({});
  selected = $state<{ track: string; clip: number } | null>(null);
  /** The metronome: on or off, in the export or not (at the demo's tempo and meter). */
  click = $state({ on: false, inExport: false });
  /** The demo and the rendered mix (A/B previews). */
  readonly player = new Player();
  /** The transport: the project through the native engine, the knobs' master chain included. */
  readonly tracks = new EnginePlayer();
  /** Frame durations (ms) while the tracks play: the smoothness measurement reads them. */
  readonly frameTimes: number[] = [];

  constructor() {
    void this.loadProjects();
    get(() => commands.presets()).then((p) => (this.presets = p)).catch(() => {});
    (globalThis as unknown as { __son1kGhostFrames: number[] }).__son1kGhostFrames = this.frameTimes;
    this.tracks.onDevice = (e) => {
      if (e.kind === "device_lost") toast(`${t("ghost.deviceLost")}: ${e.device} (${e.message})`, "error");
      else if (e.kind === "restarted") toast(`${t("ghost.deviceBack")}: ${e.device}`);
      else if (e.kind === "restart_failed") playStage(`device: ${e.message}`);
    };
  }

  close() {
    this.player.close();
    this.tracks.close();
  }

  run = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    this.busy = what;
    try {
      return await f();
    } catch (e) {
      toastError(e);
      return undefined;
    } finally {
      this.busy = null;
    }
  };

  loadProjects = async () => {
    try {
      const all = await call(() => commands.libraryEntries());
      this.projects = all.filter((e): e is ProjectEntry => e.type === "project" && e.present);
    } catch (e) {
      if (!(e instanceof StudioError && e.detail.code === "no-desktop")) toastError(e);
    }
  };

  /** Shows a project as the studio returned it (another project starts from a clean screen). */
  show = (view: ProjectView) => {
    const changed = this.project?.folder !== view.folder;
    this.project = view;
    this.knobs = { ...view.knobs };
    if (changed) {
      this.analysis = null;
      this.spectrum = null;
      this.mix = null;
      this.exported = [];
      this.waves = {};
      this.selected = null;
      this.loop = null;
      this.player.stop();
      if (this.tracks.playing) playStage(`stopped: another project (${view.folder})`);
      this.tracks.setProject(view.folder);
      this.click = { on: false, inExport: false };
    }
    const selected = this.selected;
    if (selected && !view.tracks.find((tr) => tr.name === selected.track)?.clips[selected.clip]) this.selected = null;
    if (view.damaged) toast(`${t("ghost.damaged")}: ${view.damaged}`, "error");
  };

  create = async (name = this.form.name) => {
    if (!name.trim()) return;
    const view = await this.run("create", () => call(() => commands.projectCreate(name.trim())));
    if (view) {
      this.show(view);
      this.form.name = "";
      void this.loadProjects();
    }
    return view;
  };

  openProject = async (folder: string) => {
    const view = await this.run("open", () => call(() => commands.projectOpen(folder)));
    if (view) {
      this.show(view);
      if (view.tracks.length) void this.analyze();
    }
  };

  importFile = async (path = this.form.importPath) => {
    if (!this.project || !path.trim()) return;
    const folder = this.project.folder;
    const view = await this.run("import", () => call(() => commands.projectImport(folder, path.trim())));
    if (view) {
      this.show(view);
      this.form.importPath = "";
      if (!this.analysis) void this.analyze();
    }
  };

  /** A file or folder picked in the system dialog: the export folder, else the file to import. */
  browse = async (folder: boolean) => {
    try {
      const p = await call(() => commands.pickPath(folder));
      if (p) {
        if (folder) this.form.exportDir = p;
        else this.form.importPath = p;
      }
    } catch (e) {
      toastError(e);
    }
  };

  analyze = async () => {
    if (!this.project) return;
    const folder = this.project.folder;
    const a = await this.run("analyze", () => call(() => commands.projectAnalyze(folder)));
    if (a && this.project?.folder === folder) this.analysis = a;
    try {
      const s = await call(() => commands.projectSpectrum(folder, 96));
      if (this.project?.folder === folder) this.spectrum = s;
    } catch (e) {
      toastError(e);
    }
  };

  /** Sends the metronome's state to the studio (heard at once while playing). */
  setClick = async () => {
    if (!this.project) return;
    const folder = this.project.folder;
    const a = this.analysis;
    const bpm = a && a.bpm >= 20 && a.bpm <= 300 ? a.bpm : 120;
    const beats = a && a.meter >= 1 && a.meter <= 16 ? a.meter : 4;
    const m = this.click.on ? { bpm, beats_per_bar: beats, level_db: -12, in_export: this.click.inExport } : null;
    try {
      await call(() => commands.projectMetronome(folder, m));
    } catch (e) {
      toastError(e);
    }
  };

  // ---- Tracks: mix edits, undo ----
  edit = async (e: TrackEdit) => {
    if (!this.project) return;
    const folder = this.project.folder;
    // The engine hears the edit as the studio applies it (live while playing).
    try {
      this.show(await call(() => commands.projectEdit(folder, e)));
    } catch (err) {
      toastError(err);
    }
  };

  undo = async (redo: boolean) => {
    const project = this.project;
    if (!project || (redo ? !project.can_redo : !project.can_undo)) return;
    const folder = project.folder;
    try {
      this.show(await call(() => commands.projectUndo(folder, redo)));
    } catch (err) {
      toastError(err);
    }
  };

  // ---- Audio: project files decoded, waveforms, the stems the tracks play ----
  decode = async (file: string): Promise<DecodedAudio> => {
    if (!this.project) throw new Error("no project");
    const r = await fetch(projectUrl(this.project.dir, file));
    if (!r.ok) throw new Error(`${r.status}: ${await r.text()}`);
    return parseWav(await r.arrayBuffer());
  };

  loadWave = async (file: string) => {
    if (!this.project || this.waves[file]) return;
    const folder = this.project.folder;
    this.waves[file] = "loading";
    try {
      const playable = await call(() => commands.projectPlayable(folder, file));
      const audio = await this.decode(playable);
      const frames = audio.channels[0]?.length ?? 0;
      this.waves[file] = { peaks: peaks(audio.channels, 800), seconds: frames / audio.sampleRate, playable };
    } catch (e) {
      this.waves[file] = "error";
      toast(`${t("ghost.waveError")} (${file}): ${errorText(e)}`, "error");
    }
  };
}
