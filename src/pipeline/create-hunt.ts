/**
 * A Hunt wired the way every mode needs it: with a correlation engine over
 * the loaded correlation rules (without one, the silent helper rules that
 * only feed correlations would alert on their own).
 */
import { CorrelationEngine } from '../correlate/engine.js';
import type { Detector } from '../detect/engine.js';
import { Hunt, type HuntCallbacks } from './hunt.js';

export interface WiredHunt {
  hunt: Hunt;
  correlations?: CorrelationEngine;
}

export interface HuntWiring {
  /** false: every line parsed, every rule run (to measure or check the prefilter). */
  prefilter?: boolean;
  /** How late (ms of event time) a match may arrive and still be ordered (live sources). */
  toleranceMs?: number;
}

export function createHunt(detector: Detector, cb: HuntCallbacks, wiring: HuntWiring | boolean = {}): WiredHunt {
  const w = typeof wiring === 'boolean' ? { prefilter: wiring } : wiring;
  let hunt: Hunt | undefined;
  const correlations = detector.correlations.length
    ? new CorrelationEngine(detector.correlations, { onAlert: (a) => hunt?.emitCorrelation(a), toleranceMs: w.toleranceMs })
    : undefined;
  hunt = new Hunt(detector, cb, w.prefilter ?? true, correlations);
  return { hunt, correlations };
}
