/**
 * The incremental auditd reader: feed it bytes (or whole lines) as they
 * arrive, get assembled events and errors back. The file reader
 * (read-auditd.ts) and a live tail both sit on top of it.
 *
 *   write(bytes) ─▶ LineSplitter ─▶ parseRecord ─▶ EventAssembler ─▶ out.event(obj, firstLine)
 *                                        └─ not a record / damaged value ─▶ out.error(message, line)
 *
 * Blank lines, `#` comment lines (annotated test logs) and the separators
 * `ausearch` prints between events (`----`, `time->…`) are skipped.
 */
import { EventAssembler, type AssembledOutput, type AssemblerLimits } from './assembler.js';
import { LineSplitter } from '../line-splitter.js';
import { AuditLineError, parseRecord } from './record.js';

/** The kernel caps a record near 9 KiB; ENRICHED adds names. Far longer is not an audit record. */
export const MAX_AUDIT_LINE = 256 * 1024;

export class AuditdStream {
  private readonly assembler: EventAssembler;
  private readonly splitter: LineSplitter;

  constructor(
    private readonly out: AssembledOutput,
    limits: Partial<AssemblerLimits> = {},
    maxLine = MAX_AUDIT_LINE,
  ) {
    this.assembler = new EventAssembler(out, limits);
    this.splitter = new LineSplitter(
      {
        line: (buf, start, end, n) => this.line(buf.toString('utf8', start, end), n),
        oversized: (n, max) => out.error(`line ${n} is longer than ${max} bytes; skipped`, n),
      },
      maxLine,
    );
  }

  /** Bytes of the log, split anywhere. */
  write(chunk: Buffer): void {
    this.splitter.write(chunk);
  }

  /** One complete line (without its newline) with its 1-based number. */
  line(text: string, lineNo: number, now = Date.now()): void {
    // Trimmed only when it has to be: most lines start with "type=" or "node=".
    const t = text.charCodeAt(0) === 0x74 || text.charCodeAt(0) === 0x6e ? text : text.trim();
    // blank, a # comment, or an ausearch separator ('----', 'time->…')
    if (t === '' || t.charCodeAt(0) === 0x23 || t === '----' || (t.charCodeAt(0) === 0x74 && t.startsWith('time->'))) return;
    let parsed;
    try {
      parsed = parseRecord(t);
    } catch (e) {
      if (!(e instanceof AuditLineError)) throw e;
      this.out.error(e.message, lineNo);
      return;
    }
    for (const p of parsed.problems) this.out.error(p, lineNo);
    this.assembler.add(parsed.record, lineNo, t.length, now);
  }

  /** End of input: the last partial line and every open event are emitted. */
  end(): void {
    this.splitter.end();
    this.assembler.end();
  }

  /** For a live tail: emits events that received no record for idleMs. */
  flushIdle(idleMs: number, now = Date.now()): void {
    this.assembler.flushIdle(idleMs, now);
  }

  get openEvents(): number {
    return this.assembler.openCount;
  }
}
