/**
 * The audit rules Vigil's Linux pack needs (rules/auditd/vigil-t1049.rules,
 * auditctl -R syntax), added one by one and removed exactly:
 *
 *   added        auditctl accepted it: ours, deleted on exit (-a → -d, -w → -W)
 *   preexisting  the kernel already had this very rule ("Rule exists"): it
 *                belongs to whoever loaded it and stays when we leave
 *   refused      the kernel said no (e.g. no 32-bit ABI): reported, skipped
 *
 * Deleting by the same words that added a rule removes that rule only; a
 * rule someone else loaded with other fields or another key is untouched.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { auditctl, auditStatus, AuditUnavailableError } from './auditctl.js';

/** rules/auditd/vigil-t1049.rules at the package root (dist/src/sensor → ../../../rules). */
export const VIGIL_AUDIT_RULES = fileURLToPath(new URL('../../../rules/auditd/vigil-t1049.rules', import.meta.url));

export interface AuditRuleLine {
  /** The line as written. */
  readonly text: string;
  /** auditctl's arguments (rule files use no quoting: words split on blanks). */
  readonly args: readonly string[];
  /** 1-based line number in its file. */
  readonly line: number;
}

export function readAuditRuleFile(path: string): AuditRuleLine[] {
  const out: AuditRuleLine[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((raw, i) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const args = text.split(/\s+/);
    if (args[0] !== '-a' && args[0] !== '-A' && args[0] !== '-w') {
      throw new Error(`${path}:${i + 1}: only -a, -A and -w rules are supported here, not '${args[0]}' (control options belong to the system's audit.rules)`);
    }
    out.push({ text, args, line: i + 1 });
  });
  return out;
}

/** The auditctl words that delete the rule `args` added. */
export function deletionArgs(args: readonly string[]): string[] {
  const [first, ...rest] = args;
  return [first === '-w' ? '-W' : '-d', ...rest];
}

export interface RuleInstall {
  added: AuditRuleLine[];
  preexisting: AuditRuleLine[];
  refused: { rule: AuditRuleLine; message: string }[];
}

/** Adds the rules; throws when audit is locked (enabled 2) or not one rule could be added or found. */
export function installAuditRules(rules: readonly AuditRuleLine[]): RuleInstall {
  if (auditStatus().get('enabled') === '2') {
    throw new AuditUnavailableError('the audit configuration is locked (enabled 2, set by auditctl -e 2): rules can only change after a reboot');
  }
  const result: RuleInstall = { added: [], preexisting: [], refused: [] };
  for (const rule of rules) {
    const r = auditctl(rule.args);
    const message = (r.stderr || r.stdout).trim();
    if (r.ok) result.added.push(rule);
    else if (/rule exists/i.test(message)) result.preexisting.push(rule);
    else result.refused.push({ rule, message: message || `auditctl exited ${r.status}` });
  }
  if (result.added.length + result.preexisting.length === 0) {
    const why = result.refused.map((x) => `${x.rule.text}: ${x.message}`).join('; ');
    throw new AuditUnavailableError(`no audit rule could be loaded (${why})`);
  }
  return result;
}

/** Deletes the given rules (the ones we added); returns those that could not be deleted, with why. */
export function removeAuditRules(rules: readonly AuditRuleLine[]): { rule: AuditRuleLine; message: string }[] {
  const failed: { rule: AuditRuleLine; message: string }[] = [];
  for (const rule of rules) {
    const r = auditctl(deletionArgs(rule.args));
    if (!r.ok) failed.push({ rule, message: (r.stderr || r.stdout).trim() || `auditctl exited ${r.status}` });
  }
  return failed;
}
