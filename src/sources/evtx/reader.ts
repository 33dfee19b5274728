/**
 * EVTX file → records, recovering whatever can be recovered:
 *
 * - a bad file-header signature or checksum is reported; the chunks are read anyway;
 * - every 64 KiB slot after the header is tried, also beyond the header's chunk
 *   count (dirty files undercount) and a truncated last chunk;
 * - an all-zero slot is unused and skipped quietly; a slot with a bad chunk
 *   signature is reported and scanned for records;
 * - checksum mismatches (header, record data) are reported and the records
 *   still decoded, each one validated on its own (signature, size, size copy);
 * - where no valid record starts, the chunk is scanned for the next one and the
 *   skipped byte range reported; a record whose BinXML is broken is reported
 *   and reading goes on with the next record;
 * - a record whose template definition was lost with a damaged part of its
 *   chunk is decoded with the same template (same id) from another chunk; when
 *   that copy only appears later in the file, the record waits and is handed
 *   on by finish(), after the last chunk.
 *
 * Every problem reaches `sink.error` with its file offset; nothing is thrown.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Budget, parseFragment, viewFragment } from './binxml.js';
import { RawEvtxRecord } from './record-view.js';
import {
  CHUNK_HEADER_SIZE, CHUNK_SIZE, computeHeaderChecksum, computeRecordsChecksum, findRecord, isZero,
  parseChunkHeader, recordSizeAt,
} from './chunk.js';
import { EvtxFormatError, EvtxMissingTemplate, hex } from './errors.js';
import { FILE_HEADER_SIZE, parseFileHeader, u64 } from './file-header.js';
import { renderRecord, type JsonObject } from './render.js';
import { ChunkTables, type Template } from './tables.js';

export interface EvtxSink {
  /**
   * One decoded record: `recordId` is its EventRecordID, `offset` its file
   * offset; `judged` when gate() was asked about it (and said yes).
   */
  record(event: JsonObject, recordId: number, offset: number, judged: boolean): void;
  /**
   * Optional: asked about each record before it is decoded, when its layout
   * allows (see record-view.ts); false skips the record — it counts as read,
   * and is not decoded. Framing, template and value bounds are checked before
   * the question; damage inside a skipped record's values goes unreported.
   */
  gate?(record: RawEvtxRecord): boolean;
  /** A problem; `offset` is a file offset. Reading continues. */
  error(message: string, offset: number, recordId?: number): void;
}

export interface EvtxStats {
  chunks: number;
  records: number;
  errors: number;
}

/** Decodes chunks one at a time, keeping only that chunk's tables. */
/** Records waiting for a template from a later chunk: a copy of their chunk and where they are. */
interface Deferred {
  buf: Buffer;
  fileOffset: number;
  where: string;
  records: [number, number][];
}

/** Chunks kept for a second try at most (64 KiB each). */
const MAX_DEFERRED_CHUNKS = 256;

export class EvtxDecoder {
  readonly stats: EvtxStats = { chunks: 0, records: 0, errors: 0 };
  private readonly budget = new Budget();
  private headerChunkCount = -1;
  /** Every template parsed in this file, by template id. */
  private readonly templates = new Map<number, Template>();
  private readonly deferred: Deferred[] = [];
  private deferredHere: Deferred | null = null;
  /** The record the gate is asked about (one object, re-pointed per record). */
  private readonly raw = new RawEvtxRecord();

  constructor(private readonly sink: EvtxSink) {}

  /** While set, errors are held back (see chunk()). */
  private pending: [string, number, number | undefined][] | null = null;

  private error(message: string, offset: number, recordId?: number): void {
    if (this.pending) {
      this.pending.push([message, offset, recordId]);
      return;
    }
    this.stats.errors++;
    this.sink.error(message, offset, recordId);
  }

