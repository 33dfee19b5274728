/**
 * Needle scanners for one logsource group (the rules an event's logsource
 * admits), for rule sets whose every line is parsed anyway.
 *
 * The scanner over every needle of 2,535 rules is a 30 MB automaton: each
 * byte costs a cache miss. An event is only ever matched against its own
 * group (a Sysmon process-access event against ~30 rules), whose needles
 * make an automaton small enough to stay in cache. Once the event is parsed
 * and its logsource known, scanning the raw line with the group's automaton
 * marks exactly the group rules the full scanner would have marked.
 */
import { NeedleScanner } from './prefilter.js';

/** Groups with more needles than this keep using the full scanner: building theirs would cost more than it saves. */
export const GROUP_SCANNER_MAX_NEEDLES = 3000;

export class GroupScanner {
  private readonly scanner: NeedleScanner;
  private readonly globalIds: Int32Array;
  private onGlobal: (id: number) => void = () => {};
  private readonly onLocal = (local: number): void => this.onGlobal(this.globalIds[local]);

  /**
   * `ids`: the group's needle ids in the detector's numbering; `needles[id]` is the text.
   * `prunes`: the ids include every needle of the group's rules' formulas, so
   * marks may be pruned by them after a scan (needle-formula.ts).
   */
  constructor(ids: readonly number[], needles: readonly string[], readonly prunes = false) {
    this.globalIds = Int32Array.from(ids);
    this.scanner = new NeedleScanner(ids.map((id) => needles[id]));
  }

  /** The group's automaton, to be fed piecewise (NeedleScanner's feed methods) with the callback begin() returns. */
  get needles(): NeedleScanner {
    return this.scanner;
  }

  /** The callback that turns the automaton's local needle ids into global ones for onHit. */
  begin(onHit: (id: number) => void): (local: number) => void {
    this.onGlobal = onHit;
    return this.onLocal;
  }

  /** Calls onHit(global needle id) for each occurrence in buf[start, end). */
  scan(buf: Uint8Array, start: number, end: number, onHit: (id: number) => void): void {
    this.onGlobal = onHit;
    this.scanner.scan(buf, start, end, this.onLocal);
  }
}

/** The group's needle ids (each rule's needles), or null when the group should use the full scanner. */
export function groupNeedleIds(group: readonly number[], needlesOf: (rule: number) => Iterable<number>): number[] | null {
  const ids = new Set<number>();
  for (const r of group) for (const id of needlesOf(r)) ids.add(id);
  return ids.size <= GROUP_SCANNER_MAX_NEEDLES ? [...ids] : null;
}
