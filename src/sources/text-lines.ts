/**
 * Lines of a byte stream, handed on as byte ranges of the chunk they arrived
 * in (a line straddling two chunks is the only one copied). Unlike JSON lines,
 * nothing is trimmed: in a tab-separated log a leading blank is data.
 */

export interface LineHandler {
  /** One line in buf[start, end) without its line break (LF or CRLF); `lineNo` is 1-based. */
  line(buf: Buffer, start: number, end: number, lineNo: number): void;
  /** A line longer than the limit: skipped whole, memory stays bounded. */
  oversized(lineNo: number, limit: number): void;
  progress?(bytes: number): void;
}

export async function forEachLine(stream: AsyncIterable<Buffer>, h: LineHandler, maxLine: number): Promise<void> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let lineNo = 0;
  let consumed = 0;
  let skipping = false; // inside an oversized line, dropping bytes until its newline
  const emit = (buf: Buffer, start: number, end: number): void => {
    lineNo++;
    if (end > start && buf[end - 1] === 13) end--;
    h.line(buf, start, end, lineNo);
  };
  for await (const chunk of stream) {
    consumed += chunk.length;
    let start = 0;
    if (skipping || carryBytes > 0) {
      const first = chunk.indexOf(10);
      if (first < 0) {
        if (!skipping) {
          carry.push(chunk);
          carryBytes += chunk.length;
          if (carryBytes > maxLine) skipping = tooLong();
        }
        h.progress?.(consumed);
        continue;
      }
      if (skipping) lineNo++;
      else {
        const line = Buffer.concat([...carry, chunk.subarray(0, first)]);
        emit(line, 0, line.length);
      }
      skipping = false;
      carry = [];
      carryBytes = 0;
      start = first + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      emit(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) {
      if (chunk.length - start > maxLine) skipping = tooLong();
      else {
        carry = [chunk.subarray(start)];
        carryBytes = chunk.length - start;
      }
    }
    h.progress?.(consumed);
  }
  if (carryBytes > 0 && !skipping) {
    const line = Buffer.concat(carry);
    emit(line, 0, line.length);
  }

  function tooLong(): true {
    h.oversized(lineNo + 1, maxLine);
    carry = [];
    carryBytes = 0;
    return true;
  }
}
