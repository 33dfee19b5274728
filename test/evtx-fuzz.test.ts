/**
 * Fuzzing the EVTX decoder with real chunks: every chunk of the corpus's EVTX
 * files is a seed; each case copies one chunk, damages it (bit flips, random
 * byte runs, zero/0xff runs, interesting 16/32-bit values such as sizes and
 * offsets, spliced slices, truncation, or several of these) and decodes that
 * one chunk; a few cases damage a small whole file (header included).
 *
 * Asserted: no exception escapes the decoder, and none is thrown inside it
 * other than its own "damaged data" error (which it reports); every record is a plain
 * JSON-serializable object; every reported problem names a file offset inside
 * the data; no case takes long (hang guard: per-case time, plus a watchdog on
 * the whole run); memory stays bounded (workers run with a heap limit, and
 * the peak heap is checked). Cases run in two worker threads; a failing case
 * is reported with its seed and index, so it can be replayed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { decodeEvtx, EvtxDecoder, type EvtxSink } from '../src/sources/evtx/index.js';
import { corpus } from './corpus.js';
import { EvtxFormatError } from '../src/sources/evtx/errors.js';
import type { JsonTextSink } from '../src/core/json-text.js';

const IGNORE_TEXT: JsonTextSink = { utf16String: () => undefined, string: () => undefined, constants: () => undefined, literal: () => undefined, wants: () => true };

const TOTAL_CASES = 120_000;
const SEED = 0x5eed1049;
/** One case may take this long before it counts as a hang. */
const CASE_LIMIT_MS = 1_000;
const WORKER_HEAP_MB = 768;

interface Job {
  root: string;
  seed: number;
  first: number;
  count: number;
}

interface Report {
  cases: number;
  records: number;
  problems: number;
  wholeFiles: number;
  maxCaseMs: number;
  peakHeapMb: number;
  failures: string[];
}

// ------------------------------------------------------------------ worker side

function findEvtx(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) findEvtx(p, out);
    else if (e.name.endsWith('.evtx')) out.push(p);
  }
  return out.sort();
}

/** Small deterministic PRNG (mulberry32): case i of seed s is always the same case. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runFuzz(job: Job): Report {
  const files = findEvtx(job.root);
  const chunks: Buffer[] = [];
  const smallFiles: Buffer[] = [];
  for (const f of files) {
    const b = readFileSync(f);
    if (b.length <= 4096 + 65536) smallFiles.push(b);
    for (let o = 4096; o + 512 <= b.length; o += 65536) {
      const c = b.subarray(o, Math.min(o + 65536, b.length));
      if (c.toString('latin1', 0, 8) === 'ElfChnk\0') chunks.push(Buffer.from(c));
    }
  }
  const report: Report = { cases: 0, records: 0, problems: 0, wholeFiles: 0, maxCaseMs: 0, peakHeapMb: 0, failures: [] };
  const scratch = Buffer.alloc(65536);
  let checkJson = false;
  let limit = 0;
  const sink: EvtxSink = {
    record(event, recordId, offset) {
      report.records++;
      if (!event || typeof event !== 'object' || Array.isArray(event)) throw new Error('record is not an object');
      if (!Number.isFinite(recordId) || offset < 0 || offset >= limit) throw new Error(`record offset ${offset} outside the data`);
      if (checkJson) JSON.stringify(event);
    },
    // The view of a record before decoding (what `vigil hunt` reads first) sees the same damage.
    gate(raw) {
      try {
        raw.identity();
        raw.scanValues(IGNORE_TEXT);
      } catch (e) {
        if (!(e instanceof EvtxFormatError)) report.failures.push(`unexpected exception in the record view: ${(e as Error).stack ?? e}`);
      }
      return true;
    },
    error(message, offset) {
      report.problems++;
      if (!(offset >= 0 && offset <= limit)) throw new Error(`problem offset ${offset} outside the data: ${message}`);
      if (!/offset 0x[0-9a-f]+/.test(message)) throw new Error(`problem without an offset: ${message}`);
      // Damage must be recognized as such; any other exception inside the decoder is a bug it merely survived.
      if (message.includes('decoder error')) throw new Error(`unexpected exception inside the decoder: ${message}`);
    },
  };

  for (let i = job.first; i < job.first + job.count; i++) {
    const r = rng(job.seed ^ Math.imul(i, 0x9e3779b1));
    const pick = (n: number): number => Math.floor(r() * n);
    const t0 = performance.now();
    let what = '';
    try {
      checkJson = i % 8 === 0;
      if (i % 50 === 0 && smallFiles.length) {
        // Whole small file: damage anywhere, header included.
        const f = Buffer.from(smallFiles[pick(smallFiles.length)]);
        what = mutate(f, f.length, r, pick);
        const cut = what.startsWith('truncate') ? Number(what.split(' ')[1]) : f.length;
        limit = cut;
        decodeEvtx(f.subarray(0, cut), sink);
        report.wholeFiles++;
      } else {
        const c = chunks[pick(chunks.length)];
        c.copy(scratch);
        what = mutate(scratch, c.length, r, pick);
        const cut = what.startsWith('truncate') ? Number(what.split(' ')[1]) : c.length;
        const index = pick(4);
        const offset = 4096 + index * 65536;
        limit = offset + cut;
        // The decoder reports file offsets: give the chunk a place in a file.
        const d = new EvtxDecoder({
          record: (e, id, off, judged) => sink.record(e, id, off, judged),
          gate: (raw) => sink.gate!(raw),
          error: (m, off, id) => sink.error(m, off, id),
        });
        d.chunk(scratch.subarray(0, cut), offset, index);
        d.finish();
      }
    } catch (e) {
      report.failures.push(`case ${i} (seed ${job.seed}, ${what}): ${(e as Error).stack ?? e}`);
      if (report.failures.length > 20) break;
    }
    const ms = performance.now() - t0;
    if (ms > report.maxCaseMs) report.maxCaseMs = ms;
    if (ms > CASE_LIMIT_MS) report.failures.push(`case ${i} (seed ${job.seed}, ${what}) took ${ms.toFixed(0)} ms`);
    report.cases++;
    if (i % 1000 === 0) {
      const heap = process.memoryUsage().heapUsed / 1048576;
      if (heap > report.peakHeapMb) report.peakHeapMb = heap;
      parentPort?.postMessage({ progress: i });
    }
  }
  return report;
}

const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x1ff, 0x200, 0xfff0, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** Damages buf[0, len) in place; describes what it did ("truncate N" means: decode only N bytes). */
function mutate(buf: Buffer, len: number, r: () => number, pick: (n: number) => number): string {
  const fso = Math.min(Math.max(buf.readUInt32LE(48), 512), len);
  // Mostly inside the record data, sometimes in the chunk header.
  const pos = (): number => (r() < 0.9 && fso > 512 ? 512 + pick(fso - 512) : pick(Math.min(512, len)));
  const kind = pick(8);
  switch (kind) {
    case 0: {
      const n = 1 + pick(4);
      for (let k = 0; k < n; k++) buf[pos()] ^= 1 << pick(8);
      return `flip ${n} bits`;
    }
    case 1: {
      const at = pos();
      const n = Math.min(1 + pick(32), len - at);
      for (let k = 0; k < n; k++) buf[at + k] = pick(256);
      return `random run of ${n} at ${at}`;
    }
    case 2: {
      const at = pos();
      const n = Math.min(1 + pick(256), len - at);
      buf.fill(r() < 0.5 ? 0 : 0xff, at, at + n);
      return `fill run of ${n} at ${at}`;
    }
    case 3: {
      const at = Math.min(pos(), len - 4);
      const choices = [...INTERESTING, fso, at, at + 4, pick(65536)];
      const v = choices[pick(choices.length)];
      if (r() < 0.5) buf.writeUInt32LE(v >>> 0, at);
      else buf.writeUInt16LE(v & 0xffff, at);
      return `value ${v} at ${at}`;
    }
    case 4: {
      const from = pos();
      const to = pos();
      const n = Math.min(1 + pick(2048), len - from, len - to);
      buf.copy(buf, to, from, from + n);
      return `splice ${n} from ${from} to ${to}`;
    }
    case 5:
      return `truncate ${pick(len)}`;
    default: {
      const a = mutate(buf, len, r, pick);
      if (a.startsWith('truncate')) return a;
      const b = mutate(buf, len, r, pick);
      return `${b.startsWith('truncate') ? b + ' after ' : ''}${a}${b.startsWith('truncate') ? '' : ' + ' + b}`;
    }
  }
}

