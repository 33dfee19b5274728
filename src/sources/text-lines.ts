/**
 * Lines of a byte stream (a file read to its end), handed on as byte ranges
 * of the chunk they arrived in: the LineSplitter, fed by a stream.
 */
import { LineSplitter, type LineOutput } from './line-splitter.js';

export interface LineHandler extends LineOutput {
  progress?(bytes: number): void;
}

export async function forEachLine(stream: AsyncIterable<Buffer>, h: LineHandler, maxLine: number): Promise<void> {
  const lines = new LineSplitter(h, maxLine);
  let consumed = 0;
  for await (const chunk of stream) {
    consumed += chunk.length;
    lines.write(chunk);
    h.progress?.(consumed);
  }
  lines.end();
}
