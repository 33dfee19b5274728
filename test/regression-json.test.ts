/**
 * SigmaHQ regression data: for every test in an info.yml under regression_data/,
 * the named rule matches the evtx_dump JSON rendering of its sample exactly
 * match_count times (absent = 1). Runs the real hunt pipeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { Detector } from '../src/detect/engine.js';
import { derivedPolicyFor, impliedTexts } from '../src/normalize/index.js';
import { Hunt } from '../src/pipeline/hunt.js';
import { findRuleFiles, loadSigmaFile } from '../src/sigma/load.js';
import type { SigmaRule } from '../src/sigma/model.js';
import { corpus } from './corpus.js';

const SIGMA = corpus('sigma-rules');
const RULE_DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-dfir', 'deprecated', 'unsupported'];

/**
 * Tests where the reference count is lower than what the sample holds. Each
 * entry names the events (by EventRecordID, read from the .json) that satisfy
 * the rule as written; Vigil must find exactly those.
 */
const REFERENCE_UNDERCOUNTS: Record<string, { count: number; evidence: string }> = {
  'file_event_win_anydesk_artefact': {
    count: 3,
    evidence: 'records 14985, 14988, 14990 all have TargetFilename containing \\AppData\\Roaming\\AnyDesk\\user.conf (rule: TargetFilename|contains)',
  },
  'file_event_win_cred_dump_tools_dropped_files': {
    count: 3,
    evidence: 'records 26359, 26366, 26373 end in \\procdump64.exe, \\procdump64a.exe, \\procdump.exe, each listed under TargetFilename|endswith',
  },
  'proc_creation_win_dtrace_kernel_dump': {
    count: 2,
    evidence: "records 33630917 and 33630948 both run dtrace.exe with 'lkd(0)' in CommandLine (selection_plain)",
  },
  'proc_creation_win_github_self_hosted_runner': {
    count: 2,
    evidence: "record 129581 is Runner.Listener.exe 'configure' (listener selections) and 129609 is Runner.Worker.exe 'spawnclient' (worker selections)",
  },
  'registry_set_change_security_zones': {
    count: 3,
    evidence: 'records 28344631-28344633 each set a ZoneMap\\Domains key to DWORD (0x00000002), which the filter does not exclude',
  },
  'registry_set_disable_administrative_share': {
    count: 2,
    evidence: 'record 28656599 sets AutoShareServer and 28656618 sets AutoShareWks, both to DWORD (0x00000000)',
  },
};

interface Case {
  info: string;
  ruleId: string;
  json: string;
  expected: number;
}

function collectCases(): Case[] {
  const infos = findRuleFiles([join(SIGMA, 'regression_data')]).filter((f) => f.endsWith('info.yml'));
  const cases: Case[] = [];
  for (const info of infos) {
    const doc = parse(readFileSync(info, 'utf8')) as {
      rule_metadata: { id: string }[];
      regression_tests_info?: { type: string; path: string; match_count?: number }[];
    };
    for (const t of doc.regression_tests_info ?? []) {
      if (t.type !== 'evtx') continue;
      cases.push({
        info: relative(SIGMA, info),
        ruleId: doc.rule_metadata[0].id,
        json: join(SIGMA, t.path.replace(/\.evtx$/, '.json')),
        expected: t.match_count ?? 1,
      });
    }
  }
  return cases;
}

function rulesById(): Map<string, SigmaRule> {
  const map = new Map<string, SigmaRule>();
  for (const f of findRuleFiles(RULE_DIRS.map((d) => join(SIGMA, d)))) {
    for (const d of loadSigmaFile(f).documents) if (d.type === 'rule' && d.meta.id) map.set(d.meta.id, d);
  }
  return map;
}

/** Runs each case's rule over its sample (`pick` chooses the .json or the .evtx) and lists the mismatches. */
async function regressionFailures(pick: (c: Case) => string): Promise<{ cases: number; failures: string[] }> {
  const cases = collectCases();
  assert.ok(cases.length >= 200, `expected the corpus's ~202 regression tests, found ${cases.length}`);
  const rules = rulesById();
  const failures: string[] = [];
  for (const c of cases) {
    const rule = rules.get(c.ruleId);
    if (!rule) {
      failures.push(`${c.info}: rule ${c.ruleId} not found`);
      continue;
    }
    const detector = new Detector([rule], { derived: derivedPolicyFor, implied: impliedTexts });
    if (detector.errors.length) {
      failures.push(`${c.info}: rule does not compile: ${detector.errors[0].describe()}`);
      continue;
    }
    let alerts = 0;
    const errors: string[] = [];
    const hunt = new Hunt(detector, { onAlert: () => alerts++, onError: (_f, m) => errors.push(m) });
    await hunt.runFile(pick(c), 0);
    if (errors.length) failures.push(`${c.info}: read errors: ${errors.join('; ')}`);
    const override = REFERENCE_UNDERCOUNTS[c.info.split('/').slice(-2)[0]];
    if (override) {
      if (alerts !== override.count) failures.push(`${c.info}: matched ${alerts}, the sample holds ${override.count} (${override.evidence})`);
      continue;
    }
    if (alerts !== c.expected) failures.push(`${c.info}: rule ${rule.meta.title} matched ${alerts}, expected ${c.expected}`);
  }
  return { cases: cases.length, failures };
}

test('SigmaHQ regression data (evtx_dump JSON): each rule matches exactly match_count times', async (t) => {
  const { cases, failures } = await regressionFailures((c) => c.json);
  t.diagnostic(`${cases} regression tests, ${failures.length} failures`);
  assert.deepEqual(failures, []);
});

test('SigmaHQ regression data (the .evtx itself, native reader): each rule matches exactly match_count times', async (t) => {
  const { cases, failures } = await regressionFailures((c) => c.json.replace(/\.json$/, '.evtx'));
  t.diagnostic(`${cases} regression tests on .evtx, ${failures.length} failures`);
  assert.deepEqual(failures, []);
});
