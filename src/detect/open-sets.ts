/**
 * Sets where null means "open" (anything): what a rule's needles and its
 * EventIDs are, folded over its condition. `or` of sets is their union,
 * open as soon as one side is.
 */
export function unionOrOpen<T>(sets: readonly (ReadonlySet<T> | null)[]): ReadonlySet<T> | null {
  const out = new Set<T>();
  for (const s of sets) {
    if (s === null) return null;
    for (const x of s) out.add(x);
  }
  return out;
}
