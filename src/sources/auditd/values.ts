/**
 * Decoding one logged value. The kernel writes a string it does not trust
 * (a path, a command name, an argument) between double quotes, unless it
 * holds a space, a quote, a control or a non-ASCII byte: then it writes the
 * bytes as bare upper-case hex. `(null)` means no value. Other bare values
 * (numbers, flags, the SYSCALL record's a0…a3 registers) are plain text,
 * so only the fields below are ever hex-decoded.
 */
import type { RawField } from './record.js';

export type AuditScalar = string | null;
export type AuditValue = AuditScalar | string[] | { [key: string]: AuditValue };

/** Kernel strings: bare means hex, so bare text that is not hex is damage. */
const KERNEL_STRINGS = new Set(['comm', 'exe', 'cwd', 'name', 'key', 'ocomm', 'proctitle']);
/**
 * User-space strings (inside msg='…') that audit userspace hex-encodes the
 * same way; old userspace wrote them plain (`acct=root`), so bare text
 * that is not clean hex is kept as it is.
 */
const USER_STRINGS = new Set(['acct', 'cmd', 'data', 'path', 'grp', 'new_group', 'old_group', 'root_dir', 'vm', 'new-chardev', 'old-chardev']);

/** EXECVE's argument fields: a0, a1_len is not one, a1[3] is. */
const EXECVE_ARG = /^a\d+(\[\d+\])?$/;
const HEX = /^[0-9A-Fa-f]*$/;

/** The bytes behind bare hex, or why it is not hex. */
export function hexBytes(text: string): Buffer | string {
  if (text.length % 2 !== 0) return 'odd-length hex';
  if (!HEX.test(text)) return 'not hex';
  return Buffer.from(text, 'hex');
}

/** Whether a bare value of this field in this record type is kernel hex. */
export function isKernelString(recordType: string, key: string): boolean {
  return KERNEL_STRINGS.has(key) || (recordType === 'EXECVE' && EXECVE_ARG.test(key));
}

/**
 * The value of one field as text (null for `(null)`). `problem` is set when
 * a kernel string is neither quoted nor valid hex; the raw text is kept then,
 * so nothing logged is lost.
 */
export function decodeField(recordType: string, f: RawField): { value: AuditValue; problem?: string } {
  switch (f.quote) {
    case '"':
      return { value: keyValue(f.key, f.text) };
    case '{':
      return { value: `{${f.text.trim()}}` };
    case "'":
      return { value: userMessage(f.text) };
    default:
      break;
  }
  const text = f.text;
  if (text === '(null)') return { value: null };
  if (text === '?' || text === '') return { value: text };
  if (isKernelString(recordType, f.key)) {
    const bytes = hexBytes(text);
    if (typeof bytes === 'string') return { value: text, problem: `${bytes} in the value of ${f.key}` };
    return { value: keyValue(f.key, bytes.toString('utf8')) };
  }
  return { value: text };
}

/** Several audit keys on one rule are logged joined by 0x01. */
function keyValue(key: string, text: string): AuditValue {
  return key === 'key' && text.includes('\x01') ? text.split('\x01') : text;
}

/** The text of a user-space record's msg='…': its fields when it has any, else the text itself. */
function userMessage(text: string): AuditValue {
  const fields: RawField[] = [];
  tokenizeLoose(text, fields);
  if (fields.length === 0) return text;
  const out: { [key: string]: AuditValue } = {};
  for (const f of fields) {
    if (f.key in out) continue;
    out[f.key] = decodeUserField(f);
  }
  return out;
}

function decodeUserField(f: RawField): AuditValue {
  if (f.quote !== '') return f.text;
  if (f.text === '(null)') return null;
  if (USER_STRINGS.has(f.key) && f.text.length >= 2) {
    const bytes = hexBytes(f.text);
    if (typeof bytes !== 'string') return bytes.toString('utf8');
  }
  return f.text;
}

/** Inside msg='…' no quote is unbalanced on purpose; a stray one just ends at the text's end. */
function tokenizeLoose(text: string, out: RawField[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && text[i] === ' ') i++;
    const keyStart = i;
    while (i < n && text[i] !== '=' && text[i] !== ' ') i++;
    if (i >= n || text[i] !== '=') continue;
    const key = text.slice(keyStart, i++);
    if (text[i] === '"') {
      let end = text.indexOf('"', i + 1);
      if (end < 0) end = n;
      if (key) out.push({ key, text: text.slice(i + 1, end), quote: '"' });
      i = end + 1;
    } else {
      const start = i;
      while (i < n && text[i] !== ' ') i++;
      if (key) out.push({ key, text: text.slice(start, i), quote: '' });
    }
  }
}
