/**
 * Finds JSON escapes that hide text from a byte-level needle search:
 * `\uXXXX` and `\/`. Lines with them bypass the prefilter. A backslash run of
 * even length is escaped backslashes (`C:\\users`), not an escape.
 */
const BACKSLASH = 0x5c;

export class EscapeFinder {
  private buf?: Buffer;
  private next = -1;

  /** True if buf[start, end) holds a \u or \/ escape. Calls must go forward through one buffer. */
  has(buf: Buffer, start: number, end: number): boolean {
    if (buf !== this.buf || (this.next !== Infinity && this.next < start)) {
      this.buf = buf;
      this.next = this.find(buf, start);
    }
    while (this.next < end) {
      if (this.isEscape(buf, this.next, start)) return true;
      this.next = this.find(buf, this.next + 1);
    }
    return false;
  }

  private find(buf: Buffer, from: number): number {
    const u = buf.indexOf('\\u', from, 'latin1');
    const s = buf.indexOf('\\/', from, 'latin1');
    const m = Math.min(u < 0 ? Infinity : u, s < 0 ? Infinity : s);
    return m;
  }

  private isEscape(buf: Buffer, pos: number, lineStart: number): boolean {
    let run = 1;
    for (let i = pos - 1; i >= lineStart && buf[i] === BACKSLASH; i--) run++;
    return run % 2 === 1;
  }
}
