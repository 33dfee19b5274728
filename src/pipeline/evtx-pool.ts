/**
 * A pool of worker threads (evtx-worker.ts) that decode and evaluate EVTX
 * chunk ranges. Jobs go to whichever worker is free; each job's promise
 * settles with that range's result, so callers can take results in their own
 * order while the workers run ahead.
 */
import { Worker } from 'node:worker_threads';
import type { RemoteResult } from './hunt.js';
import type { SigmaDocument } from '../sigma/model.js';

/**
 * How a worker builds the same rules as the main thread: the documents the
 * main thread loaded (plain data, cloned into the worker: no file is read or
 * YAML parsed again), in the same order, so the same rule set.
 */
export interface RuleSpec {
  documents: SigmaDocument[];
  placeholders: [string, string[]][];
}

export interface WorkerJob {
  id: number;
  path: string;
  first: number;
  end: number;
}

export type WorkerReply =
  | { ready: number }
  | { id: number; complete: boolean; result: RemoteResult };

export interface RangeResult {
  /** False: the range needs the whole file (see readEvtxRange); result is empty. */
  complete: boolean;
  result: RemoteResult;
}

interface Slot {
  worker: Worker;
  busy: WorkerJob | null;
  ready: Promise<number>;
}

export class EvtxPool {
  private readonly slots: Slot[] = [];
  private readonly queue: WorkerJob[] = [];
  private readonly waiting = new Map<number, { resolve: (r: RangeResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private closed = false;

  constructor(size: number, spec: RuleSpec, private readonly expectedRules: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.start(spec));
  }

  private start(spec: RuleSpec): Slot {
    const worker = new Worker(new URL('./evtx-worker.js', import.meta.url), { workerData: spec });
    let onReady!: (n: number) => void;
    let onFail!: (e: Error) => void;
    const slot: Slot = { worker, busy: null, ready: new Promise<number>((res, rej) => ((onReady = res), (onFail = rej))) };
    // Settled before anyone may await it; a failed start must not be an unhandled rejection.
    slot.ready.catch(() => undefined);
    worker.on('message', (m: WorkerReply) => {
      if ('ready' in m) {
        if (m.ready !== this.expectedRules) {
          const e = new Error(`worker loaded ${m.ready} rules, main thread ${this.expectedRules}`);
          onFail(e);
          this.fail(slot, e);
          void worker.terminate();
          return;
        }
        onReady(m.ready);
        this.dispatch();
        return;
      }
      slot.busy = null;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      w?.resolve({ complete: m.complete, result: m.result });
      this.dispatch();
    });
    worker.on('error', (e) => {
      onFail(e);
      this.fail(slot, e);
    });
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(slot, new Error(`worker exited with code ${code}`));
    });
    return slot;
  }

  /** A dead worker: its job and, if no worker is left, every queued job fail (the caller decodes them itself). */
  private fail(slot: Slot, e: Error): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    if (slot.busy) {
      const w = this.waiting.get(slot.busy.id);
      this.waiting.delete(slot.busy.id);
      w?.reject(e);
    }
    if (this.slots.length === 0) {
      for (const job of this.queue.splice(0)) {
        const w = this.waiting.get(job.id);
        this.waiting.delete(job.id);
        w?.reject(e);
      }
    } else {
      this.dispatch();
    }
  }

  /** Rejects when the workers cannot run the job (none started, or one died on it). */
  run(path: string, first: number, end: number): Promise<RangeResult> {
    if (this.slots.length === 0) return Promise.reject(new Error('no worker thread is running'));
    const job: WorkerJob = { id: this.nextId++, path, first, end };
    const p = new Promise<RangeResult>((resolve, reject) => this.waiting.set(job.id, { resolve, reject }));
    this.queue.push(job);
    this.dispatch();
    return p;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      // Jobs wait in the queue until this worker has loaded its rules.
      void slot.ready.then(() => {
        if (slot.busy || this.queue.length === 0 || this.closed) return;
        const job = this.queue.shift()!;
        slot.busy = job;
        slot.worker.postMessage(job);
      }, () => undefined);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
