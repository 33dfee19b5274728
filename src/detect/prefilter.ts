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
  /** For each state: index into outStart/outIds, or -1. */
  private readonly outHead: Int32Array;
  private readonly outIds: Int32Array;
  private readonly outNext: Int32Array;
  readonly needleCount: number;

  constructor(needles: readonly string[]) {
    this.needleCount = needles.length;
    const bytesOf = needles.map((n) => Buffer.from(n.toLowerCase(), 'utf8'));
    // Byte classes: 0 = any byte that no needle uses.
    let nClasses = 1;
    const cls = this.classOf;
    for (const b of bytesOf) for (const x of b) if (cls[x] === 0) cls[x] = nClasses++;
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
    this.next = next;
    // Outputs as linked lists in flat arrays.
    this.outHead = new Int32Array(nStates).fill(-1);
    const ids: number[] = [];
    const links: number[] = [];
    for (let s = 0; s < nStates; s++) {
      const uniq = [...new Set(outputs[s])];
      for (const id of uniq) {
        ids.push(id);
        links.push(this.outHead[s]);
        this.outHead[s] = ids.length - 1;
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
    const n = this.nClasses;
    const head = this.outHead;
    let s = 0;
    let hit = false;
    for (let i = start; i < end; i++) {
      s = next[s * n + cls[buf[i]]];
      let o = head[s];
      if (o !== -1) {
        hit = true;
        while (o !== -1) {
          onHit(this.outIds[o]);
          o = this.outNext[o];
        }
      }
    }
    return hit;
  }

  /** True if any needle occurs (stops at the first). */
  any(buf: Uint8Array, start: number, end: number): boolean {
    const next = this.next;
    const cls = this.classOf;
    const n = this.nClasses;
    const head = this.outHead;
    let s = 0;
    for (let i = start; i < end; i++) {
      s = next[s * n + cls[buf[i]]];
      if (head[s] !== -1) return true;
    }
    return false;
  }
}
