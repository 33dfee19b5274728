/**
 * The live topology: events as a sensor delivers them → the same path a
 * hunt takes for parsed objects (Hunt.sinkFor(...).object: normalize →
 * detect → correlate) → alerts stamped with their latency.
 *
 *   sensor event ─▶ Hunt sink.object ─▶ normalizeObject ─▶ Detector ─▶ CorrelationEngine (tolerance) ─▶ onAlert
 *                                                                                              latency = now − event time
 *
 * Latency is wall-clock now minus the event's own time (for audit events
 * the kernel's timestamp of the syscall), taken just before the alert is
 * handed on, so it covers kernel queue → auditd → log file → read →
 * assembly (idle wait) → detection.
 */
import { hostname } from 'node:os';
import type { Alert } from '../core/alert.js';
import type { CorrelationEngine } from '../correlate/engine.js';
import { createHunt } from './create-hunt.js';
import type { Detector } from '../detect/engine.js';
import type { RecordSink } from '../sources/records.js';
import type { Hunt } from './hunt.js';
import { LatencyStats } from './latency.js';

/** An alert of a live run: also when it was raised relative to its event. */
export interface LiveAlert extends Alert {
  /** Milliseconds from the event's time to the alert (absent when the event has no time). */
  latency_ms?: number;
}

export interface LiveCallbacks {
  onAlert(alert: LiveAlert): void;
  onError(message: string, record?: number): void;
}

export interface LiveOptions {
  /** Names the input in alerts (`source.file`), e.g. the followed log. */
  source: string;
  /**
   * How late (ms of event time) a match may arrive and still take its place
   * in a correlation window; correlation alerts wait this long (default 2000,
   * the audit daemon's own end_of_event_timeout).
   */
  toleranceMs?: number;
  /** Host for alerts whose event names none (a local sensor knows where it runs). */
  host?: string;
}

export class LiveDetection {
  readonly hunt: Hunt;
  readonly latency = new LatencyStats();
  readonly correlations: CorrelationEngine | undefined;
  private readonly sink: RecordSink;

  constructor(detector: Detector, cb: LiveCallbacks, opts: LiveOptions) {
    const host = opts.host ?? hostname();
    const wired = createHunt(detector, {
      onAlert: (a) => {
        const t = a.time === undefined ? NaN : Date.parse(a.time);
        const latency = Number.isFinite(t) ? Date.now() - t : undefined;
        if (latency !== undefined) this.latency.add(latency);
        cb.onAlert({ ...a, host: a.host ?? host, latency_ms: latency });
      },
      onError: (_file, message, record) => cb.onError(message, record),
    }, { toleranceMs: opts.toleranceMs ?? 2000 });
    const hunt = wired.hunt;
    this.correlations = wired.correlations;
    this.hunt = hunt;
    this.sink = hunt.sinkFor(opts.source);
  }

  /** One event as the sensor assembled it; `record` is its first line in the followed log. */
  push(obj: unknown, record: number): void {
    this.sink.object(obj, record);
  }

  /** End of input: correlations release what they hold. */
  finish(): void {
    this.hunt.finish();
  }
}