  /**
   * Checks the file header (`buf` = the file's first bytes, up to 4096).
   * `report` false: only learn the chunk count (a decoder that reads one range
   * of a file, while another reports the header's problems once).
   */
  header(buf: Buffer, fileSize: number, report = true): void {
    if (!report) {
      const h = parseFileHeader(buf);
      this.headerChunkCount = h && h.signatureOk && fileSize >= FILE_HEADER_SIZE ? h.chunkCount : -1;
      return;
    }
    const h = parseFileHeader(buf);
    if (!h || fileSize < FILE_HEADER_SIZE) {
      this.error(`file of ${fileSize} bytes is shorter than the ${FILE_HEADER_SIZE}-byte EVTX header at offset 0x0`, 0);
      return;
    }
    if (!h.signatureOk) this.error('file header at offset 0x0: signature is not "ElfFile"; reading chunks anyway', 0);
    else if (h.storedChecksum !== h.computedChecksum) {
      this.error(`file header at offset 0x0: checksum mismatch (stored ${hex(h.storedChecksum)}, computed ${hex(h.computedChecksum)}); reading chunks anyway`, 124);
    }
    if (h.signatureOk && h.headerBlockSize !== FILE_HEADER_SIZE) {
      this.error(`file header at offset 0x0: block size ${h.headerBlockSize}, expected ${FILE_HEADER_SIZE}; chunks read from ${FILE_HEADER_SIZE}`, 40);
    }
    this.headerChunkCount = h.signatureOk ? h.chunkCount : -1;
  }

  /**
   * Decodes one chunk slot: `buf` holds its bytes (fewer than 65536 when the
   * file ends early), `fileOffset` where it starts, `index` its slot number.
   */
  chunk(buf: Buffer, fileOffset: number, index: number): void {
    const len = Math.min(buf.length, CHUNK_SIZE);
    const where = `chunk ${index} at offset ${hex(fileOffset)}`;
    if (len < CHUNK_HEADER_SIZE) {
      if (!isZero(buf, 0, len)) this.error(`${where}: file ends after ${len} bytes of a chunk header; skipped`, fileOffset);
      return;
    }
    const h = parseChunkHeader(buf);
    const recordsBefore = this.stats.records;
    if (!h.signatureOk) {
      if (isZero(buf, 0, len)) return; // an unused slot
      // Past the header's chunk count, a slot without a chunk signature is most
      // likely never-used space: only worth reporting if it yields records.
      if (this.headerChunkCount >= 0 && index >= this.headerChunkCount) this.pending = [];
      this.error(`${where}: bad chunk signature; scanning it for records`, fileOffset);
    } else if (computeHeaderChecksum(buf) !== h.headerChecksum) {
      this.error(`${where}: chunk header checksum mismatch; reading its records anyway`, fileOffset + 124);
    }
    if (len < CHUNK_SIZE) this.error(`${where}: truncated (${len} of ${CHUNK_SIZE} bytes); reading what is there`, fileOffset + len);

    // Records end at the free-space offset when the header gives a usable one;
    // otherwise (bad signature, or an offset out of range) scan the whole chunk.
    const fso = h.freeSpaceOffset;
    const fsoUsable = fso >= CHUNK_HEADER_SIZE && fso <= CHUNK_SIZE &&
      (h.signatureOk || (h.lastRecordOffset >= CHUNK_HEADER_SIZE && h.lastRecordOffset < fso && recordSizeAt(buf, h.lastRecordOffset, Math.min(fso, len)) > 0));
    const limit = fsoUsable ? Math.min(fso, len) : len;
    if (h.signatureOk && fsoUsable && fso <= len) {
      const crc = computeRecordsChecksum(buf, fso);
      if (crc !== h.recordsChecksum) {
        this.error(`${where}: record data checksum mismatch (stored ${hex(h.recordsChecksum)}, computed ${hex(crc)}); reading the records anyway`, fileOffset + 52);
      }
    } else if (h.signatureOk && !fsoUsable) {
      this.error(`${where}: free-space offset ${hex(fso)} out of range; scanning the whole chunk`, fileOffset + 48);
    }

    const tables = new ChunkTables(buf, len, this.templates);
    this.deferredHere = null;
    let pos = CHUNK_HEADER_SIZE;
    while (pos < limit) {
      const size = recordSizeAt(buf, pos, limit);
      if (size === 0) {
        const next = findRecord(buf, pos + 1, limit);
        const stop = next < 0 ? limit : next;
        // Zeros up to the end of a scanned chunk are its unused tail; anything else is damage.
        if (next >= 0 || fsoUsable || !isZero(buf, pos, stop)) {
          this.error(`${where}: no valid record at offset ${hex(fileOffset + pos)}; skipped ${stop - pos} bytes` +
            (next >= 0 ? ` to the next record at ${hex(fileOffset + next)}` : ''), fileOffset + pos);
        }
        if (next < 0) break;
        pos = next;
        continue;
      }
      this.decodeRecord(buf, tables, pos, size, fileOffset, where, true);
      pos += size;
    }
    const found = this.stats.records > recordsBefore || this.deferredHere !== null;
    const pending = this.pending;
    this.pending = null;
    if (pending && found) for (const [m, o, id] of pending) this.error(m, o, id);
    if (!pending || found) this.stats.chunks++;
  }

