/**
 * FreeBSD (OpenBSM) audit trails as `praudit -x` prints them, read as a
 * stream: only the record being assembled is held (bounded by
 * maxRecordBytes), never the document. Between records the printer writes
 * `<?xml version='1.0' ?>`, `<audit>` and `</audit>` (once per praudit run,
 * so concatenated outputs repeat them); each `<record …>…</record>` becomes
 * one object (record.ts) handed to sink.object with its line number.
 *
 * Damage is reported with line and byte offset and reading goes on: text
 * between records (a trail cut mid-record, a stray message) is skipped up
 * to the next `<record`; a record cut short by the next one or by the end of
 * input is reported as truncated; a record that does not parse is reported
 * and skipped; a bad character reference inside one is reported and kept
 * as written.
 *
 * The text is scanned as latin1 (one character per byte, so positions are
 * exact byte offsets); record.ts decodes each value as UTF-8.
 */
import type { RecordSink } from '../records.js';
import { parseRecord, PrauditNeedMore, PrauditSyntaxError } from './record.js';

/** A record larger than this is reported and skipped (ARG_MAX of arguments, XML-escaped, fits). */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

const RECORD_OPEN = '<record';
/** Markup allowed between records, with what ends each ('' = itself). */
const PROLOG: readonly (readonly [open: string, close: string])[] = [
  ['<?xml', '?>'],
  ['<!--', '-->'],
  ['<audit>', ''],
  ['</audit>', ''],
];
/** Characters of unexpected text quoted in its report. */
const GARBAGE_EXCERPT = 40;
/** Longest markup we may have to see whole before deciding what it is. */
const LONGEST_OPENING = 9;

export async function readPrauditXml(stream: AsyncIterable<Buffer>, sink: RecordSink, maxRecordBytes = MAX_RECORD_BYTES): Promise<void> {
  const scanner = new Scanner(sink, maxRecordBytes);
  let consumed = 0;
  for await (const chunk of stream) {
    consumed += chunk.length;
    scanner.feed(chunk.toString('latin1'), false);
    sink.progress?.(consumed);
  }
  scanner.feed('', true);
}

class Scanner {
  /** Unprocessed input (latin1: index = byte). */
  private text = '';
  private pos = 0;
  /** Byte offset and 1-based line of text[0]. */
  private base = 0;
  private baseLine = 1;
  /** Where line counting got to, so each newline is counted once. */
  private markPos = 0;
  private markLine = 1;
  /** Inside a stretch of unexpected text already reported. */
  private inGarbage = false;
  /** Dropping a bad or oversized record, up to the next record. */
  private skipping = false;

  constructor(
    private readonly sink: RecordSink,
    private readonly maxRecord: number,
  ) {}

  feed(more: string, final: boolean): void {
    this.rebase();
    this.text += more;
    const t = this.text;
    while (this.pos < t.length) {
      if (this.skipping && !this.skipToNextRecord(final)) return;
      this.pos = skipBlank(t, this.pos);
      if (this.pos >= t.length) return;
      if (!final && t.length - this.pos < LONGEST_OPENING && couldStartMarkup(t.slice(this.pos))) return;
      if (isRecordStart(t, this.pos)) {
        if (!this.record(final)) return;
        continue;
      }
      const prolog = PROLOG.find(([open]) => t.startsWith(open, this.pos));
      if (prolog) {
        const [open, close] = prolog;
        const end = close ? t.indexOf(close, this.pos + open.length) : this.pos;
        if (end >= 0) {
          this.pos = end + (close || open).length;
          continue;
        }
        if (!final && t.length - this.pos < 4096) return; // wait for the rest of it
      }
      // Wait for enough text to show in the report, unless the stretch is known already.
      if (!final && !this.inGarbage && t.length - this.pos < GARBAGE_EXCERPT) return;
      this.garbage(final);
    }
  }

