/** Paths into the shared, read-only corpus beside the repository (never copied into it). */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: tests run compiled from dist/test/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS = resolve(REPO_ROOT, '..', 'shared', 'corpus');

export function corpus(relative: string): string {
  const p = resolve(CORPUS, relative);
  if (!existsSync(p)) throw new Error(`corpus file missing: ${p} (the tests read ../shared/corpus beside the repo)`);
  return p;
}
