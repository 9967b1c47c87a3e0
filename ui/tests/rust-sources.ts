// The Rust sources the UI tests read (to hold the UI's tables to what the engines send).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every `.rs` file under `dir`, leaving out `tests/` folders and build output. */
export function rustFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "tests" || name === "target" ? [] : rustFiles(p);
    return name.endsWith(".rs") ? [p] : [];
  });
}
