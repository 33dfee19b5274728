/**
 * Case-insensitive multi-needle scanner over raw bytes (Aho–Corasick,
 * compiled to a dense DFA over byte classes).
 *
 *   bytes ─▶ class[byte] ─▶ state = next[state * nClasses + class] ─▶ out[state]?
 *
 * Bytes that occur in no needle share one class, so the table stays small;
 * A–Z fold onto a–z. One table lookup per byte, no allocation per line.
 */
/** JSON.stringify's two-character escapes of control characters: the letter after the backslash, or 0 for \u00XX. */
const SHORT_ESCAPE = new Uint8Array(0x20);
SHORT_ESCAPE[0x08] = 0x62; // \b
SHORT_ESCAPE[0x09] = 0x74; // \t
SHORT_ESCAPE[0x0a] = 0x6e; // \n
SHORT_ESCAPE[0x0c] = 0x66; // \f
SHORT_ESCAPE[0x0d] = 0x72; // \r

/** Below this many bytes per quarter, scan walks the text as one chain (the split costs more than it saves). */
const INTERLEAVE_MIN_SEGMENT = 64;

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
  /** The longest needle's byte length less one: how far before its part a chain must start (scan). */
  private readonly overlap: number;
  private scratch = Buffer.allocUnsafe(256);
  /** Each needle's bytes (lower-case), and mayOccurIn's answers. */
  private readonly needleBytes: readonly Buffer[];
  private readonly alphabets = new Map<string, boolean>();

  constructor(needles: readonly string[]) {
    this.needleCount = needles.length;
    const bytesOf = needles.map((n) => Buffer.from(n.toLowerCase(), 'utf8'));
    this.needleBytes = bytesOf;
    // A loop, not Math.max(...): a spread of a huge rule set's needles would overflow the argument limit.
    let longest = 1;
    for (const b of bytesOf) if (b.length > longest) longest = b.length;
    this.overlap = longest - 1;
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

  /**
   * Calls onHit(needleId) for each needle occurrence in buf[start, end), once
   * per occurrence, in no promised order. Returns true if any hit.
   *
   * One DFA walk is a chain of dependent loads: each byte waits for the
   * previous state. A long text is cut in four and walked as four chains in
   * one loop, which the CPU overlaps (measured on Sysmon lines: 330–420 → 460–620 MB/s):
   *
   *   start        b1           b2           b3          end
   *   |── chain 0 ─|── chain 1 ─|── chain 2 ─|── chain 3 ─|
   *             ↑ f1: chain 1 starts a needle's length early, so a needle
   *               across b1 is whole in its walk; hits ending before b1
   *               are chain 0's, and chain 1 does not report them.
   */
  scan(buf: Uint8Array, start: number, end: number, onHit: (id: number) => void): boolean {
    const q = (end - start) >> 2;
    const ov = this.overlap;
    if (q < INTERLEAVE_MIN_SEGMENT || q < 4 * ov) return this.walk(buf, start, end, onHit);
    const next = this.next;
    const cls = this.classOf;
    const thr = this.outThreshold;
    // Chain t > 0 starts at f_t = b_t − ov and walks q + ov bytes, to b_{t+1};
    // chain 0 walks as far, past b1, but owns only its first q bytes.
    const f1 = start + q - ov;
    const f2 = f1 + q;
    const f3 = f2 + q;
    const steps = q + ov;
    let s0 = this.start;
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    this.hitFlag = false;
    let k = 0;
    for (;;) {
      // The inner loop holds no call, so the four chains keep their registers;
      // a hit leaves it, is reported, and the walk resumes.
      for (; k < steps; k++) {
        s0 = next[s0 + cls[buf[start + k]]];
        s1 = next[s1 + cls[buf[f1 + k]]];
        s2 = next[s2 + cls[buf[f2 + k]]];
        s3 = next[s3 + cls[buf[f3 + k]]];
        // Output states are numbered last: one test for all four.
        if (s0 >= thr || s1 >= thr || s2 >= thr || s3 >= thr) break;
      }
      if (k >= steps) break;
      this.emit4(k < q ? s0 : -1, k >= ov ? s1 : -1, k >= ov ? s2 : -1, k >= ov ? s3 : -1, onHit);
      k++;
    }
    // The last 0–3 bytes (len − 4q) are chain 3's.
    for (let i = f3 + steps; i < end; i++) {
      s3 = next[s3 + cls[buf[i]]];
      if (s3 >= thr) this.emit4(-1, -1, -1, s3, onHit);
    }
    return this.hitFlag;
  }

  /** scan as one chain, for texts too short to cut. */
  private walk(buf: Uint8Array, start: number, end: number, onHit: (id: number) => void): boolean {
    const next = this.next;
    const cls = this.classOf;
    const thr = this.outThreshold;
    let s = this.start;
    let hit = false;
    for (let i = start; i < end; i++) {
      s = next[s + cls[buf[i]]];
      if (s >= thr) {
        hit = true;
        this.emit(s, onHit);
      }
    }
    return hit;
  }

  /**
   * Whether some needle could occur in the JSON text of a value made of
   * these characters (and its quotes; none of them needs an escape): each of
   * its bytes is one of them, compared without case. Remembered per
   * alphabet (a handful are asked).
   */
  mayOccurIn(alphabet: string): boolean {
    let answer = this.alphabets.get(alphabet);
    if (answer === undefined) {
      const allowed = new Set(Buffer.from(alphabet.toLowerCase() + '"', 'utf8'));
      answer = this.needleBytes.some((n) => n.every((b) => allowed.has(b)));
      this.alphabets.set(alphabet, answer);
    }
    return answer;
  }

  /** The state before any text, for the feed methods. */
  get initial(): number {
    return this.start;
  }

  /**
   * Feeds, from state `s`, the JSON string literal of the UTF-16LE text in
   * buf[start, end): the bytes JSON.stringify and UTF-8 would write (quotes,
   * two-character escapes; non-ASCII as its UTF-8 byte count, those bytes
   * sharing one class). Returns the state after it, or -1 where JSON.stringify
   * would write a \u escape (a control character, a lone surrogate): such
   * text bypasses byte needles, so the caller must not judge it by them.
   */
  feedUtf16Json(buf: Uint8Array, start: number, end: number, s: number, onHit: (id: number) => void): number {
    const next = this.next;
    const cls = this.classOf;
    const thr = this.outThreshold;
    const high = cls[0x80];
    const backslash = cls[0x5c];
    s = next[s + cls[0x22]];
    if (s >= thr) this.emit(s, onHit);
    for (let i = start; i + 1 < end; i += 2) {
      const u = buf[i] | (buf[i + 1] << 8);
      if (u < 0x80) {
        let c = u;
        if (u < 0x20 || u === 0x22 || u === 0x5c) {
          if (u < 0x20) {
            c = SHORT_ESCAPE[u];
            if (c === 0) return -1;
          }
          s = next[s + backslash];
          if (s >= thr) this.emit(s, onHit);
        }
        s = next[s + cls[c]];
        if (s >= thr) this.emit(s, onHit);
        continue;
      }
      let bytes = 3;
      if (u < 0x800) bytes = 2;
      else if (u >= 0xd800 && u <= 0xdfff) {
        if (u >= 0xdc00 || i + 3 >= end) return -1;
        const lo = buf[i + 2] | (buf[i + 3] << 8);
        if (lo < 0xdc00 || lo > 0xdfff) return -1;
        i += 2;
        bytes = 4;
      }
      for (; bytes > 0; bytes--) {
        s = next[s + high];
        if (s >= thr) this.emit(s, onHit);
      }
    }
    s = next[s + cls[0x22]];
    if (s >= thr) this.emit(s, onHit);
    return s;
  }

  /** feedUtf16Json for a JS string (copied out as UTF-16LE: one scanning loop to get right, not two). */
  feedStringJson(text: string, s: number, onHit: (id: number) => void): number {
    if (this.scratch.length < text.length * 2) this.scratch = Buffer.allocUnsafe(Math.max(256, text.length * 4));
    const n = this.scratch.write(text, 0, 'utf16le');
    return this.feedUtf16Json(this.scratch, 0, n, s, onHit);
  }

  /** Feeds ASCII text as it is (a number, true, false, null, punctuation) from state `s`; returns the state after it. */
  feedLiteral(text: string, s: number, onHit: (id: number) => void): number {
    const next = this.next;
    const cls = this.classOf;
    const thr = this.outThreshold;
    for (let i = 0; i < text.length; i++) {
      const u = text.charCodeAt(i);
      s = next[s + cls[u < 0x80 ? u : 0x80]];
      if (s >= thr) this.emit(s, onHit);
    }
    return s;
  }

  /** Whether scan's four chains reported a hit (a field: the hot loop keeps its registers for the chains). */
  private hitFlag = false;

  /** Reports the output states among the four (a chain whose hit is not its own passes -1). */
  private emit4(s0: number, s1: number, s2: number, s3: number, onHit: (id: number) => void): void {
    const thr = this.outThreshold;
    if (s0 >= thr) this.emit(s0, onHit);
    if (s1 >= thr) this.emit(s1, onHit);
    if (s2 >= thr) this.emit(s2, onHit);
    if (s3 >= thr) this.emit(s3, onHit);
    if (s0 >= thr || s1 >= thr || s2 >= thr || s3 >= thr) this.hitFlag = true;
  }

  private emit(s: number, onHit: (id: number) => void): void {
    for (let o = this.outHead[s / this.nClasses]; o !== -1; o = this.outNext[o]) onHit(this.outIds[o]);
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
