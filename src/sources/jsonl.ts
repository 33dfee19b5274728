/**
 * JSON lines from a byte stream. Lines are handed on as byte ranges of the
 * chunk they arrived in: no string is made for a line detection skips.
 */
import type { RecordSink } from './records.js';

export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export async function readJsonLines(stream: AsyncIterable<Buffer>, sink: RecordSink, maxLine = MAX_LINE_BYTES): Promise<void> {
  let carry: Buffer | null = null;
  let lineNo = 0;
  let consumed = 0;
  let skipping = false; // inside an oversized line, dropping bytes until its newline
  for await (const chunk of stream) {
    consumed += chunk.length;
    let buf: Buffer = chunk;
    let start = 0;
    if (skipping) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        sink.progress?.(consumed);
        continue;
      }
      skipping = false;
      start = nl + 1;
    } else if (carry) {
      buf = Buffer.concat([carry, chunk]);
      carry = null;
    }
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      lineNo++;
      emit(buf, start, nl, lineNo, sink);
      start = nl + 1;
    }
    if (start < buf.length) {
      if (buf.length - start > maxLine) {
        lineNo++;
        sink.error(`line ${lineNo} is longer than ${maxLine} bytes; skipped`, lineNo);
        skipping = true;
      } else {
        carry = Buffer.from(buf.subarray(start));
      }
    }
    sink.progress?.(consumed);
  }
  if (carry && carry.length) {
    lineNo++;
    emit(carry, 0, carry.length, lineNo, sink);
  }
}

function emit(buf: Buffer, start: number, end: number, lineNo: number, sink: RecordSink): void {
  if (end > start && buf[end - 1] === 13) end--; // CRLF
  let s = start;
  while (s < end && (buf[s] === 32 || buf[s] === 9)) s++;
  if (s === end) return; // blank line
  sink.line(buf, s, end, lineNo);
}
