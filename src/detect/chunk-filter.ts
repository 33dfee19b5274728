/**
 * Whole-chunk prefilter: finds, in one native RE2 pass over a chunk of JSON
 * lines, the lines that contain any needle (case-insensitive) or a JSON
 * escape that could hide one (`\u`, `\/` after an odd run of backslashes).
 * Lines without a hit are never looked at again; lines with one go on to the
 * exact escape search and NeedleScanner, which say which rules they can concern.
 *
 *   chunk ──RE2 /n1|n2|…|escape/gi──▶ hit ─▶ jump to the next line ─▶ hit ─▶ …
 *
 * The escape alternative costs the DFA nothing measurable, whereas a separate
 * native search for `\u` stops at every backslash of every Windows path.
 *
 * RE2 runs as a lazily built DFA in C++; with a few hundred needles it is
 * several times faster than a JavaScript automaton. With thousands its DFA
 * cache thrashes, so large rule sets use the per-line automaton instead.
 */
import RE2 from 're2';

/** Above this many needles the RE2 DFA no longer fits its cache (measured, see docs/BENCHMARKS.md). */
export const CHUNK_FILTER_MAX_NEEDLES = 400;

const ESCAPE = String.raw`(?:^|[^\\])(?:\\\\)*\\[u/]`;

interface GlobalTester {
  lastIndex: number;
  test(input: Buffer): boolean;
}

export class ChunkFilter {
  private readonly re: GlobalTester;

  constructor(needles: readonly string[]) {
    const alternation = needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    // An escape: backslash + u or /, preceded by an even run of backslashes
    // (themselves escaped backslashes) at the start or after another byte.
    // Lines begin after a newline, so `^` is needed only at the region start.
    this.re = new RE2(`${alternation}|${ESCAPE}`, 'gi') as unknown as GlobalTester;
  }

  /** Appends to `out` one position inside each line of buf[start, end) that holds a needle or an escape. */
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
