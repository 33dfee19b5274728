/**
 * A worker thread's side of parallel EVTX hunting: it builds the same rules as
 * the main thread (from the documents the main thread loaded), then decodes, normalizes and evaluates the chunk ranges it
 * is sent, and posts back what it found. Correlations stay in the main thread
 * (they need every file's matches in time order); this side only looks up
 * the fields they read, with a CorrelationEngine used for nothing else.
 *
 *   main ──{job: file, chunks [first, end)}──▶ worker: decode → normalize → detect
 *   main ◀──{alerts, errors, correlation matches, counts}── worker
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Alert } from '../core/alert.js';
import { CorrelationEngine } from '../correlate/engine.js';
import type { CorrelationInput } from '../correlate/types.js';
import { detectorFromDocuments } from '../cli/rule-loading.js';
import { Hunt, type CorrelationTarget, type RemoteResult } from './hunt.js';
import type { RuleSpec, WorkerJob, WorkerReply } from './evtx-pool.js';

const spec = workerData as RuleSpec;
const port = parentPort;
if (!port) throw new Error('evtx-worker runs only as a worker thread');

const detector = detectorFromDocuments(spec.documents, new Map(spec.placeholders));
let current: RemoteResult = fresh();

const engine = detector.correlations.length ? new CorrelationEngine(detector.correlations, { onAlert: () => undefined }) : undefined;
const forward: CorrelationTarget | undefined = engine && {
  wants: (refs) => engine.wants(refs),
  fieldsFor: (refs) => engine.fieldsFor(refs),
  isSilent: (refs) => engine.isSilent(refs),
  flush: () => undefined,
  push: (input: CorrelationInput) => {
    const fields = engine.fieldsFor(input.refs).map((f): [string, ReturnType<CorrelationInput['get']>] => [f.toLowerCase(), input.get(f)]);
    current.matches.push({ refs: [...input.refs], time: input.time, fields, source: input.source });
  },
};

const hunt = new Hunt(detector, {
  onAlert: (a: Alert) => void current.alerts.push(a),
  onError: (_file, message, record) => void current.errors.push({ message, record }),
}, true, forward);

port.postMessage({ ready: detector.rules.length } satisfies WorkerReply);

port.on('message', (job: WorkerJob) => {
  current = fresh();
  const before = { events: hunt.stats.events, parsed: hunt.stats.parsed };
  let complete: boolean;
  try {
    complete = hunt.runEvtxRange(job.path, job.first, job.end);
  } catch (e) {
    current.errors.push({ message: `worker failed on chunks ${job.first}–${job.end - 1}: ${(e as Error).message}` });
    complete = true;
  }
  current.events = hunt.stats.events - before.events;
  current.parsed = hunt.stats.parsed - before.parsed;
  port.postMessage({ id: job.id, complete, result: current } satisfies WorkerReply);
});

function fresh(): RemoteResult {
  return { events: 0, parsed: 0, alerts: [], errors: [], matches: [] };
}
