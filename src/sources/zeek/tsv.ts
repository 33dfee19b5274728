/**
 * Zeek's ASCII log format (TSV with a `#` header), plain or gunzipped:
 *
 *   #separator \x09            ← starts a header block; the separator itself written as \xHH
 *   #set_separator	,
 *   #empty_field	(empty)
 *   #unset_field	-
 *   #path	conn                 ← the log's name: becomes `_path` on every row
 *   #open	2023-08-16-01-28-55
 *   #fields	ts	uid	id.orig_h	…
 *   #types	time	string	addr	…
 *   1692161622.036086	Cnsu5m…	192.168.1.41	…   ← one row = one event
 *   #close	2023-08-16-01-28-55
 *
 * A file may hold several blocks (logs concatenated, or a writer restarted);
 * each `#separator` starts afresh. Every row becomes the object Zeek's JSON
 * writer would have written for it (tsv-values.ts), with `_path` as Zeek's
 * own JSON streaming writer adds it — so one normalizer (normalize/zeek.ts)
 * serves TSV and JSON. When a block has no `#path`, the log name from the
 * file name is used (log-path.ts).
 *
 * Bad input never stops the file: a row with the wrong number of columns,
 * or before any `#fields` header, is skipped with an error naming its line;
 * an unreadable value is kept as written with an error naming line and column.
 */
import type { RecordSink } from '../records.js';
import { forEachLine } from '../text-lines.js';
import { columnReader, type ColumnReader, type TsvMarkers } from './tsv-values.js';

export const MAX_TSV_LINE_BYTES = 64 * 1024 * 1024;

interface Block extends TsvMarkers {
  separator: string;
  path?: string;
  fields?: string[];
  /** One reader per field, from #types (text when #types is absent or does not fit). */
  readers?: ColumnReader[];
}

const TEXT = columnReader('string');

const DEFAULT_BLOCK: Readonly<Block> = { separator: '\t', setSeparator: ',', empty: '(empty)', unset: '-' };

export async function readZeekTsv(stream: AsyncIterable<Buffer>, sink: RecordSink, pathFromName?: string, maxLine = MAX_TSV_LINE_BYTES): Promise<void> {
  let block: Block = { ...DEFAULT_BLOCK };
  // Rows with no #fields to read them by: reported once per run, not once per row.
  let headless: { first: number; last: number; count: number } | undefined;
  const flushHeadless = (): void => {
    if (!headless) return;
    const { first, last, count } = headless;
    sink.error(`${count} data row${count > 1 ? 's' : ''} without a #fields header skipped (lines ${first}–${last})`, first);
    headless = undefined;
  };

  const header = (text: string, lineNo: number): void => {
    // `#separator` is written with a space; the other directives use the separator itself.
    if (text.startsWith('#separator ')) {
      flushHeadless();
      const sep = decodeHeaderEscapes(text.slice('#separator '.length));
      block = { ...DEFAULT_BLOCK, separator: sep || '\t' };
      if (!sep) sink.error(`line ${lineNo}: empty #separator; using tab`, lineNo);
      return;
    }
    const parts = text.split(block.separator);
    const directive = parts[0];
    const values = parts.slice(1);
    switch (directive) {
      case '#set_separator': block.setSeparator = decodeHeaderEscapes(values[0] ?? '') || ','; break;
      case '#empty_field': block.empty = values[0] ?? DEFAULT_BLOCK.empty; break;
      case '#unset_field': block.unset = values[0] ?? DEFAULT_BLOCK.unset; break;
      case '#path': block.path = values[0]; break;
      case '#fields':
        flushHeadless();
        block.fields = values;
        block.readers = undefined;
        if (values.length === 0 || values.some((f) => f === '')) {
          sink.error(`line ${lineNo}: #fields header with an empty field name; this block's rows cannot be read`, lineNo);
          block.fields = undefined;
        }
        break;
      case '#types':
        if (block.fields && values.length !== block.fields.length) {
          sink.error(`line ${lineNo}: #types names ${values.length} types for ${block.fields.length} fields; values read as text`, lineNo);
        } else {
          block.readers = values.map(columnReader);
        }
        break;
      case '#close':
        flushHeadless();
        block = { ...DEFAULT_BLOCK };
        break;
      default:
        // #open and any directive a later Zeek adds: nothing to read from it.
    }
  };

  const row = (text: string, lineNo: number): void => {
    const { fields, readers } = block;
    if (!fields) {
      if (headless) {
        headless.last = lineNo;
        headless.count++;
      } else headless = { first: lineNo, last: lineNo, count: 1 };
      return;
    }
    const cols = text.split(block.separator);
    if (cols.length !== fields.length) {
      sink.error(`line ${lineNo}: ${cols.length} column${cols.length === 1 ? '' : 's'} where #fields names ${fields.length}; row skipped`, lineNo);
      return;
    }
    const obj: Record<string, unknown> = {};
    const path = block.path ?? pathFromName;
    if (path !== undefined) obj._path = path;
    let c = 0;
    const problem = (msg: string): void => sink.error(`line ${lineNo}, column ${c + 1} '${fields[c]}': ${msg}`, lineNo);
    for (; c < cols.length; c++) {
      const v = (readers?.[c] ?? TEXT)(cols[c], block, problem);
      if (v !== undefined) obj[fields[c]] = v;
    }
    sink.object(obj, lineNo);
  };

  await forEachLine(stream, {
    line: (buf, start, end, lineNo) => {
      if (end === start) return; // blank line
      const text = buf.toString('utf8', start, end);
      if (text.charCodeAt(0) === 0x23 && isHeaderLine(text, block.separator)) header(text, lineNo);
      else row(text, lineNo);
    },
    oversized: (lineNo, limit) => sink.error(`line ${lineNo} is longer than ${limit} bytes; skipped`, lineNo),
    progress: (b) => sink.progress?.(b),
  }, maxLine);
  flushHeadless();
}

const DIRECTIVES = new Set(['#set_separator', '#empty_field', '#unset_field', '#path', '#open', '#fields', '#types', '#close']);

/** A `#` line is a header when its first word is a directive the writer emits; a row whose first value starts with '#' is data. */
function isHeaderLine(text: string, separator: string): boolean {
  if (text.startsWith('#separator ')) return true;
  const sep = text.indexOf(separator);
  return DIRECTIVES.has(sep < 0 ? text : text.slice(0, sep));
}

/** Header values write special characters as \xHH (the separator itself: `\x09`). */
function decodeHeaderEscapes(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}
