/** Paths into the shared, read-only corpus beside the repository (never copied into it). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** Every real JSON event as one line: the OTRF JSON lines and the SigmaHQ regression events (evtx_dump writes pretty objects back to back). */
export function corpusJsonLines(): string[] {
  const lines: string[] = [];
  for (const f of filesUnder(corpus('json'), '.json')) {
    for (const l of readFileSync(f, 'utf8').split('\n')) if (l.trim().startsWith('{')) lines.push(l.trim());
  }
  for (const f of filesUnder(join(corpus('sigma-rules'), 'regression_data'), '.json')) {
    for (const part of readFileSync(f, 'utf8').split(/\n(?=\{)/)) lines.push(JSON.stringify(JSON.parse(part)));
  }
  return lines;
}

/**
 * Winlogbeat-shaped lines: constructed from the real flat corpus events
 * (winlog.channel, winlog.event_id as Winlogbeat writes it — a string —,
 * EventData under winlog.event_data), then the two real Winlogbeat records
 * the corpus holds.
 */
export function winlogbeatLines(): string[] {
  const out: string[] = [];
  for (const l of corpusJsonLines()) {
    const obj = JSON.parse(l) as Record<string, unknown>;
    if (typeof obj.EventID !== 'number' || typeof obj.Channel !== 'string') continue;
    const { EventID, Channel, SourceName, Hostname, ...data } = obj;
    out.push(JSON.stringify({
      '@timestamp': obj['@timestamp'],
      host: { name: Hostname, os: { type: 'windows' } },
      winlog: { channel: Channel, event_id: String(EventID), provider_name: SourceName, computer_name: Hostname, event_data: data },
      event: { code: String(EventID), provider: SourceName },
    }));
  }
  const real = readFileSync(corpus('json/wagga40-Zircolite/tests/fixtures/winlogbeat_sysmon_sample.json'), 'utf8');
  for (const l of real.split('\n')) if (l.trim().startsWith('{')) out.push(l.trim());
  return out;
}

/** A repeatable pseudo-random source for mutation tests: rand(n) is in [0, n). */
export function seededRandom(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}
