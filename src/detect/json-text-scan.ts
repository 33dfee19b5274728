/**
 * A needle scan fed an event's JSON text value by value (JsonTextSink)
 * instead of as one buffer: the automaton's state carries from one piece to
 * the next, so a needle found in the joined text is found here too when it
 * lies within one value — and rules' needles always do. (So the values may
 * come in any order, and texts every event shares can be scanned once.)
 */
import type { JsonTextSink } from '../core/json-text.js';
import type { NeedleScanner } from './prefilter.js';

export class JsonTextScan implements JsonTextSink {
  private scanner!: NeedleScanner;
  private onHit!: (id: number) => void;
  private state = 0;
  /** Some text needed a \u escape: the scan cannot rule anything out. */
  escaped = false;

  reset(scanner: NeedleScanner, onHit: (id: number) => void): void {
    this.scanner = scanner;
    this.onHit = onHit;
    this.state = scanner.initial;
    this.escaped = false;
  }

  utf16String(buf: Uint8Array, start: number, end: number): void {
    if (!this.escaped) this.advance(this.scanner.feedUtf16Json(buf, start, end, this.state, this.onHit));
  }

  string(s: string): void {
    if (!this.escaped) this.advance(this.scanner.feedStringJson(s, this.state, this.onHit));
  }

  /** The needles found in each constant texts array, per scanner: scanned once, replayed after. */
  private readonly constantHits = new WeakMap<readonly string[], Map<NeedleScanner, number[] | null>>();

  constants(texts: readonly string[]): void {
    if (this.escaped || texts.length === 0) return;
    let byScanner = this.constantHits.get(texts);
    if (byScanner === undefined) {
      byScanner = new Map();
      this.constantHits.set(texts, byScanner);
    }
    let hits = byScanner.get(this.scanner);
    if (hits === undefined) {
      const found: number[] = [];
      const collect = (id: number): void => void found.push(id);
      let ok = true;
      for (const t of texts) if (this.scanner.feedStringJson(t, this.scanner.initial, collect) < 0) ok = false;
      hits = ok ? found : null;
      byScanner.set(this.scanner, hits);
    }
    if (hits === null) this.escaped = true;
    else for (let i = 0; i < hits.length; i++) this.onHit(hits[i]);
  }

  literal(s: string): void {
    if (!this.escaped) this.state = this.scanner.feedLiteral(s, this.state, this.onHit);
  }

  /** A needle can only occur in a value whose text holds every one of its characters. */
  wants(alphabet: string): boolean {
    return this.scanner.mayOccurIn(alphabet);
  }

  private advance(state: number): void {
    if (state < 0) this.escaped = true;
    else this.state = state;
  }
}
