/**
 * Whole-chunk prefilter: finds, in one native RE2 pass over a chunk of JSON
 * lines, the lines that contain any needle (case-insensitive) or a JSON
 * escape that could hide one (`\u`, `\/`).
 * Lines without a hit are never looked at again; lines with one go on to the
 * exact escape search and NeedleScanner, which say which rules they can concern.
 *
 *   chunk ──RE2 /n1|n2|…|escape/gi──▶ hit ─▶ jump to the next line ─▶ hit ─▶ …
 *
 * The escape alternative (a backslash before u or /) costs the DFA little,
 * whereas a separate native search for `\u` stops at every backslash of
 * every Windows path.
 *
 * RE2 runs as a lazily built DFA in C++; with a few hundred needles it is
 * several times faster than a JavaScript automaton. With thousands its DFA
 * cache thrashes, so large rule sets use the per-line automaton instead.
 */
import RE2 from 're2';

/** Above this many needles the RE2 DFA no longer fits its cache (measured, see docs/BENCHMARKS.md). */
export const CHUNK_FILTER_MAX_NEEDLES = 400;

/**
 * A backslash before u or /, case-sensitive inside the case-insensitive
 * needles. It also finds escaped backslashes before a u (`C:\\users`), which
 * the exact search (json-escapes.ts) then rules out line by line: requiring
 * an odd backslash run here multiplies the DFA's states with the needles'
 * own backslashes and halves its speed (measured: 255 → 635 MB/s, 108 needles).
 */
const ESCAPE = String.raw`(?-i:\\[u/])`;

interface GlobalTester {
  lastIndex: number;
  test(input: Buffer): boolean;
}

export class ChunkFilter {
  private readonly re: GlobalTester;

  constructor(needles: readonly string[]) {
    const alternation = needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
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
