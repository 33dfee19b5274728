/**
 * A chunk's string table and template table. Element, attribute and entity
 * names are stored once per chunk (in the record that first uses them) and
 * referenced by chunk offset afterwards; likewise template definitions, which
 * later records of the same chunk reuse by offset. Both are cached here for
 * the life of the chunk, keyed by that offset.
 */
import { EvtxFormatError, hex } from './errors.js';

/** One parsed template definition (the node type belongs to the BinXML reader). */
export interface Template {
  readonly offset: number;
  readonly nodes: readonly unknown[];
}

export class ChunkTables {
  private readonly names = new Map<number, string>();
  /** Definitions by data offset; a definition that failed to parse is remembered as its error. */
  readonly templates = new Map<number, Template | EvtxFormatError>();

  /**
   * `buf` holds the chunk; bytes past `length` (a truncated last chunk) do not
   * exist. `shared` collects the file's parsed templates by template id (the
   * first 32 bits of the definition's GUID, which instances name too): a record
   * whose own chunk lost the definition can still be decoded with a copy seen
   * in another chunk. Parsed templates hold names as text, not offsets, so
   * they are valid in any chunk.
   */
  constructor(readonly buf: Buffer, readonly length: number, readonly shared?: Map<number, Template>) {}

  /**
   * The name stored at chunk offset `at`: 4 unknown bytes (next-in-hash-bucket
   * offset), a 16-bit hash, a 16-bit character count, UTF-16LE characters and a
   * NUL. Returns the name; its stored size is `nameSize`.
   */
  name(at: number): string {
    const cached = this.names.get(at);
    if (cached !== undefined) return cached;
    if (at < 0 || at + 8 > this.length) throw new EvtxFormatError(`name offset ${hex(at)} outside the chunk`, at);
    const chars = this.buf.readUInt16LE(at + 6);
    const end = at + 8 + chars * 2;
    if (end > this.length) throw new EvtxFormatError(`name at ${hex(at)} (${chars} characters) runs past the chunk`, at);
    const s = this.buf.toString('utf16le', at + 8, end);
    this.names.set(at, s);
    return s;
  }

  /** Bytes the name at `at` occupies where it is stored inline (header, characters, NUL). */
  nameSize(at: number): number {
    return 8 + this.buf.readUInt16LE(at + 6) * 2 + 2;
  }
}
