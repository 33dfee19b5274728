/**
 * Fields whose value normalization composes instead of copying, so the raw
 * line need not contain the value a rule compares with. A prefilter that
 * skips lines lacking a rule's needle must know this:
 *  - 'split': built by joining raw pieces with a backslash (DOMAIN\user);
 *    each backslash-separated piece appears verbatim in the raw text.
 *  - 'none': the value does not appear in the raw text at all (translated
 *    SID, hex turned decimal, renamed registry hive).
 * Copied aliases (Image ← NewProcessName, …) are not listed: the value is
 * in the raw text, only under another name.
 */
export type NeedlePolicy = 'split' | 'none';

export interface DerivedField {
  /** Sigma field name as rules spell it. */
  readonly field: string;
  readonly policy: NeedlePolicy;
  /** Where the value is composed, for whoever has to reason about it. */
  readonly from: string;
  /**
   * Products whose normalizer composes it; absent = every product. A rule for
   * another product never sees such an event, so its needles stay usable.
   */
  readonly products?: readonly string[];
}

export const DERIVED_FIELDS: readonly DerivedField[] = [
  { field: 'User', policy: 'split', from: 'Security 4688 Subject/Target DomainName\\UserName; ECS user.domain\\user.name' },
  { field: 'IntegrityLevel', policy: 'none', from: 'Security 4688 MandatoryLabel SID → label' },
  { field: 'ParentProcessId', policy: 'none', from: 'Security 4688 ProcessId hex → decimal' },
  // Every backslash-separated piece is raw except the renamed hive (HKLM, HKU),
  // which the prefilter never uses as a needle.
  { field: 'TargetObject', policy: 'split', from: 'Security 4657 ObjectName with \\REGISTRY\\MACHINE → HKLM, + ObjectValueName' },
  // Arguments joined with spaces: a value spanning two arguments is in no raw string.
  { field: 'CommandLine', policy: 'none', from: 'eslogger event.exec.args, praudit exec_args, ECS process.args (no process.command_line): argv joined with spaces', products: ['macos', 'freebsd'] },
  { field: 'ParentCommandLine', policy: 'none', from: 'ECS process.parent.args joined with spaces (no process.parent.command_line)', products: ['macos'] },
  // auditd (raw assembly and LAUREL JSON lines): joined argv, joined proctitle words, time from the event ID.
  { field: 'CommandLine', policy: 'none', from: 'auditd EXECVE.ARGV (or PROCTITLE.ARGV) joined by spaces', products: ['linux'] },
  { field: 'proctitle', policy: 'none', from: 'auditd PROCTITLE.ARGV joined by spaces', products: ['linux'] },
  { field: '@timestamp', policy: 'none', from: 'auditd ID "<epoch>.<ms>:<serial>" → ISO time', products: ['linux'] },
  // Cut out of a longer raw string (no backslash in them): each is verbatim in the raw text, not between quotes.
  { field: 'ResourceProviderValue', policy: 'split', from: 'Azure resource-log operationName before its first "/", or resourceId after /providers/', products: ['azure'] },
  { field: 'ResourceGroup', policy: 'split', from: 'Azure resourceId after /resourceGroups/', products: ['azure'] },
  { field: 'SubscriptionId', policy: 'split', from: 'Azure resourceId after /subscriptions/', products: ['azure'] },
  { field: 'data.protoPayload.logName', policy: 'none', from: 'GCP LogEntry logName after /logs/, URL-decoded (%2F → /)', products: ['gcp'] },
];

const policyCache = new Map<string, ReadonlyMap<string, NeedlePolicy>>();

/**
 * The derived fields a rule for `product` must not take needles from. A rule
 * without a product can see every product's events, so it gets them all;
 * where two entries name one field, 'none' (no needle at all) wins.
 */
export function derivedPolicyFor(product: string | undefined): ReadonlyMap<string, NeedlePolicy> {
  const key = product?.toLowerCase() ?? '';
  let m = policyCache.get(key);
  if (m === undefined) {
    const built = new Map<string, NeedlePolicy>();
    for (const d of DERIVED_FIELDS) {
      if (key && d.products && !d.products.includes(key)) continue;
      const f = d.field.toLowerCase();
      if (built.get(f) !== 'none') built.set(f, d.policy);
    }
    m = built;
    policyCache.set(key, m);
  }
  return m;
}

/** Every derived field of every product: the policy for rules without a product. */
export const DERIVED_FIELD_POLICY: ReadonlyMap<string, NeedlePolicy> = derivedPolicyFor(undefined);
