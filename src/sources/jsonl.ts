/**
 * JSON lines from a byte stream. Lines are handed on as byte ranges of the
 * chunk they arrived in: no string is made for a line detection skips.
 * Nothing refers to a chunk once the next is asked for (the unfinished last
 * line is copied), so a reader may reuse its buffers (file-chunks.ts).
 */
import type { RecordSink } from './records.js';

export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export async function readJsonLines(stream: AsyncIterable<Buffer>, sink: RecordSink, maxLine = MAX_LINE_BYTES): Promise<void> {
  let carry: Buffer[] = []; // the unfinished last line, in pieces
  let carryBytes = 0;
  let lineNo = 0;
  let consumed = 0;
  let skipping = false; // inside an oversized line, dropping bytes until its newline
  for await (const chunk of stream) {
    consumed += chunk.length;
    let start = 0;
    const first = chunk.indexOf(10);
    if (skipping || carryBytes > 0) {
      if (first < 0) {
        if (!skipping) {
          carry.push(Buffer.from(chunk));
          carryBytes += chunk.length;
          if (carryBytes > maxLine) skipping = oversized(++lineNo);
        }
        sink.progress?.(consumed);
        continue;
      }
      if (!skipping) {
        // Only the straddling line is copied; the rest is read in place.
        const line = Buffer.concat([...carry, chunk.subarray(0, first)]);
        lineNo++;
        sink.chunk?.(line, 0, line.length);
        emit(line, 0, line.length, lineNo, sink);
      }
      skipping = false;
      carry = [];
      carryBytes = 0;
      start = first + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) {
      sink.chunk?.(chunk, start, last + 1);
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        lineNo++;
        emit(chunk, start, nl, lineNo, sink);
        start = nl + 1;
      }
    }
    if (start < chunk.length) {
      if (chunk.length - start > maxLine) skipping = oversized(++lineNo);
      else {
        carry = [Buffer.from(chunk.subarray(start))];
        carryBytes = chunk.length - start;
      }
    }
    sink.progress?.(consumed);
  }
  if (carryBytes > 0 && !skipping) {
    const line = Buffer.concat(carry);
    sink.chunk?.(line, 0, line.length);
    lineNo++;
    emit(line, 0, line.length, lineNo, sink);
  }

  function oversized(n: number): true {
    sink.error(`line ${n} is longer than ${maxLine} bytes; skipped`, n);
    carry = [];
    carryBytes = 0;
    return true;
  }
}

function emit(buf: Buffer, start: number, end: number, lineNo: number, sink: RecordSink): void {
  if (end > start && buf[end - 1] === 13) end--; // CRLF
  let s = start;
  while (s < end && (buf[s] === 32 || buf[s] === 9)) s++;
  if (s === end) return; // blank line
  sink.line(buf, s, end, lineNo);
}
