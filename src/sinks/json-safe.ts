/**
 * JSON text for files and pipes an analyst will also read: log text is
 * attacker-controlled, and characters JSON.stringify leaves as they are can
 * hide or reorder what a terminal, pager or editor shows (C1 controls, DEL,
 * bidi marks, overrides and isolates, line and paragraph separators). They
 * are written as \uXXXX escapes: the same JSON value, visible text.
 * (JSON.stringify already escapes C0 controls; every raw character it leaves
 * stands outside any escape sequence, so replacing it cannot split one.)
 */
const HIDDEN = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(HIDDEN, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
