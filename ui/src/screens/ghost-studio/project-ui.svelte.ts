// What Ghost Studio remembers about each project while the app runs: its analysis, the rendered
// mix and the A/B side, the words added to the produce prompt, the export folder… Kept per
// project folder, so opening another project starts from that project's own state (fresh
// defaults the first time) and coming back to a project finds it as it was left.
import type { DemoAnalysis, Quality, SpectrumView } from "../../lib/bindings";
import type { GhostAb, SnapGrid, TimelineView } from "../../lib/ghost";

/** The fields a project's panels type into. */
export interface ProjectForm {
  importPath: string;
  producePrompt: string;
  seed: string;
  quality: Quality;
  exportDir: string;
  normalize: boolean;
}

export interface ProjectUi {
  analysis: DemoAnalysis | null;
  spectrum: SpectrumView | null;
  /** The rendered mix (relative to the project folder), side B of the A/B. */
  mix: string | null;
  ab: GhostAb;
  /** The files the last export wrote. */
  exported: string[];
  loop: { start: number; end: number } | null;
  /** The metronome: on or off, in the export or not, and the bars it counts in a take (0–2). */
  click: { on: boolean; inExport: boolean; countIn: number };
  /** Tracking: the armed tracks (one input channel each when several; stereo when one) and
   * what a take does — a new take from the playhead, a punch on the loop region, or loop
   * recording into the take lane. */
  tracking: { armed: string[]; mode: "take" | "punch" | "loop"; monitor: boolean };
  selected: { track: string; clip: number } | null;
  /** What the ruler counts: bars and beats, or seconds. */
  ruler: "bars" | "seconds";
  /** The grid clip moves, trims and the loop region snap to. */
  snap: SnapGrid;
  /** The part of the timeline shown (null: the whole session, growing with it). */
  view: TimelineView | null;
  /** Whether the view pages with the playhead while the project plays. */
  follow: boolean;
  /** The id of the project's running production (its progress is in the task store). */
  job: string | null;
  form: ProjectForm;
}

/** The state of a project seen for the first time. */
export function freshProjectUi(): ProjectUi {
  return {
    analysis: null,
    spectrum: null,
    mix: null,
    ab: { side: "a", gains: [1, 1] },
    exported: [],
    loop: null,
    click: { on: false, inExport: false, countIn: 0 },
    tracking: { armed: [], mode: "take", monitor: false },
    selected: null,
    ruler: "bars",
    snap: "off",
    view: null,
    follow: true,
    job: null,
    form: { importPath: "", producePrompt: "", seed: "1", quality: "standard", exportDir: "", normalize: false },
  };
}

export class ProjectUiStore {
  private byFolder = $state<Record<string, ProjectUi>>({});
  /** What the panels read while no project is open (nothing is kept from it). */
  private idle = $state<ProjectUi>(freshProjectUi());

  /**
   * The state of `folder`, made with fresh defaults the first time (or every time with `fresh`,
   * e.g. for a project just created in a folder an earlier one used). Not for use while
   * rendering: it may write.
   */
  enter(folder: string, fresh = false): ProjectUi {
    if (fresh || !(folder in this.byFolder)) this.byFolder[folder] = freshProjectUi();
    return this.byFolder[folder];
  }

  /** The state of `folder` if it was entered, else a fresh one that is not kept. Safe while rendering. */
  of(folder: string | null | undefined): ProjectUi {
    return (folder ? this.byFolder[folder] : undefined) ?? this.idle;
  }

  /** Whether `folder` has state kept. */
  has(folder: string): boolean {
    return folder in this.byFolder;
  }

  /** Forgets every project's state. */
  clear(): void {
    this.byFolder = {};
    this.idle = freshProjectUi();
  }
}
