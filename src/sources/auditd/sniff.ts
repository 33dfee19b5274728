/**
 * Whether a file's first bytes are an audit log: the first line that is
 * neither blank, a `#` comment nor an `ausearch` separator (`----`,
 * `time->…`) starts like a record, `[node=HOST ]type=TYPE msg=audit(`.
 */
const RECORD_START = /^(?:node=[^ \n]* )?type=[^ \n]+ msg=audit\(\d/;

export function looksLikeAuditd(head: Buffer): boolean {
  const text = head.toString('latin1');
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl).trim();
    pos = nl + 1;
    if (isNoise(line)) continue;
    return RECORD_START.test(line);
  }
  return false;
}

/** Lines that carry no record: blank, `#` comments, and the separators `ausearch` prints between events. */
export function isNoise(trimmed: string): boolean {
  return trimmed === '' || trimmed.startsWith('#') || trimmed === '----' || trimmed.startsWith('time->');
}
