// Ghost Studio's shared state and the actions more than one of its panels takes: the open
// project and every change to it (show), the busy flag, the waveforms, the transport (the
// project playing through the native engine) and the A/B preview player. What belongs to one
// project (its analysis, mix, A/B side, produce words, export folder…) is kept per project
// (project-ui.svelte.ts), and answers that come after a switch land in the project they were
// asked for. The screen makes one GhostSession and hands it to its panels.
import type { Entry, Knobs, Metronome, ProjectView, TrackEdit } from "../../lib/bindings";
import { call, commands, get, StudioError, type PresetInfo } from "../../lib/api";
import { abGain, clampTempo, projectUrl, proposedTempo, taskId, type Marker, type Tempo } from "../../lib/ghost";
import { EnginePlayer } from "../../lib/multitrack.svelte";
import { Player } from "../../lib/player.svelte";
import { errorText, t, toast, toastError } from "../../lib/state.svelte";
import { tasks } from "../../lib/tasks.svelte";
import { ProjectUiStore, type ProjectUi } from "./project-ui.svelte";

export { errorText };
import { parseWav, peaks, type DecodedAudio } from "../../lib/wav";

export type ProjectEntry = Extract<Entry, { type: "project" }>;
/** A clip file's waveform peaks and length (and the file the webview plays), or why not. */
export type Wave = { peaks: [number, number][]; seconds: number; playable: string } | "error" | "loading";

// The open project and every project's own state (project-ui.svelte.ts) live at module level,
// so leaving the screen and coming back keeps them.
const kept = $state({
  project: null as ProjectView | null,
  knobs: { expressivity: 50, rareza: 0, garage: 0, trash: 0 } as Knobs,
  /** The name typed for a new project (not any project's own). */
  newName: "",
});
const perProject = new ProjectUiStore();

/** Forgets the open project and every project's state (for tests). */
export function forgetGhostState() {
  kept.project = null;
  kept.newName = "";
  perProject.clear();
}

/** Where playback stands, for the desktop tests' diagnostics (starting, playing, why it stopped). */
export function playStage(s: string) {
  (globalThis as unknown as { __son1kGhostPlay: string }).__son1kGhostPlay = s;
}

export class GhostSession {
  get project() { return kept.project; }
  set project(v) { kept.project = v; }
  get knobs() { return kept.knobs; }
  set knobs(v) { kept.knobs = v; }
  get newName() { return kept.newName; }
  set newName(v) { kept.newName = v; }
  /** The open project's own state (a fresh one, not kept, while none is open). */
  get here(): ProjectUi { return perProject.of(kept.project?.folder); }
  get analysis() { return this.here.analysis; }
  set analysis(v) { this.here.analysis = v; }
  get job() { return this.here.job; }
  set job(v) { this.here.job = v; }
  get mix() { return this.here.mix; }
  set mix(v) { this.here.mix = v; }
  get ab() { return this.here.ab; }
  set ab(v) { this.here.ab = v; }
  get exported() { return this.here.exported; }
  set exported(v) { this.here.exported = v; }
  get spectrum() { return this.here.spectrum; }
  set spectrum(v) { this.here.spectrum = v; }
  get loop() { return this.here.loop; }
  set loop(v) { this.here.loop = v; }
  get click() { return this.here.click; }
  set click(v) { this.here.click = v; }
  get tracking() { return this.here.tracking; }
  set tracking(v) { this.here.tracking = v; }
  get selected() { return this.here.selected; }
  set selected(v) { this.here.selected = v; }
  /** The tempo and meter the musician set for the project (saved with it; null: the analysis'). */
  get tempo(): Tempo | null { return kept.project?.tempo ?? null; }
  get ruler() { return this.here.ruler; }
  set ruler(v) { this.here.ruler = v; }
  get snap() { return this.here.snap; }
  set snap(v) { this.here.snap = v; }
  get view() { return this.here.view; }
  set view(v) { this.here.view = v; }
  get follow() { return this.here.follow; }
  set follow(v) { this.here.follow = v; }
  /** The timeline's markers, saved with the project (shown at once, then as saved). */
  get markers(): Marker[] { return kept.project?.markers ?? []; }
  set markers(markers: Marker[]) {
    const p = kept.project;
    if (!p) return;
    kept.project = { ...p, markers };
    void call(() => commands.projectSetMarkers(p.folder, markers)).then(this.update).catch(toastError);
  }
  get form() { return this.here.form; }

