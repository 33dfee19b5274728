/**
 * Chunks: 64 KiB blocks after the file header, each "ElfChnk\0" + a 512-byte
 * header (record numbers, free-space offset, CRC-32 of the record data, CRC-32
 * of the header itself) followed by event records:
 *
 *   "**\0\0"  size (u32)  record id (u64)  written FILETIME (u64)  BinXML…  size again (u32)
 */
import { crc32 } from './crc32.js';
import { u64 } from './file-header.js';

export const CHUNK_SIZE = 65536;
export const CHUNK_HEADER_SIZE = 512;
/** Record header (24 bytes) plus the trailing size copy. */
export const RECORD_OVERHEAD = 28;
const RECORD_SIGNATURE = Buffer.from([0x2a, 0x2a, 0x00, 0x00]);

export interface ChunkHeader {
  signatureOk: boolean;
  firstRecordNumber: number;
  lastRecordNumber: number;
  firstRecordId: number;
  lastRecordId: number;
  lastRecordOffset: number;
  freeSpaceOffset: number;
  recordsChecksum: number;
  headerChecksum: number;
}

/** `buf` holds at least CHUNK_HEADER_SIZE bytes. */
export function parseChunkHeader(buf: Buffer): ChunkHeader {
  return {
    signatureOk: buf.toString('latin1', 0, 8) === 'ElfChnk\0',
    firstRecordNumber: u64(buf, 8),
    lastRecordNumber: u64(buf, 16),
    firstRecordId: u64(buf, 24),
    lastRecordId: u64(buf, 32),
    lastRecordOffset: buf.readUInt32LE(44),
    freeSpaceOffset: buf.readUInt32LE(48),
    recordsChecksum: buf.readUInt32LE(52),
    headerChecksum: buf.readUInt32LE(124),
  };
}

/** CRC-32 over header bytes 0–119 and 128–511 (the stored checksum sits in 124–127). */
export function computeHeaderChecksum(buf: Buffer): number {
  return crc32(buf.subarray(128, CHUNK_HEADER_SIZE), crc32(buf.subarray(0, 120)));
}

/** CRC-32 over the record data, bytes 512 up to the free-space offset. */
export function computeRecordsChecksum(buf: Buffer, freeSpaceOffset: number): number {
  return crc32(buf.subarray(CHUNK_HEADER_SIZE, freeSpaceOffset));
}

/** Size of a well-formed record at `pos` (signature, sane size, matching size copy), else 0. */
export function recordSizeAt(buf: Buffer, pos: number, limit: number): number {
  if (pos + RECORD_OVERHEAD > limit) return 0;
  if (buf[pos] !== 0x2a || buf[pos + 1] !== 0x2a || buf[pos + 2] !== 0 || buf[pos + 3] !== 0) return 0;
  const size = buf.readUInt32LE(pos + 4);
  if (size < RECORD_OVERHEAD || size > limit - pos) return 0;
  return buf.readUInt32LE(pos + size - 4) === size ? size : 0;
}

/** Offset of the next well-formed record in [from, limit), or -1. */
export function findRecord(buf: Buffer, from: number, limit: number): number {
  let at = buf.indexOf(RECORD_SIGNATURE, from);
  while (at >= 0 && at + RECORD_OVERHEAD <= limit) {
    if (recordSizeAt(buf, at, limit)) return at;
    at = buf.indexOf(RECORD_SIGNATURE, at + 1);
  }
  return -1;
}

const ZEROS = Buffer.alloc(CHUNK_SIZE);

export function isZero(buf: Buffer, start: number, end: number): boolean {
  for (let at = start; at < end; at += CHUNK_SIZE) {
    const e = Math.min(end, at + CHUNK_SIZE);
    if (!buf.subarray(at, e).equals(ZEROS.subarray(0, e - at))) return false;
  }
  return true;
}
