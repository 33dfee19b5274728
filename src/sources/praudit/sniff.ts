/** Is this the start of `praudit -x` output? Decided from the first bytes, as format.ts asks. */

/**
 * The XML prolog and `<audit>` that praudit -x prints first, or records
 * straight away (output cut from a longer run, `tail` of a live trail).
 * Other XML (a Windows event export, …) is not ours.
 */
export function looksLikePrauditXml(head: Buffer): boolean {
  const s = head.toString('latin1', 0, Math.min(head.length, 4096));
  return /^<\?xml[^>]*\?>\s*<audit>/.test(s) || /^(<audit>\s*)?<record[\s>]/.test(s);
}
