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

export function createHunt(detector: Detector, cb: HuntCallbacks, prefilter = true): WiredHunt {
  let hunt: Hunt | undefined;
  const correlations = detector.correlations.length
    ? new CorrelationEngine(detector.correlations, { onAlert: (a) => hunt?.emitCorrelation(a) })
    : undefined;
  hunt = new Hunt(detector, cb, prefilter, correlations);
  return { hunt, correlations };
}
