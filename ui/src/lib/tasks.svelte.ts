// The UI's one task store: every long task a screen starts (a generation, a produced backing, a
// voice conversion or profile, lyrics being written) is listed here while it runs, under the id the
// screen gave the shell. The shell's `TaskProgress` events are listened to once, here, and move the
// listed task on; `cancel` asks the shell to stop it (`cancel_task`). Tasks live at module level,
// so leaving a screen and coming back keeps them.
import { commands, events, get, onEvent } from "./api";
import type { TaskProgress } from "./bindings";

/** A running task as the screens show it. */
export type Task = {
  /** The id the screen gave it (the shell's task id). */
  id: string;
  /** What the screen calls it (shown beside the bar). */
  label: string;
  /** Share done, 0–1; null while unknown (an indeterminate bar). */
  fraction: number | null;
  /** What the engine is doing now (`composing`, `rendering drums`, `encode`, …); "" until told. */
  stage: string;
  /** Whether the task can be cancelled. */
  cancellable: boolean;
  /** Whether a cancel was asked for. */
  cancelling: boolean;
};

/** Running tasks, keyed by id; `stop` asks the shell to cancel one. */
export class TaskStore {
  #running = $state<Task[]>([]);
  #updates = $state(0);

  constructor(private readonly stop: (id: string) => Promise<unknown>) {}

  /** The running tasks, oldest first. */
  get running(): readonly Task[] {
    return this.#running;
  }

  /** How many progress reports have arrived: read it in an `$effect` to follow every task. */
  get updates(): number {
    return this.#updates;
  }

  /** The running task `id`, or null. */
  find(id: string | null | undefined): Task | null {
    return this.#running.find((t) => t.id === id) ?? null;
  }

  /** Lists a task that starts now; replaces a finished one of the same id. Returns it. */
  start(id: string, label: string, opts: { fraction?: number | null; cancellable?: boolean } = {}): Task {
    this.end(id);
    this.#running.push({ id, label, fraction: opts.fraction === undefined ? 0 : opts.fraction, stage: "", cancellable: opts.cancellable ?? true, cancelling: false });
    return this.#running[this.#running.length - 1];
  }

  /** Forgets the task `id` (it ended, however it ended). */
  end(id: string): void {
    const i = this.#running.findIndex((t) => t.id === id);
    if (i >= 0) this.#running.splice(i, 1);
  }

  /** A `TaskProgress` report: moves its task on (reports of tasks not listed are ignored). */
  report(p: TaskProgress): void {
    this.#updates += 1;
    const task = this.find(p.id);
    if (!task) return;
    task.fraction = Math.min(1, Math.max(0, p.fraction));
    task.stage = p.stage;
  }

  /** Asks the shell to stop the task `id`; false when it is not running, not cancellable or
   * already being cancelled. Errors of the shell's answer are the caller's to show. */
  async cancel(id: string): Promise<boolean> {
    const task = this.find(id);
    if (!task || !task.cancellable || task.cancelling) return false;
    task.cancelling = true;
    await this.stop(id);
    return true;
  }
}

/** The app's tasks. */
export const tasks = new TaskStore((id) => get(() => commands.cancelTask(id)));

// The one listener of the shell's progress events (none outside the desktop app).
onEvent(events.taskProgress, (p) => tasks.report(p));
