/**
 * `node dist/bench/evtx.js [FILE.evtx...] [--repeat N] [--json]`: the EVTX decoder's speed.
 *
 * Decodes the files (default: the dense samples of omerbenamram-evtx-samples,
 * then every .evtx of the corpus) from memory, N times after a warm-up, and
 * reports the median records/s on one core; `dump` adds JSON.stringify of each
 * record (what `vigil dump` does). When libevtx's evtxexport is installed, it
 * exports the same files once (`-f xml`, output discarded) for comparison.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeEvtx } from '../src/sources/evtx/index.js';

/** The shared corpus beside the repository (this runs compiled from dist/bench/). */
const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus');

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const ri = argv.indexOf('--repeat');
const repeat = ri >= 0 ? Number(argv[ri + 1]) : 5;
const named = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--repeat');

function findEvtx(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) findEvtx(p, out);
    else if (e.name.endsWith('.evtx')) out.push(p);
  }
  return out.sort();
}

const SAMPLES = join(CORPUS, 'evtx', 'omerbenamram-evtx-samples', 'samples');
const sets: Record<string, string[]> = named.length
  ? { files: named.map((f) => resolve(f)) }
  : {
    dense: ['security.evtx', 'sysmon.evtx', 'system.evtx', 'post-Security.evtx', 'sample-with-irregular-bool-values.evtx'].map((f) => join(SAMPLES, f)),
    corpus: findEvtx(join(CORPUS, 'evtx')),
  };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(bufs: Buffer[], stringify: boolean): { records: number; perSecond: number; runs: number[] } {
  let records = 0;
  // Enough passes over the set for a run to take a good fraction of a second (timer and GC noise).
  const perPass = bufs.reduce((n, b) => n + Math.max(1, b.length >> 10), 0);
  const passes = Math.max(1, Math.ceil(60_000 / perPass));
  const once = (): number => {
    let n = 0;
    const t0 = process.hrtime.bigint();
    for (let p = 0; p < passes; p++) for (const b of bufs) {
      decodeEvtx(b, {
        record: (e) => {
          n++;
          if (stringify) JSON.stringify(e);
        },
        error: () => undefined,
      });
    }
    records = n / passes;
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  once(); // warm-up
  const runs = Array.from({ length: repeat }, once);
  return { records, perSecond: median(runs), runs };
}

function evtxexport(files: string[]): { records: number; perSecond: number } | undefined {
  if (spawnSync('evtxexport', ['-V'], { stdio: 'ignore' }).error) return undefined;
  let records = 0;
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const r = spawnSync('evtxexport', ['-f', 'xml', f], { encoding: 'utf8', maxBuffer: 1 << 30 });
    records += (r.stdout.match(/^<Event[ >]/gm) ?? []).length;
  }
  return { records, perSecond: records / (Number(process.hrtime.bigint() - t0) / 1e9) };
}

const results: Record<string, unknown> = {};
for (const [name, files] of Object.entries(sets)) {
  const bufs = files.map((f) => readFileSync(f));
  const mb = bufs.reduce((n, b) => n + b.length, 0) / 1048576;
  const decode = measure(bufs, false);
  const dump = measure(bufs, true);
  const lib = evtxexport(files);
  results[name] = { files: files.length, mb, records: decode.records, decode_per_s: decode.perSecond, dump_per_s: dump.perSecond, decode_runs: decode.runs, evtxexport_per_s: lib?.perSecond, evtxexport_records: lib?.records };
  if (!json) {
    const r = (x: number): string => Math.round(x).toLocaleString('en-US');
    console.log(`${name}: ${files.length} files, ${mb.toFixed(1)} MB, ${decode.records.toLocaleString('en-US')} records`);
    console.log(`  decode            ${r(decode.perSecond)} records/s (median of ${repeat}: ${decode.runs.map(r).join(', ')})`);
    console.log(`  decode + stringify ${r(dump.perSecond)} records/s`);
    if (lib) console.log(`  evtxexport -f xml ${r(lib.perSecond)} records/s (${lib.records.toLocaleString('en-US')} records) → Vigil ×${(decode.perSecond / lib.perSecond).toFixed(1)}`);
  }
}
if (json) console.log(JSON.stringify({ evtx: results }));
