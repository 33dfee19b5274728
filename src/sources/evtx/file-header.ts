/**
 * The EVTX file header: the first 4096 bytes ("ElfFile\0", chunk counts,
 * version, flags, CRC-32 of bytes 0–119 stored at 124).
 */
import { crc32 } from './crc32.js';

export const FILE_HEADER_SIZE = 4096;
export const FILE_SIGNATURE = 'ElfFile\0';

export interface FileHeader {
  /** The signature is "ElfFile\0". */
  signatureOk: boolean;
  firstChunk: number;
  lastChunk: number;
  nextRecordId: number;
  minorVersion: number;
  majorVersion: number;
  /** Offset of the first chunk; 4096 in every file seen. */
  headerBlockSize: number;
  chunkCount: number;
  /** Bit 0x1: dirty (not closed cleanly); 0x2: full. */
  flags: number;
  storedChecksum: number;
  computedChecksum: number;
}

/** Parses the header; `buf` holds at least the first 128 bytes, or the result is undefined. */
export function parseFileHeader(buf: Buffer): FileHeader | undefined {
  if (buf.length < 128) return undefined;
  return {
    signatureOk: buf.toString('latin1', 0, 8) === FILE_SIGNATURE,
    firstChunk: u64(buf, 8),
    lastChunk: u64(buf, 16),
    nextRecordId: u64(buf, 24),
    minorVersion: buf.readUInt16LE(36),
    majorVersion: buf.readUInt16LE(38),
    headerBlockSize: buf.readUInt16LE(40),
    chunkCount: buf.readUInt16LE(42),
    flags: buf.readUInt32LE(120),
    storedChecksum: buf.readUInt32LE(124),
    computedChecksum: crc32(buf.subarray(0, 120)),
  };
}

export function isDirty(h: FileHeader): boolean {
  return (h.flags & 1) !== 0;
}

/** A 64-bit little-endian count as a number (exact below 2^53, which every real count is). */
export function u64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at + 4) * 4294967296 + buf.readUInt32LE(at);
}
