/**
 * Bytes as they arrive → whole lines with their 1-based numbers, for every
 * line-oriented text log (auditd, Zeek TSV; a live tail pushes bytes in as
 * the file grows). A line longer than maxLine is dropped (reported once) and
 * never buffered whole, so one endless line cannot exhaust memory. Nothing
 * is trimmed but the CR of a CRLF: in a tab-separated log a leading blank is
 * data.
 */
export interface LineOutput {
  /** One line in buf[start, end) without its line break. */
  line(buf: Buffer, start: number, end: number, lineNo: number): void;
  oversized(lineNo: number, maxLine: number): void;
}

export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;
  private lineNo = 0;

  constructor(
    private readonly out: LineOutput,
    private readonly maxLine: number,
  ) {}

  get linesSeen(): number {
    return this.lineNo;
  }

  write(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      this.finishLine(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** End of input: a last line without newline still counts. */
  end(): void {
    if (this.carryBytes > 0 || this.skipping) this.finishLine(Buffer.alloc(0), 0, 0);
  }

  private keep(piece: Buffer): void {
    if (this.skipping) return;
    if (this.carryBytes + piece.length > this.maxLine) {
      this.skipping = true;
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    // Copied: the caller may reuse its chunk buffer.
    this.carry.push(Buffer.from(piece));
    this.carryBytes += piece.length;
  }

  /** The line ending at chunk[end] (its last piece is chunk[start, end)). */
  private finishLine(chunk: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (this.skipping || this.carryBytes + (end - start) > this.maxLine) {
      this.skipping = false;
      this.carry = [];
      this.carryBytes = 0;
      this.out.oversized(this.lineNo, this.maxLine);
      return;
    }
    let buf = chunk;
    if (this.carryBytes > 0) {
      // Only a line straddling two chunks is copied whole.
      this.carry.push(chunk.subarray(start, end));
      buf = Buffer.concat(this.carry);
      start = 0;
      end = buf.length;
      this.carry = [];
      this.carryBytes = 0;
    }
    if (end > start && buf[end - 1] === 13) end--; // CRLF
    this.out.line(buf, start, end, this.lineNo);
  }
}
