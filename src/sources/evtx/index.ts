/**
 * Native EVTX reader (issue #3). Layout, one job per file:
 *
 *   file-header.ts  the 4096-byte file header        crc32.ts   checksums
 *   chunk.ts        64 KiB chunk headers, record framing and scanning
 *   tables.ts       per-chunk string (name) and template tables
 *   binxml.ts       BinXML tokens → node tree         values.ts  substitution value types
 *   time.ts         FILETIME / SYSTEMTIME text        render.ts  record → evtx_dump-shaped object
 *   reader.ts       file → chunks → records, with recovery and error reporting
 *   record-view.ts  a record before decoding: who wrote it, its values' text (for skipping it)
 *
 * This module connects the reader to the pipeline's RecordSink.
 */
import type { RecordSink } from '../records.js';
import { decodeEvtx, readEvtxFile, readEvtxRange, type EvtxSink, type EvtxStats, type RangeOutcome } from './reader.js';

export { RawEvtxRecord } from './record-view.js';
export { chunkSlots, decodeEvtx, readEvtxFile, EvtxDecoder, type EvtxSink, type EvtxStats, type RangeOutcome } from './reader.js';

/** Decompressed EVTX (from .gz) is decoded in memory; beyond this it is refused. */
const MAX_IN_MEMORY = 1024 * 1024 * 1024;

/**
 * Reads an EVTX file into a RecordSink: each record to `object`, numbered by
 * its System/EventRecordID (what Event Viewer shows; exported logs renumber the
 * record headers but keep it), else by the record header's identifier; each
 * problem to `error` with its file offset.
 * `open`, when given, supplies the (decompressed) bytes instead of the path.
 */
export async function readEvtxRecords(path: string, sink: RecordSink, open?: () => AsyncIterable<Buffer>): Promise<EvtxStats> {
  const target = toEvtxSink(sink);
  if (!open) {
    return readEvtxFile(path, target, {
      progress: (bytes) => sink.progress?.(bytes),
      pause: () => new Promise<void>((resolve) => setImmediate(resolve)),
    });
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of open()) {
    size += c.length;
    if (size > MAX_IN_MEMORY) {
      sink.error(`compressed EVTX larger than ${MAX_IN_MEMORY} bytes when unpacked; decompress it first`);
      return { chunks: 0, records: 0, errors: 1 };
    }
    parts.push(c);
  }
  return decodeEvtx(Buffer.concat(parts), target);
}

/** Chunk slots [first, end) of a file into a RecordSink, numbered as readEvtxRecords numbers them. */
export function readEvtxRangeRecords(path: string, first: number, end: number, sink: RecordSink): RangeOutcome {
  return readEvtxRange(path, first, end, toEvtxSink(sink));
}

function toEvtxSink(sink: RecordSink): EvtxSink {
  const gate = sink.evtxGate;
  return {
    record: (event, recordId, _offset, judged) => sink.object(event, eventRecordId(event) ?? recordId, judged),
    error: (message, offset, recordId) => sink.error(message, recordId, offset),
    gate: gate ? (r) => gate.call(sink, r) : undefined,
  };
}

function eventRecordId(event: Record<string, unknown>): number | undefined {
  const sys = (event['Event'] as Record<string, unknown> | undefined)?.['System'] as Record<string, unknown> | undefined;
  const v = sys?.['EventRecordID'];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  return undefined;
}
