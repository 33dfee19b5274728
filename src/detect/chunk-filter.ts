/**
 * Whole-chunk prefilter: finds, in one native RE2 pass over a chunk of JSON
 * lines, the lines that contain any needle (case-insensitive). Lines without
 * a hit are never looked at again; lines with one go on to the exact
 * NeedleScanner, which says which rules they can concern.
 *
 *   chunk ──RE2 /n1|n2|…/gi──▶ hit ─▶ jump to the next line ─▶ hit ─▶ …
 *
 * RE2 runs as a lazily built DFA in C++; with a few hundred needles it is
 * several times faster than a JavaScript automaton. With thousands its DFA
 * cache thrashes, so large rule sets use the per-line automaton instead.
 */
import RE2 from 're2';

/** Above this many needles the RE2 DFA no longer fits its cache (measured, see docs/BENCHMARKS.md). */
export const CHUNK_FILTER_MAX_NEEDLES = 400;

interface GlobalTester {
  lastIndex: number;
  test(input: Buffer): boolean;
}

export class ChunkFilter {
  private readonly re: GlobalTester;

  constructor(needles: readonly string[]) {
    const alternation = needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    this.re = new RE2(alternation, 'gi') as unknown as GlobalTester;
  }

  /** Appends to `out` one position inside each line of buf[start, end) that holds a needle. */
  findLines(buf: Buffer, start: number, end: number, out: number[]): void {
    const re = this.re;
    const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
    re.lastIndex = 0;
    while (re.test(view)) {
      const hitEnd = re.lastIndex; // byte offset just past the match
      out.push(start + hitEnd - 1);
      const nl = view.indexOf(10, hitEnd);
      if (nl < 0) break;
      re.lastIndex = nl + 1;
    }
  }
}
