/**
 * JSON escapes that hide text from a byte-level needle search: `\uXXXX`
 * and `\/`. Lines holding one bypass the prefilter. A backslash run of even
 * length is escaped backslashes (`C:\\users`), not an escape.
 */
const BACKSLASH = 0x5c;

const U = Buffer.from('\\u', 'latin1');
const SLASH = Buffer.from('\\/', 'latin1');

/** Appends the positions of real \u and \/ escapes in buf[start, end) to `out`, ascending. */
export function findEscapes(buf: Buffer, start: number, end: number, out: number[]): void {
  // Search only inside [start, end): indexOf on the whole buffer would scan past it.
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  let u = view.indexOf(U);
  let s = view.indexOf(SLASH);
  while (u >= 0 || s >= 0) {
    const pos = u < 0 ? s : s < 0 ? u : Math.min(u, s);
    if (isEscape(view, pos)) out.push(start + pos);
    if (pos === u) u = view.indexOf(U, pos + 1);
    else s = view.indexOf(SLASH, pos + 1);
  }
}

function isEscape(buf: Buffer, pos: number): boolean {
  let run = 1;
  for (let i = pos - 1; i >= 0 && buf[i] === BACKSLASH; i--) run++;
  return run % 2 === 1;
}

/** Ascending positions, consumed by lines in order: "is there one in [start, end)?" */
export class PositionCursor {
  private list: number[] = [];
  private i = 0;

  reset(list: number[]): void {
    this.list = list;
    this.i = 0;
  }

  any(start: number, end: number): boolean {
    const l = this.list;
    while (this.i < l.length && l[this.i] < start) this.i++;
    return this.i < l.length && l[this.i] < end;
  }
}
