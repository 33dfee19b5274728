/** One log file → records, whatever its format; problems go to sink.error and reading goes on. */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { isGzip, readHead, sniffFormat, type FileFormat } from './format.js';
import { readJsonDocument } from './json-document.js';
import { MAX_LINE_BYTES, readJsonLines } from './jsonl.js';
import { readFileChunks } from './file-chunks.js';
import { readEvtxRecords } from './evtx/index.js';
import { readPrauditXml } from './praudit/reader.js';
import { readAuditdLog } from './auditd/read-auditd.js';
import { readZeekTsv } from './zeek/tsv.js';
import { addZeekPath, zeekJsonPathToAdd, zeekPathFromFileName } from './zeek/log-path.js';
import type { RecordSink } from './records.js';

const CHUNK = 1 << 20;
export const NOT_A_LOG = 'not a recognized log format';
/**
 * Parsed whole, a JSON document takes about ten times its size in memory
 * (a 210 MB array of small objects passed a 4 GB heap); larger ones must be
 * JSON lines, which are read one line at a time.
 */
const MAX_DOCUMENT_BYTES = 128 * 1024 * 1024;

export async function readLogFile(path: string, sink: RecordSink): Promise<FileFormat> {
  let head: Buffer;
  try {
    head = readHead(path);
  } catch (e) {
    sink.error(`cannot read: ${(e as Error).message}`);
    return 'unknown';
  }
  const gz = isGzip(head);
  const open = (): AsyncIterable<Buffer> => {
    const raw = createReadStream(path, { highWaterMark: CHUNK });
    return gz ? raw.pipe(createGunzip({ chunkSize: CHUNK })) : raw;
  };
  let format: FileFormat;
  let content: Buffer;
  try {
    content = gz ? await firstBytes(open(), 65536) : head;
    format = sniffFormat(content);
    const brace = format === 'json' ? objectWithoutLineEnd(content) : -1;
    if (brace >= 0) {
      // An object with no line end in the head: one document, or JSON lines
      // whose first line is long (a PowerShell script block). Its whole first
      // line decides, as a short one would.
      const line = await firstLine(open(), brace, MAX_DOCUMENT_BYTES);
      // A first line longer than JSON lines may be is read whole, as a document, if it is one.
      if (line !== undefined && line.length <= MAX_LINE_BYTES) {
        content = line;
        format = sniffFormat(line);
      }
    }
  } catch (e) {
    sink.error(`cannot decompress: ${(e as Error).message}`);
    return 'unknown';
  }
  try {
    switch (format) {
      case 'jsonl': {
        const zeekPath = zeekJsonPathToAdd(path, firstLineObject(content));
        await readJsonLines(gz ? open() : readFileChunks(path, CHUNK), zeekPath ? addZeekPath(sink, zeekPath) : sink);
        break;
      }
      case 'json': {
        const whole = await readAll(open(), MAX_DOCUMENT_BYTES);
        if (whole === undefined) {
          sink.error(`a single JSON document larger than ${MAX_DOCUMENT_BYTES} bytes (${MAX_DOCUMENT_BYTES / 1048576} MiB) is not read whole; write it as JSON lines (one event per line)`);
        } else if (!readJsonDocument(whole.toString('utf8'), sink)) {
          // Not one document: perhaps JSON lines whose first line is long or broken.
          format = 'jsonl';
          await readJsonLines(gz ? open() : readFileChunks(path, CHUNK), sink);
        }
        break;
      }
      case 'evtx':
        await readEvtxRecords(path, sink, gz ? open : undefined);
        break;
      case 'praudit-xml':
        await readPrauditXml(open(), sink);
        break;
      case 'auditd':
        await readAuditdLog(open(), sink);
        break;
      case 'zeek-tsv':
        await readZeekTsv(open(), sink, zeekPathFromFileName(path));
        break;
      default:
        sink.error(`${NOT_A_LOG} (expected EVTX, JSON, JSON lines, an auditd log, praudit -x XML, Zeek TSV or .gz of those); skipped`);
    }
  } catch (e) {
    sink.error(`read failed: ${(e as Error).message}`);
  }
  return format;
}

/** The first line parsed, when it is JSON (the sniffer already found it is). */
function firstLineObject(head: Buffer): unknown {
  const nl = head.indexOf(0x0a);
  try {
    return JSON.parse(head.toString('utf8', 0, nl < 0 ? head.length : nl).replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

/** Where the head's first `{` is, when the head starts with one (after a BOM and blanks) and holds no line end after it; else -1. */
function objectWithoutLineEnd(head: Buffer): number {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  return head[i] === 0x7b && head.indexOf(0x0a, i) < 0 ? i : -1;
}

/** The stream's bytes up to and including the first line end at or after offset `from`; undefined when none comes within `limit` bytes. */
async function firstLine(stream: AsyncIterable<Buffer>, from: number, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let have = 0;
  for await (const c of stream) {
    const nl = c.indexOf(0x0a, Math.max(0, from - have));
    if (nl >= 0) {
      parts.push(c.subarray(0, nl + 1));
      return Buffer.concat(parts);
    }
    parts.push(c);
    have += c.length;
    if (have > limit) return undefined;
  }
  return undefined;
}

async function firstBytes(stream: AsyncIterable<Buffer>, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  for await (const c of stream) {
    parts.push(c);
    have += c.length;
    if (have >= n) break;
  }
  return Buffer.concat(parts);
}

async function readAll(stream: AsyncIterable<Buffer>, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let have = 0;
  for await (const c of stream) {
    have += c.length;
    if (have > limit) return undefined;
    parts.push(c);
  }
  return Buffer.concat(parts);
}
