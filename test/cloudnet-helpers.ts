/**
 * Helpers shared by the cloud-* and zeek-* tests: read a file the way `vigil
 * hunt` does (every record parsed, whatever the format), and run the CLI.
 * Not a test file itself (no `.test.` in the name).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { FileFormat } from '../src/sources/format.js';
import { readLogFile } from '../src/sources/read-file.js';
import { normalizeObject } from '../src/normalize/index.js';
import type { FlatEvent } from '../src/normalize/flat-event.js';
import { REPO_ROOT } from './corpus.js';

export interface ReadResult {
  format: FileFormat;
  /** Every record, parsed (JSON lines are parsed here, as the hunt does). */
  objects: unknown[];
  /** Record numbers (line for text formats, index for JSON documents). */
  records: number[];
  errors: { message: string; record?: number }[];
}

export async function readRecords(path: string): Promise<ReadResult> {
  const out: ReadResult = { format: 'unknown', objects: [], records: [], errors: [] };
  out.format = await readLogFile(path, {
    line: (buf, s, e, r) => {
      try {
        out.objects.push(JSON.parse(buf.toString('utf8', s, e)));
        out.records.push(r);
      } catch (err) {
        out.errors.push({ message: `invalid JSON: ${(err as Error).message}`, record: r });
      }
    },
    object: (o, r) => {
      out.objects.push(o);
      out.records.push(r);
    },
    error: (message, record) => out.errors.push({ message, record }),
  });
  return out;
}

export async function readEvents(path: string): Promise<FlatEvent[]> {
  return (await readRecords(path)).objects.map((o) => normalizeObject(o));
}

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface Alert {
  rule: { id?: string; title: string; level?: string; tags: string[] };
  time?: string;
  host?: string;
  user?: string;
  source: { file: string; record: number };
  event: Record<string, unknown> | null;
  correlation?: { type: string; group: Record<string, unknown>; value: number; window: { start: string; end: string }; events: { file: string; record: number }[] };
}

/** `vigil hunt … --format jsonl` in a child process; returns the alerts and stderr. */
export function hunt(args: string[]): { alerts: Alert[]; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'hunt', ...args, '--format', 'jsonl', '--no-store', '--no-progress'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`vigil hunt exited ${r.status}: ${r.stderr}`);
  const alerts = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Alert);
  return { alerts, stderr: r.stderr };
}

export function isT1049(a: Alert): boolean {
  return a.rule.tags.includes('attack.t1049');
}
