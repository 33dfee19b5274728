/**
 * Which reader a file needs, decided from its name and first bytes:
 *
 *   .gz            → gunzip, then decide again on the content
 *   ElfFile\0      → EVTX (binary Windows event log)
 *   '[' …          → one JSON array of events
 *   '{' … one line parses on its own → JSON lines; otherwise one (pretty) JSON document
 *         (a first line that is a whole wrapper such as {"Records":[…]} also means a document)
 *   #separator / #fields → Zeek TSV (the ASCII writer's header)
 *   [node=… ]type=… msg=audit( … → Linux audit log (auditd/, RAW or ENRICHED)
 *   '<' praudit's XML prolog or records → FreeBSD/OpenBSM audit trail (praudit/sniff.ts)
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { looksLikePrauditXml } from './praudit/sniff.js';
import { looksLikeAuditd } from './auditd/sniff.js';
import { eventListOf } from './json-document.js';

export type FileFormat = 'jsonl' | 'json' | 'evtx' | 'praudit-xml' | 'auditd' | 'zeek-tsv' | 'unknown';

export function sniffFormat(head: Buffer): FileFormat {
  if (head.subarray(0, 8).toString('latin1') === 'ElfFile\0') return 'evtx';
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (i >= head.length) return 'unknown';
  if (isZeekHeader(head, i)) return 'zeek-tsv';
  if (head[i] === 0x5b) return 'json';
  if (head[i] === 0x3c) return looksLikePrauditXml(head.subarray(i)) ? 'praudit-xml' : 'unknown';
  if (head[i] !== 0x7b) return looksLikeAuditd(head.subarray(i)) ? 'auditd' : 'unknown';
  const nl = head.indexOf(0x0a, i);
  if (nl < 0) return 'json';
  try {
    // One CloudTrail delivery per line is a run of documents, not one event per line.
    return eventListOf(JSON.parse(head.toString('utf8', i, nl))) ? 'json' : 'jsonl';
  } catch {
    return 'json';
  }
}

/** Zeek's ASCII writer starts every log with `#separator`; tools that trim the header keep `#fields`. */
function isZeekHeader(head: Buffer, i: number): boolean {
  const start = head.toString('latin1', i, i + 11);
  return start === '#separator ' || start.startsWith('#fields\t');
}

export function isGzip(head: Buffer): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

export function readHead(path: string, bytes = 65536): Buffer {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    // A regular file: no more than it holds (hunts over folders of small logs read one head per file).
    const buf = Buffer.allocUnsafe(st.isFile() ? Math.min(bytes, st.size) : bytes);
    const n = buf.length ? readSync(fd, buf, 0, buf.length, 0) : 0;
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
