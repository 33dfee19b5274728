/** In-process hunts for the macOS and FreeBSD tests: the pipeline `vigil hunt` runs, minus the CLI. */
import { statSync } from 'node:fs';
import type { Alert } from '../src/core/alert.js';
import { loadRules } from '../src/cli/rule-loading.js';
import type { Detector } from '../src/detect/engine.js';
import { createHunt } from '../src/pipeline/create-hunt.js';

export interface HuntResult {
  /** Alerts on single events. */
  alerts: Alert[];
  /** Correlation alerts (the excessive-enumeration bursts), kept apart so per-command checks stay per command. */
  correlations: Alert[];
  errors: { file: string; message: string; record?: number }[];
  events: number;
}

/** The built-in pack (`builtin`) and/or rule paths, loaded as the CLI loads them. */
export function detectorFor(paths: string[], builtin: boolean): Detector {
  const load = loadRules(paths, builtin, new Map());
  // SigmaHQ holds rules Vigil rejects on purpose (placeholders…); the built-in pack must load whole.
  if (builtin && load.errors.length) throw new Error(`rules rejected: ${load.errors.map((e) => e.message).join('; ')}`);
  return load.detector;
}

export async function hunt(detector: Detector, files: string[], prefilter = true): Promise<HuntResult> {
  const out: HuntResult = { alerts: [], correlations: [], errors: [], events: 0 };
  const { hunt: h } = createHunt(detector, {
    onAlert: (a) => (a.correlation ? out.correlations : out.alerts).push(a),
    onError: (file, message, record) => out.errors.push({ file, message, record }),
  }, prefilter);
  for (const f of files) await h.runFile(f, statSync(f).size);
  h.finish();
  out.events = h.stats.events;
  return out;
}

/** `rule-id file-basename:record` for each alert, sorted: what a soundness check compares. */
export function alertKeys(r: HuntResult): string[] {
  return r.alerts.map((a) => `${a.rule.id} ${a.source.file.split('/').pop()}:${a.source.record}`).sort();
}