  /** After the last chunk: records that waited for a template from a later chunk get their second try. */
  finish(): void {
    const waiting = this.deferred.splice(0);
    for (const d of waiting) {
      const tables = new ChunkTables(d.buf, d.buf.length, this.templates);
      for (const [pos, size] of d.records) this.decodeRecord(d.buf, tables, pos, size, d.fileOffset, d.where, false);
    }
  }

  private decodeRecord(buf: Buffer, tables: ChunkTables, pos: number, size: number, fileOffset: number, where: string, canWait: boolean): void {
    const id = u64(buf, pos + 8);
    let judged = false;
    if (this.sink.gate) {
      try {
        this.budget.reset();
        const view = viewFragment(tables, pos + 24, pos + size - 4, this.budget);
        if (view !== null) {
          this.raw.set(tables, view, this.budget);
          if (!this.sink.gate(this.raw)) {
            this.stats.records++;
            return;
          }
          judged = true;
        }
      } catch {
        // Decoded in full below, which reports whatever is wrong.
        judged = false;
      }
    }
    let event: JsonObject;
    try {
      this.budget.reset();
      const nodes = parseFragment(tables, pos + 24, pos + size - 4, this.budget);
      event = renderRecord(nodes, this.budget);
      if (!hasKeys(event)) throw new EvtxFormatError('it decodes to no event data', pos);
    } catch (e) {
      if (e instanceof EvtxMissingTemplate && canWait && this.wait(buf, tables.length, pos, size, fileOffset, where)) return;
      const detail = e instanceof EvtxFormatError ? e.message : `decoder error: ${(e as Error).message}`;
      this.error(`${where}: record ${id} at offset ${hex(fileOffset + pos)} skipped: ${detail}`, fileOffset + pos, id);
      return;
    }
    this.stats.records++;
    this.sink.record(event, id, fileOffset + pos, judged);
  }

  /** Keeps the record for finish(); false when too many chunks wait already. */
  private wait(buf: Buffer, len: number, pos: number, size: number, fileOffset: number, where: string): boolean {
    if (!this.deferredHere) {
      if (this.deferred.length >= MAX_DEFERRED_CHUNKS) return false;
      this.deferredHere = { buf: Buffer.from(buf.subarray(0, len)), fileOffset, where, records: [] };
      this.deferred.push(this.deferredHere);
    }
    this.deferredHere.records.push([pos, size]);
    return true;
  }

  /** Records still waiting for a template no chunk decoded so far has defined. */
  get waiting(): number {
    let n = 0;
    for (const d of this.deferred) n += d.records.length;
    return n;
  }