  projects = $state<ProjectEntry[]>([]);
  presets = $state<PresetInfo[]>([]);
  /** The action running ("create", "import", "analyze", "render"…), or null. */
  busy = $state<string | null>(null);
  /** Per clip file: its waveform peaks and length, or an error. */
  waves = $state<Record<string, Wave>>({});
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
    // Back on the screen with a project open: the transport plays it, with its loop region.
    if (kept.project) {
      this.tracks.setProject(kept.project.folder);
      if (this.loop) this.tracks.setLoop(this.loop);
    }
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

  /**
   * Shows a project as the studio returned it. Another project brings its own state: as it was
   * left earlier in this run of the app, else (or with `fresh`, for a project just created)
   * the defaults.
   */
  show = (view: ProjectView, fresh = false) => {
    const changed = fresh || this.project?.folder !== view.folder;
    if (changed) perProject.enter(view.folder, fresh);
    this.project = view;
    this.knobs = { ...view.knobs };
    if (changed) {
      this.waves = {};
      this.player.stop();
      // The A/B player keeps decoded files by side ("demo", "mix"): not this project's.
      this.player.forgetAll();
      if (this.tracks.playing) playStage(`stopped: another project (${view.folder})`);
      this.tracks.setProject(view.folder);
      const here = this.here;
      if (here.loop) this.tracks.setLoop(here.loop);
      if (here.click.on) void this.setClick();
    }
    const selected = this.selected;
    if (selected && !view.tracks.find((tr) => tr.name === selected.track)?.clips[selected.clip]) this.selected = null;
    if (view.damaged) toast(`${t("ghost.damaged")}: ${view.damaged}`, "error");
  };

  /** Shows `view` if its project is still the open one (an answer that came after a switch is not). */
  update = (view: ProjectView) => {
    if (this.project?.folder === view.folder) this.show(view);
  };

  /** The state of the open project, to write to after an await (null when none is open). */
  private mine(): { folder: string; here: ProjectUi } | null {
    return this.project ? { folder: this.project.folder, here: this.here } : null;
  }