// ------------------------------------------------------------------ main side

if (!isMainThread && workerData) {
  parentPort!.postMessage({ done: runFuzz(workerData as Job) });
} else {
  test(`fuzz: ${TOTAL_CASES.toLocaleString('en-US')} damaged chunks decode without exceptions, hangs or unbounded memory`, { timeout: 240_000 }, async (t) => {
    const root = corpus('evtx');
    const workers = Math.max(1, Math.min(2, availableParallelism()));
    const per = Math.ceil(TOTAL_CASES / workers);
    const started = Date.now();
    const reports = await Promise.all(Array.from({ length: workers }, (_, w) => new Promise<Report>((resolve, reject) => {
      const job: Job = { root, seed: SEED, first: w * per, count: Math.min(per, TOTAL_CASES - w * per) };
      const worker = new Worker(new URL(import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
      let last = job.first;
      const watchdog = setTimeout(() => {
        void worker.terminate();
        reject(new Error(`worker ${w} stopped making progress after case ${last} (seed ${SEED}): a hang`));
      }, 200_000);
      worker.on('message', (m: { progress?: number; done?: Report }) => {
        if (m.progress !== undefined) last = m.progress;
        if (m.done) {
          clearTimeout(watchdog);
          resolve(m.done);
        }
      });
      worker.on('error', (e) => {
        clearTimeout(watchdog);
        reject(new Error(`worker ${w} died after case ${last} (seed ${SEED}): ${e.message}`));
      });
    })));
    const sum = (k: 'cases' | 'records' | 'problems' | 'wholeFiles'): number => reports.reduce((n, r) => n + r[k], 0);
    const secs = (Date.now() - started) / 1000;
    t.diagnostic(`${sum('cases')} cases (${sum('wholeFiles')} whole files) in ${secs.toFixed(1)} s on ${workers} workers: ` +
      `${sum('records')} records decoded, ${sum('problems')} problems reported; slowest case ${Math.max(...reports.map((r) => r.maxCaseMs)).toFixed(1)} ms; ` +
      `peak heap ${Math.max(...reports.map((r) => r.peakHeapMb)).toFixed(0)} MB`);
    assert.deepEqual(reports.flatMap((r) => r.failures).slice(0, 5), []);
    assert.equal(sum('cases'), TOTAL_CASES);
    assert.ok(sum('records') > TOTAL_CASES, 'most damaged chunks still yield records');
    for (const r of reports) assert.ok(r.peakHeapMb < WORKER_HEAP_MB / 2, `peak heap ${r.peakHeapMb} MB`);
  });
}
