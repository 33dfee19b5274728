/**
 * Runs a hunt over its input files, EVTX files in parallel across worker
 * threads. Results are taken in input order (file by file, range by range),
 * so alerts come out in the same order as a single-threaded run, while the
 * workers decode ahead:
 *
 *   inputs ─▶ [a.evtx: r0 r1 r2] [b.json] [c.evtx: r0] …
 *                 │  │  │                      │
 *               worker pool (decode + normalize + detect), up to `lookahead` ranges ahead
 *                 ▼  ▼  ▼                      ▼
 *   main: absorb a.r0, a.r1, a.r2 → runFile(b.json) in-thread → absorb c.r0 → …
 *
 * A range that cannot be decoded alone (a damaged chunk borrowing another
 * chunk's template) sends its whole file back to the main thread, which
 * decodes it sequentially: results stay exactly those of a single thread.
 */
import { availableParallelism } from 'node:os';
import { chunkSlots } from '../sources/evtx/index.js';
import { isGzip, readHead } from '../sources/format.js';
import { EvtxPool, type RangeResult, type RuleSpec } from './evtx-pool.js';
import type { Hunt } from './hunt.js';

export interface InputFile {
  path: string;
  size: number;
  explicit: boolean;
}

export interface ParallelOptions {
  /** Worker threads; 0 or 1 decodes everything in the main thread. Default: defaultThreads(). */
  threads?: number;
  /** Below this many EVTX bytes in all (in files big enough to share out), starting workers costs more than it saves. */
  minParallelBytes?: number;
  /**
   * EVTX files smaller than this are decoded in the main thread, between the
   * workers' results: for a file of a few chunks, a worker's round trip costs
   * more than its decoding (measured: the corpus's 416 mostly small files
   * took longer with two workers than with none).
   */
  minParallelFileBytes?: number;
  /** Chunk slots per job (64 KiB each). */
  rangeChunks?: number;
  /** How the workers load the rules the main thread uses. */
  rules: RuleSpec;
  expectedRules: number;
}

export const DEFAULT_MIN_PARALLEL_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MIN_PARALLEL_FILE_BYTES = 1024 * 1024;
const DEFAULT_RANGE_CHUNKS = 32;

/**
 * One worker per CPU but one: the main thread takes in the workers' results and
 * decodes the small files itself. On a 2-CPU machine that leaves one worker,
 * no better than the main thread alone, so parallel decoding starts at 3 CPUs
 * unless asked for (measured on 2 CPUs: two workers beside the main thread
 * gave 1.3x on large files and less than 1x on folders of small ones).
 */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** How the work was shared out. */
export interface RunReport {
  /** Worker threads used (0: everything ran in the main thread). */
  threads: number;
  /** Chunk ranges decoded by workers. */
  ranges: number;
  /** EVTX files decoded again as a whole in the main thread (a range could not stand alone, or a worker died). */
  redone: number;
}

export async function runFiles(hunt: Hunt, inputs: readonly InputFile[], opts: ParallelOptions): Promise<RunReport> {
  const threads = opts.threads ?? defaultThreads();
  const minFile = opts.minParallelFileBytes ?? DEFAULT_MIN_PARALLEL_FILE_BYTES;
  const evtx = inputs.map((f) => f.size >= minFile && isPlainEvtx(f.path));
  const evtxBytes = inputs.reduce((s, f, i) => s + (evtx[i] ? f.size : 0), 0);
  if (threads <= 1 || evtxBytes === 0 || evtxBytes < (opts.minParallelBytes ?? DEFAULT_MIN_PARALLEL_BYTES)) {
    for (const f of inputs) await hunt.runFile(f.path, f.size, f.explicit);
    return { threads: 0, ranges: 0, redone: 0 };
  }
  const report: RunReport = { threads, ranges: 0, redone: 0 };
  const rangeChunks = Math.max(1, opts.rangeChunks ?? DEFAULT_RANGE_CHUNKS);
  const pool = new EvtxPool(threads, opts.rules, opts.expectedRules);
  const lookahead = threads * 4;
  // Every range of every EVTX file, in input order; submitted `lookahead` ahead of the one being taken.
  const jobs: { file: number; first: number; end: number; result?: Promise<RangeResult> }[] = [];
  inputs.forEach((f, i) => {
    if (!evtx[i]) return;
    const slots = Math.max(1, chunkSlots(f.size));
    for (let c = 0; c < slots; c += rangeChunks) jobs.push({ file: i, first: c, end: Math.min(slots, c + rangeChunks) });
  });
  let submitted = 0;
  let taken = 0;
  const pump = (): void => {
    while (submitted < jobs.length && submitted - taken < lookahead) {
      const j = jobs[submitted++];
      j.result = pool.run(inputs[j.file].path, j.first, j.end);
      j.result.catch(() => undefined); // handled when taken
    }
  };
  try {
    pump();
    for (let i = 0; i < inputs.length; i++) {
      const f = inputs[i];
      if (!evtx[i]) {
        await hunt.runFile(f.path, f.size, f.explicit);
        continue;
      }
      const results: RangeResult[] = [];
      let whole = false;
      while (taken < jobs.length && jobs[taken].file === i) {
        const j = jobs[taken++];
        pump();
        try {
          const r = await j.result!;
          if (!r.complete) whole = true;
          results.push(r);
        } catch {
          whole = true; // the worker died: this thread decodes the file
        }
      }
      report.ranges += results.length;
      if (whole) {
        report.redone++;
        await hunt.runFile(f.path, f.size, f.explicit);
        continue;
      }
      for (const r of results) hunt.absorb(f.path, r.result);
      hunt.fileDone(f.size);
    }
  } finally {
    await pool.close();
  }
  return report;
}

/** An uncompressed EVTX file (a .evtx.gz is unpacked in memory by the main thread). */
function isPlainEvtx(path: string): boolean {
  try {
    const head = readHead(path, 8);
    return !isGzip(head) && head.toString('latin1') === 'ElfFile\0';
  } catch {
    return false;
  }
}
