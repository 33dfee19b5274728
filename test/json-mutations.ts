/**
 * Mutated JSON lines for the raw readers' tests (raw-product, raw-logsource):
 * bytes deleted, texts inserted anywhere, member-looking text appended, and
 * regions duplicated before the closing brace (a later duplicate key wins in
 * JSON.parse). Repeatable: the same seed gives the same lines.
 */
import { seededRandom } from './corpus.js';

/**
 * `perLine` mutations of each line. `inserts` go anywhere; the first
 * `members` of them are whole members (`,"key":value`) and are also
 * appended before the last byte.
 */
export function mutatedLines(lines: readonly string[], seed: number, inserts: readonly string[], members: number, perLine = 6): string[] {
  const rand = seededRandom(seed);
  const out: string[] = [];
  for (const l of lines) {
    for (let k = 0; k < perLine; k++) {
      let m = l;
      const at = rand(m.length + 1);
      switch (rand(4)) {
        case 0: m = m.slice(0, at) + m.slice(at + 1 + rand(3)); break;
        case 1: m = m.slice(0, at) + inserts[rand(inserts.length)] + m.slice(at); break;
        case 2: m = m.slice(0, -1) + ',' + m.slice(at, at + 40) + '}'; break;
        default: m = m.slice(0, -1) + inserts[rand(members)] + '}';
      }
      out.push(m);
    }
  }
  return out;
}