  /** Handles the record at pos; false when it needs more input. */
  private record(final: boolean): boolean {
    const t = this.text;
    const start = this.pos;
    let parsed;
    try {
      parsed = parseRecord(t, start, Math.min(t.length, start + this.maxRecord));
    } catch (e) {
      if (e instanceof PrauditNeedMore) {
        if (t.length - start >= this.maxRecord) {
          this.fail(start, `record longer than ${this.maxRecord} bytes; skipped`);
          this.skipping = true;
        } else if (!final) {
          return false;
        } else {
          this.fail(start, 'truncated record: the input ends before </record>');
          this.pos = t.length;
        }
        return true;
      }
      if (!(e instanceof PrauditSyntaxError)) throw e;
      if (e.restartAt !== undefined) {
        this.fail(start, e.message);
        this.pos = e.restartAt;
      } else {
        const line = this.lineAt(start);
        this.fail(e.at, `${e.message}; the record of line ${line} skipped`);
        this.skipping = true;
      }
      return true;
    }
    const line = this.lineAt(start);
    for (const p of parsed.problems) this.fail(p.at, p.message);
    this.sink.object(parsed.record, line);
    this.pos = parsed.end;
    this.inGarbage = false;
    return true;
  }

  /** While skipping: moves to the next record start after pos; false if it is not in the input yet. */
  private skipToNextRecord(final: boolean): boolean {
    const t = this.text;
    const next = nextRecordStart(t, this.pos + 1);
    if (next < 0) {
      // Keep a possible start of `<record` cut by the chunk boundary.
      this.pos = final ? t.length : Math.max(this.pos, t.length - LONGEST_OPENING);
      return false;
    }
    this.skipping = false;
    this.pos = next;
    return true;
  }

  /** Unexpected text at pos: reported once per stretch, skipped up to the next record. */
  private garbage(final: boolean): void {
    if (!this.inGarbage) {
      const t = this.text;
      const lt = t.indexOf('<', this.pos + 1);
      const end = Math.min(this.pos + GARBAGE_EXCERPT, lt < 0 ? t.length : lt);
      const excerpt = JSON.stringify(Buffer.from(t.slice(this.pos, end), 'latin1').toString('utf8'));
      this.fail(this.pos, `unexpected text between records ${excerpt}; skipped up to the next <record>`);
      this.inGarbage = true;
    }
    this.skipping = true;
    if (this.skipToNextRecord(final)) this.inGarbage = false;
  }

  private fail(pos: number, message: string): void {
    const line = this.lineAt(pos);
    const offset = this.base + pos;
    this.sink.error(`line ${line}, byte offset ${offset}: ${message}`, line, offset);
  }

  /** 1-based line of text[pos]. */
  private lineAt(pos: number): number {
    if (pos < this.markPos) {
      this.markPos = 0;
      this.markLine = this.baseLine;
    }
    this.markLine += countNewlines(this.text, this.markPos, pos);
    this.markPos = pos;
    return this.markLine;
  }

  /** Drops what is processed, keeping offsets and line numbers right. */
  private rebase(): void {
    if (this.pos === 0) return;
    this.baseLine = this.lineAt(this.pos);
    this.base += this.pos;
    this.text = this.text.slice(this.pos);
    this.pos = 0;
    this.markPos = 0;
    this.markLine = this.baseLine;
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function skipBlank(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** `<record` followed by a blank or `>` (not `<records`). */
function isRecordStart(s: string, i: number): boolean {
  if (!s.startsWith(RECORD_OPEN, i)) return false;
  const c = s.charCodeAt(i + RECORD_OPEN.length);
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3e;
}

function nextRecordStart(s: string, from: number): number {
  for (let i = s.indexOf(RECORD_OPEN, from); i >= 0; i = s.indexOf(RECORD_OPEN, i + 1)) {
    if (isRecordStart(s, i) || i + RECORD_OPEN.length >= s.length) return i;
  }
  return -1;
}

/** The rest of the input could still become markup we know. */
function couldStartMarkup(rest: string): boolean {
  return [RECORD_OPEN + ' ', RECORD_OPEN + '>', ...PROLOG.map(([open]) => open)].some((m) => m.startsWith(rest) || rest.startsWith(m));
}
