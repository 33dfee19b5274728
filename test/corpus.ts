/** Paths into the shared, read-only corpus beside the repository (never copied into it). */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: tests run compiled from dist/test/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS = resolve(REPO_ROOT, '..', 'shared', 'corpus');

export function corpus(relative: string): string {
  const p = resolve(CORPUS, relative);
  if (!existsSync(p)) throw new Error(`corpus file missing: ${p} (the tests read ../shared/corpus beside the repo)`);
  return p;
}

/** Every file under `dir` (recursively) whose name ends with `suffix`, sorted. */
export function filesUnder(dir: string, suffix: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(suffix)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}
