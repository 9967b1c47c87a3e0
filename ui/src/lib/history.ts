// Undo/redo over immutable snapshots. Consecutive changes to the same field within a short window
// merge into one step, so dragging a knob from 10 to 90 undoes in one Ctrl+Z.

export class History<T> {
  private past: T[] = [];
  private future: T[] = [];
  private lastTag: string | null = null;
  private lastAt = 0;

  constructor(
    private current: T,
    private readonly limit = 200,
    private readonly mergeMs = 600,
  ) {}

  get value(): T {
    return this.current;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** Records `next`; `tag` names what changed (e.g. "knob:trash") for merging. */
  push(next: T, tag: string, now = Date.now()): void {
    const merge = tag === this.lastTag && now - this.lastAt < this.mergeMs && this.past.length > 0;
    if (!merge) {
      this.past.push(this.current);
      if (this.past.length > this.limit) this.past.shift();
    }
    this.current = next;
    this.future = [];
    this.lastTag = tag;
    this.lastAt = now;
  }

  undo(): T | null {
    const prev = this.past.pop();
    if (prev === undefined) return null;
    this.future.push(this.current);
    this.current = prev;
    this.lastTag = null;
    return prev;
  }

  redo(): T | null {
    const next = this.future.pop();
    if (next === undefined) return null;
    this.past.push(this.current);
    this.current = next;
    this.lastTag = null;
    return next;
  }
}
