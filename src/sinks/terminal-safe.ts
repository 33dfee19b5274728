/**
 * Log text is attacker-controlled: escape sequences in a command line must
 * not drive the analyst's terminal. Control characters become visible escapes.
 */
export function terminalSafe(s: string): string {
  // C0 controls, DEL, C1 controls, and bidi overrides that can disguise text.
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
