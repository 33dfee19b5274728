/**
 * Case-insensitive multi-needle scanner over raw bytes (Aho–Corasick,
 * compiled to a dense DFA over byte classes).
 *
 *   bytes ─▶ class[byte] ─▶ state = next[state * nClasses + class] ─▶ out[state]?
 *
 * Bytes that occur in no needle share one class, so the table stays small;
 * A–Z fold onto a–z. One table lookup per byte, no allocation per line.
 */
export class NeedleScanner {
  private readonly classOf = new Uint8Array(256);
  private readonly nClasses: number;
  private readonly next: Int32Array;
  private readonly start: number;
  private readonly outThreshold: number;
  /** For each state: index into outIds, or -1. */
  private readonly outHead: Int32Array;
  private readonly outIds: Int32Array;
  private readonly outNext: Int32Array;
  readonly needleCount: number;

  constructor(needles: readonly string[]) {
    this.needleCount = needles.length;
    const bytesOf = needles.map((n) => Buffer.from(n.toLowerCase(), 'utf8'));
    // Byte classes: 0 = any byte that no needle uses. All non-ASCII bytes
    // share one class: a needle then matches any non-ASCII text of the same
    // byte length where it has non-ASCII (more hits, never fewer, so still
    // sound), and the table stays about half as wide — windash and homoglyph
    // rules alone bring some 70 distinct UTF-8 bytes.
    let nClasses = 1;
    const cls = this.classOf;
    let high = 0;
    for (const b of bytesOf) {
      for (const x of b) {
        if (cls[x] !== 0) continue;
        if (x < 0x80) cls[x] = nClasses++;
        else {
          if (high === 0) high = nClasses++;
          cls[x] = high;
        }
      }
    }
    if (high !== 0) for (let x = 0x80; x < 0x100; x++) cls[x] = high;
    for (let c = 65; c <= 90; c++) cls[c] = cls[c + 32];
    this.nClasses = nClasses;

    // Trie.
    const goto: Map<number, number>[] = [new Map()];
    const outputs: number[][] = [[]];
    bytesOf.forEach((b, id) => {
      let s = 0;
      for (const x of b) {
        const c = cls[x];
        let t = goto[s].get(c);
        if (t === undefined) {
          t = goto.length;
          goto.push(new Map());
          outputs.push([]);
          goto[s].set(c, t);
        }
        s = t;
      }
      outputs[s].push(id);
    });

    // Breadth-first failure links, folded into a complete transition table.
    const nStates = goto.length;
    const next = new Int32Array(nStates * nClasses);
    const fail = new Int32Array(nStates);
    const queue: number[] = [];
    for (let c = 0; c < nClasses; c++) {
      const t = goto[0].get(c);
      next[c] = t ?? 0;
      if (t !== undefined) queue.push(t);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      const f = fail[s];
      for (const o of outputs[f]) outputs[s].push(o);
      for (let c = 0; c < nClasses; c++) {
        const t = goto[s].get(c);
        if (t !== undefined) {
          fail[t] = next[f * nClasses + c];
          next[s * nClasses + c] = t;
          queue.push(t);
        } else {
          next[s * nClasses + c] = next[f * nClasses + c];
        }
      }
    }
    // Renumber so that states with outputs come last: the hot loop then
    // tests "any output here?" with one comparison, no extra load. Transitions
    // are stored premultiplied by the class count (row offsets), saving a multiply.
    const order = [...Array(nStates).keys()].sort((a, b) => Number(outputs[a].length > 0) - Number(outputs[b].length > 0));
    const newId = new Int32Array(nStates);
    order.forEach((old, i) => (newId[old] = i));
    const firstOut = order.findIndex((old) => outputs[old].length > 0);
    this.outThreshold = (firstOut < 0 ? nStates : firstOut) * nClasses;
    const table = new Int32Array(nStates * nClasses);
    for (let s = 0; s < nStates; s++) {
      const row = newId[s] * nClasses;
      for (let c = 0; c < nClasses; c++) table[row + c] = newId[next[s * nClasses + c]] * nClasses;
    }
    this.next = table;
    this.start = newId[0] * nClasses;
    // Outputs as linked lists in flat arrays, indexed by row offset / nClasses.
    this.outHead = new Int32Array(nStates).fill(-1);
    const ids: number[] = [];
    const links: number[] = [];
    for (let s = 0; s < nStates; s++) {
      for (const id of new Set(outputs[s])) {
        ids.push(id);
        links.push(this.outHead[newId[s]]);
        this.outHead[newId[s]] = ids.length - 1;
      }
    }
    this.outIds = Int32Array.from(ids);
    this.outNext = Int32Array.from(links);
  }

  get stateCount(): number {
    return this.outHead.length;
  }

  /** Calls onHit(needleId) for each needle occurrence in buf[start, end). Returns true if any hit. */
  scan(buf: Uint8Array, start: number, end: number, onHit: (id: number) => void): boolean {
    const next = this.next;
    const cls = this.classOf;
    const threshold = this.outThreshold;
    const n = this.nClasses;
    let s = this.start;
    let hit = false;
    for (let i = start; i < end; i++) {
      s = next[s + cls[buf[i]]];
      if (s >= threshold) {
        hit = true;
        for (let o = this.outHead[s / n]; o !== -1; o = this.outNext[o]) onHit(this.outIds[o]);
      }
    }
    return hit;
  }

  /** True if any needle occurs (stops at the first). */
  any(buf: Uint8Array, start: number, end: number): boolean {
    const next = this.next;
    const cls = this.classOf;
    const threshold = this.outThreshold;
    let s = this.start;
    for (let i = start; i < end; i++) {
      s = next[s + cls[buf[i]]];
      if (s >= threshold) return true;
    }
    return false;
  }
}
