/**
 * One benchmark scenario, run in its own process so its peak RSS is its own.
 * Prints one JSON line: {name, events, bytes, seconds, events_per_s, mb_per_s, peak_rss_mb, …}.
 *
 *   node dist/bench/scenario.js floor FILE
 *   node dist/bench/scenario.js rules FILE NAME RULEPATH... [--limit N]
 */
import { createReadStream, statSync } from 'node:fs';
import { Detector } from '../src/detect/engine.js';
import { derivedPolicyFor, impliedTexts } from '../src/normalize/index.js';
import { Hunt } from '../src/pipeline/hunt.js';
import { findRuleFiles, loadSigmaFile } from '../src/sigma/load.js';
import type { SigmaDocument } from '../src/sigma/model.js';

/** CPU seconds (user + system, all threads) since `since`: less sensitive than wall time to other load on a shared machine. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

function report(name: string, events: number, bytes: number, seconds: number, cpu: number, extra: Record<string, unknown> = {}): void {
  const peak = process.resourceUsage().maxRSS / 1024; // KiB → MiB
  console.log(JSON.stringify({
    name, events, bytes, seconds: +seconds.toFixed(3), cpu_s: +cpu.toFixed(3),
    events_per_s: Math.round(events / seconds),
    mb_per_s: +(bytes / 1048576 / seconds).toFixed(1),
    peak_rss_mb: Math.round(peak),
    ...extra,
  }));
}

/** The floor: read every byte, split lines, decode and JSON.parse each line. */
async function floor(file: string): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let events = 0;
  let carry = '';
  let sink = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const text = carry + (chunk as Buffer).toString('utf8');
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const obj = JSON.parse(text.slice(start, nl)) as Record<string, unknown>;
      if (obj.EventID !== undefined) sink++;
      events++;
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  report('floor', events, statSync(file).size, (performance.now() - t0) / 1000, cpuSeconds(c0), { sink });
}

async function rules(file: string, name: string, rulePaths: string[], limit: number | undefined): Promise<void> {
  const docs: SigmaDocument[] = [];
  for (const f of findRuleFiles(rulePaths)) docs.push(...loadSigmaFile(f).documents);
  const chosen = limit === undefined ? docs : spread(docs, limit);
  const tCompile = performance.now();
  const detector = new Detector(chosen, { derived: derivedPolicyFor, implied: impliedTexts, lenientPlaceholders: true });
  const compileMs = performance.now() - tCompile;
  let alerts = 0;
  const hunt = new Hunt(detector, { onAlert: () => alerts++, onError: () => {} });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await hunt.runFile(file, statSync(file).size);
  const s = hunt.stats;
  report(name, s.events, s.bytes, (performance.now() - t0) / 1000, cpuSeconds(c0), {
    rules: detector.rules.length, needleless_rules: detector.needlelessCount, needles: detector.needleCount,
    parsed_fraction: +(s.parsed / Math.max(1, s.events)).toFixed(4), alerts, compile_ms: Math.round(compileMs),
  });
}

/** Every k-th rule, so a subset mixes categories the way the whole set does. */
function spread<T>(all: T[], n: number): T[] {
  if (n >= all.length) return all;
  const out: T[] = [];
  const step = all.length / n;
  for (let i = 0; i < n; i++) out.push(all[Math.floor(i * step)]);
  return out;
}

const [mode, file, ...rest] = process.argv.slice(2);
if (mode === 'floor') await floor(file);
else if (mode === 'rules') {
  const li = rest.indexOf('--limit');
  const limit = li >= 0 ? Number(rest[li + 1]) : undefined;
  const args = li >= 0 ? rest.slice(0, li) : rest;
  await rules(file, args[0], args.slice(1), limit);
} else {
  console.error('usage: scenario floor FILE | scenario rules FILE NAME RULEPATH... [--limit N]');
  process.exit(2);
}