  /** The header's chunk count (-1 without a valid header), for reporting. */
  get declaredChunks(): number {
    return this.headerChunkCount;
  }
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** Decodes a whole EVTX file held in memory. */
export function decodeEvtx(buf: Buffer, sink: EvtxSink): EvtxStats {
  const d = new EvtxDecoder(sink);
  d.header(buf.subarray(0, FILE_HEADER_SIZE), buf.length);
  for (let i = 0, off = FILE_HEADER_SIZE; off < buf.length; i++, off += CHUNK_SIZE) {
    d.chunk(buf.subarray(off, Math.min(off + CHUNK_SIZE, buf.length)), off, i);
  }
  d.finish();
  return d.stats;
}

export interface ReadOptions {
  /** Bytes of the file handled so far. */
  progress?(bytes: number): void;
  /** Awaited between batches of chunks (lets a consumer drain its output); false stops reading. */
  pause?(): Promise<boolean | void> | boolean | void;
}

const BATCH_CHUNKS = 16;

/** Reads an EVTX file from disk in batches of chunks; memory stays at one batch. */
export async function readEvtxFile(path: string, sink: EvtxSink, opts: ReadOptions = {}): Promise<EvtxStats> {
  const d = new EvtxDecoder(sink);
  let fd: number;
  let batch: Buffer | undefined;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    d.stats.errors++;
    sink.error(`cannot open: ${(e as Error).message}`, 0);
    return d.stats;
  }
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(FILE_HEADER_SIZE, size));
    readFully(fd, head, 0);
    d.header(head, size);
    batch = takeBatch();
    let index = 0;
    for (let off = FILE_HEADER_SIZE; off < size; off += BATCH_CHUNKS * CHUNK_SIZE) {
      const n = readFully(fd, batch.subarray(0, Math.min(batch.length, size - off)), off);
      for (let c = 0; c * CHUNK_SIZE < n; c++, index++) {
        d.chunk(batch.subarray(c * CHUNK_SIZE, Math.min((c + 1) * CHUNK_SIZE, n)), off + c * CHUNK_SIZE, index);
      }
      opts.progress?.(off + n);
      if ((await opts.pause?.()) === false) return d.stats;
      if (n < Math.min(batch.length, size - off)) break; // the file shrank while being read
    }
    d.finish();
  } catch (e) {
    d.stats.errors++;
    sink.error(`read failed: ${(e as Error).message}`, 0);
  } finally {
    closeSync(fd);
    if (batch) freeBatches.push(batch);
  }
  return d.stats;
}

/**
 * Batch buffers are reused from file to file: a fresh megabyte per file costs
 * more in page faults and garbage collection than decoding a small file.
 * Files read at the same time each take their own.
 */
const freeBatches: Buffer[] = [];

function takeBatch(): Buffer {
  return freeBatches.pop() ?? Buffer.allocUnsafeSlow(BATCH_CHUNKS * CHUNK_SIZE);
}

/** Chunk slots in a file of `size` bytes (the last may be truncated). */
export function chunkSlots(size: number): number {
  return size <= FILE_HEADER_SIZE ? 0 : Math.ceil((size - FILE_HEADER_SIZE) / CHUNK_SIZE);
}

export interface RangeOutcome {
  stats: EvtxStats;
  /**
   * Records of this range need a template only another range of the file
   * defines (a damaged chunk): the range cannot be decoded on its own. What
   * the sink received for it must be discarded and the whole file decoded
   * instead.
   */
  incomplete: boolean;
}

/**
 * Decodes chunk slots [first, end) of an EVTX file on their own, as one
 * worker's share of a file. Chunks are self-contained (own string and
 * template tables), so ranges decode independently, except records of a
 * damaged chunk that borrow a template from another chunk: then the range
 * says `incomplete`. Records go to the sink as they are decoded (holding a
 * range's records back costs more in garbage collection than the decoding);
 * the caller buffers its own results and drops them for an incomplete range.
 * Header problems are reported by the range that starts at slot 0 only.
 */
export function readEvtxRange(path: string, first: number, end: number, sink: EvtxSink): RangeOutcome {
  const d = new EvtxDecoder(sink);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    sink.error(`cannot open: ${(e as Error).message}`, 0);
    return { stats: { chunks: 0, records: 0, errors: 1 }, incomplete: false };
  }
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(FILE_HEADER_SIZE, size));
    readFully(fd, head, 0);
    d.header(head, size, first === 0);
    const from = FILE_HEADER_SIZE + first * CHUNK_SIZE;
    const to = Math.min(size, FILE_HEADER_SIZE + end * CHUNK_SIZE);
    if (to > from) {
      const buf = Buffer.allocUnsafe(to - from);
      const n = readFully(fd, buf, from);
      for (let c = 0, index = first; c * CHUNK_SIZE < n; c++, index++) {
        d.chunk(buf.subarray(c * CHUNK_SIZE, Math.min((c + 1) * CHUNK_SIZE, n)), from + c * CHUNK_SIZE, index);
      }
    }
    // A record still waiting may find its template in another range (the
    // whole-file decoder would find it): only the whole file can tell.
    if (d.waiting > 0) return { stats: d.stats, incomplete: true };
  } catch (e) {
    d.stats.errors++;
    sink.error(`read failed: ${(e as Error).message}`, 0);
  } finally {
    closeSync(fd);
  }
  return { stats: d.stats, incomplete: false };
}

function readFully(fd: number, buf: Buffer, position: number): number {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
