/**
 * Counts, per host, the events of each data source and what their quality
 * checks and fix hints saw. Only counts are kept, never events, so memory
 * grows with the number of hosts, which is capped (host names are log
 * content, and a hostile log could invent millions).
 */
import { eventTime } from '../normalize/event-summary.js';
import type { FlatEvent } from '../normalize/flat-event.js';
import { matchesLogsource, type DataSource } from './data-source.js';
import { hostKey } from './host-key.js';
import { DATA_SOURCES } from './sources.js';

export const MAX_HOSTS = 10_000;
export const OVERFLOW_HOST = `(hosts beyond the first ${MAX_HOSTS.toLocaleString('en-US')})`;

export interface SourceTally {
  events: number;
  /** Per quality check of the source: events that showed the setting on / off. */
  readonly checks: { on: number; off: number }[];
  /** Per fix hint of the source: did any event of the host match it? */
  readonly hints: boolean[];
}

export class HostTally {
  events = 0;
  /** Events whose product no normalizer recognized (generic JSON). */
  unrecognized = 0;
  /** Earliest and latest event time, ms since the epoch. */
  first?: number;
  last?: number;
  readonly products = new Set<string>();
  readonly files = new Set<string>();
  readonly sources: SourceTally[];

  constructor(sources: readonly DataSource[]) {
    this.sources = sources.map((s) => ({
      events: 0,
      checks: (s.checks ?? []).map(() => ({ on: 0, off: 0 })),
      hints: (s.hints ?? []).map(() => false),
    }));
  }
}

export class CoverageTally {
  readonly hosts = new Map<string, HostTally>();
  /** Source indexes by product: an event is only tried against its own platform's sources. */
  private readonly byProduct = new Map<string, number[]>();

  constructor(readonly sources: readonly DataSource[] = DATA_SOURCES, private readonly maxHosts = MAX_HOSTS) {
    sources.forEach((s, i) => {
      const list = this.byProduct.get(s.logsource.product) ?? [];
      list.push(i);
      this.byProduct.set(s.logsource.product, list);
    });
  }

  add(ev: FlatEvent, file: string): void {
    const host = this.hostFor(hostKey(ev, file));
    host.events++;
    host.files.add(file);
    const iso = eventTime(ev);
    if (iso) {
      const t = Date.parse(iso);
      if (host.first === undefined || t < host.first) host.first = t;
      if (host.last === undefined || t > host.last) host.last = t;
    }
    const product = ev.logsource.product;
    if (product === undefined) {
      host.unrecognized++;
      return;
    }
    host.products.add(product);
    for (const i of this.byProduct.get(product) ?? []) this.tallySource(this.sources[i], host.sources[i], ev);
  }

  private tallySource(source: DataSource, tally: SourceTally, ev: FlatEvent): void {
    const hints = source.hints ?? [];
    for (let h = 0; h < hints.length; h++) if (!tally.hints[h] && hints[h].seen(ev)) tally.hints[h] = true;
    const mine = source.recognize ? source.recognize(ev) : matchesLogsource(source.logsource, ev);
    if (!mine) return;
    tally.events++;
    const checks = source.checks ?? [];
    for (let c = 0; c < checks.length; c++) {
      const verdict = checks[c].judge(ev);
      if (verdict === true) tally.checks[c].on++;
      else if (verdict === false) tally.checks[c].off++;
    }
  }

  private hostFor(key: string): HostTally {
    let host = this.hosts.get(key);
    if (host) return host;
    if (this.hosts.size >= this.maxHosts) key = OVERFLOW_HOST;
    host = this.hosts.get(key);
    if (!host) {
      host = new HostTally(this.sources);
      this.hosts.set(key, host);
    }
    return host;
  }
}
