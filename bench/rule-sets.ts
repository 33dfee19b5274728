/** The SigmaHQ rule sets the benchmarks run (bench/run.ts, bench/evtx.ts). */
import { join } from 'node:path';
import { findRuleFiles, loadSigmaFile } from '../src/sigma/load.js';
import { CORPUS } from './dataset.js';

const SIGMA = join(CORPUS, 'sigma-rules');
const DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'];

/** Every SigmaHQ Windows rule file (rules, emerging threats, threat hunting). */
export function windowsRuleFiles(): string[] {
  return DIRS.flatMap((d) => findRuleFiles([join(SIGMA, d)]).filter((f) => f.includes('/windows/')));
}

/** The SigmaHQ rule files with a document tagged attack.t1049. */
export function t1049RuleFiles(): string[] {
  return DIRS.flatMap((d) => findRuleFiles([join(SIGMA, d)]))
    .filter((f) => loadSigmaFile(f).documents.some((doc) => doc.meta.tags.some((t) => t.toLowerCase() === 'attack.t1049')));
}
