// The Dashboard's logic: which jobs are still open, and which take folder a song's files are
// served from.
import type { JobView } from "./bindings";

/** Running jobs first, then queued ones, each newest first (the list comes newest first). */
export function activeJobs(jobs: JobView[]): JobView[] {
  const running = jobs.filter((j) => j.status === "running");
  const queued = jobs.filter((j) => j.status === "queued");
  return [...running, ...queued];
}

/** The take folder's name (what son1k-song:// serves) for a song's folder. */
export function songTake(dir: string): string {
  return dir.split(/[\\/]/).filter(Boolean).pop() ?? "";
}