  create = async (name = this.newName) => {
    if (!name.trim()) return;
    const view = await this.run("create", () => call(() => commands.projectCreate(name.trim())));
    if (view) {
      this.show(view, true);
      this.newName = "";
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
    const at = this.mine();
    if (!at || !path.trim()) return;
    const view = await this.run("import", () => call(() => commands.projectImport(at.folder, path.trim())));
    if (view) {
      at.here.form.importPath = "";
      this.update(view);
      if (!at.here.analysis && this.project?.folder === at.folder) void this.analyze();
    }
  };

  /** A file or folder picked in the system dialog: the export folder, else the file to import. */
  browse = async (folder: boolean) => {
    const form = this.form;
    try {
      const p = await call(() => commands.pickPath(folder));
      if (p) {
        if (folder) form.exportDir = p;
        else form.importPath = p;
      }
    } catch (e) {
      toastError(e);
    }
  };

  analyze = async () => {
    const at = this.mine();
    if (!at) return;
    const a = await this.run("analyze", () => call(() => commands.projectAnalyze(at.folder)));
    if (a) at.here.analysis = a;
    try {
      at.here.spectrum = await call(() => commands.projectSpectrum(at.folder, 96));
    } catch (e) {
      toastError(e);
    }
  };

  // ---- Produce, render, export: each answer lands in the project it was asked for ----

  /** Produces a backing from the prompt the knobs make plus the project's added words. */
  produce = async () => {
    const at = this.mine();
    if (!at || tasks.find(at.here.job)) return;
    const id = taskId("produce");
    const form = at.here.form;
    at.here.job = id;
    tasks.start(id, t("ghost.producing"));
    const seed = Math.max(0, Math.min(2 ** 32 - 1, Math.floor(Number(form.seed) || 0)));
    try {
      const view = await call(() => commands.projectProduce(id, at.folder, form.producePrompt, seed, form.quality));
      // The mix no longer has the new tracks in it.
      at.here.mix = null;
      this.update(view);
      toast(t("ghost.produced"));
    } catch (e) {
      if (tasks.find(id)?.cancelling || (e instanceof StudioError && e.detail.code === "cancelled")) toast(t("ghost.cancelled"));
      else toastError(e);
    } finally {
      tasks.end(id);
      if (at.here.job === id) at.here.job = null;
    }
  };

  /** The file side A (the demo, as the webview plays it) or B (the mix) of the open project plays. */
  abFile = (side: "a" | "b"): string | null => {
    if (side === "b") return this.mix;
    const demo = this.project?.tracks[0]?.clips[0]?.file;
    const w = demo ? this.waves[demo] : undefined;
    return typeof w === "object" ? w.playable : null;
  };

  /** Renders the mix and matches the loudness of the demo and the mix for the A/B. */
  render = async () => {
    const at = this.mine();
    if (!at) return;
    const demo = this.abFile("a");
    const rel = await this.run("render", () => call(() => commands.projectRender(at.folder)));
    if (!rel) return;
    if (this.project?.folder === at.folder) {
      this.player.stop();
      this.player.forget("mix");
    }
    at.here.mix = rel;
    toast(t("ghost.rendered"));
    if (demo) {
      try {
        const [a, b] = await call(() => commands.projectAbGains(at.folder, demo, rel));
        at.here.ab = { ...at.here.ab, gains: [a ?? 1, b ?? 1] };
      } catch (e) {
        toastError(e);
      }
    }
  };

  /** Plays the A/B side heard now from `from` seconds, at its matched gain. */
  playAb = async (from = 0) => {
    const side = this.ab.side;
    const file = this.abFile(side);
    if (!file) return;
    try {
      await this.player.play(side === "a" ? "demo" : "mix", () => this.decode(file), from, abGain(this.ab));
    } catch (e) {
      toast(`${t("ghost.waveError")}: ${errorText(e)}`, "error");
    }
  };

  /** Exports the mix and the stems to the project's export folder (or the default one). */
  exportAll = async () => {
    const at = this.mine();
    if (!at) return;
    const { exportDir, quality, normalize } = at.here.form;
    const files = await this.run("export", () => call(() => commands.projectExport(at.folder, exportDir.trim() || null, quality, normalize)));
    if (files) {
      at.here.exported = files;
      toast(`${t("ghost.exported")}: ${files.length}`);
    }
  };

  /** The project's tempo and meter: as set, else what the demo's analysis proposes (120 BPM in 4 before). */
  projectTempo(): Tempo {
    return this.tempo ?? proposedTempo(this.analysis);
  }

  /** Sets the project's tempo and meter (null: the analysis' again); a metronome that is on follows at once. */
  setTempo = (tempo: Tempo | null) => {
    const p = kept.project;
    if (!p) return;
    const next = tempo === null ? null : clampTempo(tempo);
    kept.project = { ...p, tempo: next };
    if (this.click.on) void this.setClick();
    void call(() => commands.projectSetTempo(p.folder, next)).then(this.update).catch(toastError);
  };

  /** The metronome's settings: the project's tempo and meter. */
  metronome(): Metronome {
    const { bpm, beats } = this.projectTempo();
    return { bpm, beats_per_bar: beats, level_db: -12, in_export: this.click.inExport };
  }

  /** Sends the metronome's state to the studio (heard at once while playing). */
  setClick = async () => {
    if (!this.project) return;
    const folder = this.project.folder;
    const m = this.click.on ? this.metronome() : null;
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
      this.update(await call(() => commands.projectEdit(folder, e)));
    } catch (err) {
      toastError(err);
    }
  };

  undo = async (redo: boolean) => {
    const project = this.project;
    if (!project || (redo ? !project.can_redo : !project.can_undo)) return;
    const folder = project.folder;
    try {
      this.update(await call(() => commands.projectUndo(folder, redo)));
    } catch (err) {
      toastError(err);
    }
  };

  // ---- Audio: project files decoded, waveforms, the stems the tracks play ----
  decode = async (file: string, dir = this.project?.dir): Promise<DecodedAudio> => {
    if (!dir) throw new Error("no project");
    const r = await fetch(projectUrl(dir, file));
    if (!r.ok) throw new Error(`${r.status}: ${await r.text()}`);
    return parseWav(await r.arrayBuffer());
  };

  loadWave = async (file: string) => {
    if (!this.project || this.waves[file]) return;
    const { folder, dir } = this.project;
    // Another project's answer does not land in this one's waveforms.
    const waves = this.waves;
    waves[file] = "loading";
    try {
      const playable = await call(() => commands.projectPlayable(folder, file));
      const audio = await this.decode(playable, dir);
      const frames = audio.channels[0]?.length ?? 0;
      waves[file] = { peaks: peaks(audio.channels, 800), seconds: frames / audio.sampleRate, playable };
    } catch (e) {
      waves[file] = "error";
      toast(`${t("ghost.waveError")} (${file}): ${errorText(e)}`, "error");
    }
  };
}
