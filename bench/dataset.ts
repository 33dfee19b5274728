/**
 * The benchmark's input: real corpus events (OTRF Windows JSON lines and the
 * SigmaHQ regression events, one per line) replicated until the file is at
 * least TARGET bytes. Built once into bench/data/ (git-ignored) and reused.
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS = resolve(REPO, '..', 'shared', 'corpus');
export const DATA = join(REPO, 'bench', 'data', 'events.jsonl');

function corpusLines(): string[] {
  const lines: string[] = [];
  const jsonRoot = join(CORPUS, 'json', 'OTRF-Security-Datasets');
  for (const f of walk(jsonRoot).filter((p) => p.endsWith('.json'))) {
    for (const l of readFileSync(f, 'utf8').split('\n')) if (l.trim().startsWith('{')) lines.push(l.trim());
  }
  const regression = join(CORPUS, 'sigma-rules', 'regression_data');
  for (const f of walk(regression).filter((p) => p.endsWith('.json'))) {
    const text = readFileSync(f, 'utf8');
    for (const obj of splitObjects(text)) lines.push(JSON.stringify(obj));
  }
  return lines;
}

function splitObjects(text: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch {
    // evtx_dump writes several pretty objects back to back.
    return text.split(/\n(?=\{)/).map((t) => JSON.parse(t));
  }
}

/** Every file under `dir`, recursively, sorted. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

export async function ensureDataset(targetBytes: number): Promise<{ path: string; bytes: number; lines: number }> {
  if (existsSync(DATA) && statSync(DATA).size >= targetBytes) {
    return { path: DATA, bytes: statSync(DATA).size, lines: -1 };
  }
  mkdirSync(dirname(DATA), { recursive: true });
  const lines = corpusLines();
  const block = lines.join('\n') + '\n';
  const out = createWriteStream(DATA);
  let bytes = 0;
  let count = 0;
  while (bytes < targetBytes) {
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
    bytes += Buffer.byteLength(block);
    count += lines.length;
  }
  await new Promise<void>((r) => out.end(r));
  return { path: DATA, bytes, lines: count };
}
