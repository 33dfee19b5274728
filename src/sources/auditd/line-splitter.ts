/**
 * Bytes as they arrive → whole lines with their 1-based numbers. A line
 * longer than maxLine is dropped (reported once) and never buffered whole,
 * so one endless line cannot exhaust memory.
 */
export interface LineOutput {
  line(text: string, lineNo: number): void;
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
      this.finishLine(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** End of input: a last line without newline still counts. */
  end(): void {
    if (this.carryBytes > 0 || this.skipping) this.finishLine(Buffer.alloc(0));
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

  private finishLine(tail: Buffer): void {
    this.lineNo++;
    if (this.skipping || this.carryBytes + tail.length > this.maxLine) {
      this.skipping = false;
      this.carry = [];
      this.carryBytes = 0;
      this.out.oversized(this.lineNo, this.maxLine);
      return;
    }
    let buf = tail;
    if (this.carryBytes > 0) {
      this.carry.push(tail);
      buf = Buffer.concat(this.carry);
      this.carry = [];
      this.carryBytes = 0;
    }
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 13) end--; // CRLF
    this.out.line(buf.toString('utf8', 0, end), this.lineNo);
  }
}
