/** One log file → records, whatever its format; problems go to sink.error and reading goes on. */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { isGzip, readHead, sniffFormat, type FileFormat } from './format.js';
import { readJsonDocument } from './json-document.js';
import { readJsonLines } from './jsonl.js';
import { readEvtxRecords } from './evtx/index.js';
import { readAuditdLog } from './auditd/read-auditd.js';
import type { RecordSink } from './records.js';

const CHUNK = 1 << 20;
export const NOT_A_LOG = 'not a recognized log format';
/** V8 cannot hold a longer string; larger single documents must be JSON lines. */
const MAX_DOCUMENT_BYTES = 500 * 1024 * 1024;

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
  try {
    format = sniffFormat(gz ? await firstBytes(open(), 65536) : head);
  } catch (e) {
    sink.error(`cannot decompress: ${(e as Error).message}`);
    return 'unknown';
  }
  try {
    switch (format) {
      case 'jsonl':
        await readJsonLines(open(), sink);
        break;
      case 'json': {
        const whole = await readAll(open(), MAX_DOCUMENT_BYTES);
        if (whole === undefined) {
          sink.error(`a single JSON document larger than ${MAX_DOCUMENT_BYTES} bytes; write it as JSON lines`);
        } else if (!readJsonDocument(whole.toString('utf8'), sink)) {
          // Not one document: perhaps JSON lines whose first line is long or broken.
          format = 'jsonl';
          await readJsonLines(open(), sink);
        }
        break;
      }
      case 'evtx':
        await readEvtxRecords(path, sink, gz ? open : undefined);
        break;
      case 'auditd':
        await readAuditdLog(open(), sink);
        break;
      default:
        sink.error(`${NOT_A_LOG} (expected EVTX, JSON, JSON lines, an auditd log or .gz of those); skipped`);
    }
  } catch (e) {
    sink.error(`read failed: ${(e as Error).message}`);
  }
  return format;
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
