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
}

export const DERIVED_FIELDS: readonly DerivedField[] = [
  { field: 'User', policy: 'split', from: 'Security 4688 Subject/Target DomainName\\UserName; ECS user.domain\\user.name' },
  { field: 'IntegrityLevel', policy: 'none', from: 'Security 4688 MandatoryLabel SID → label' },
  { field: 'ParentProcessId', policy: 'none', from: 'Security 4688 ProcessId hex → decimal' },
  // Every backslash-separated piece is raw except the renamed hive (HKLM, HKU),
  // which the prefilter never uses as a needle.
  { field: 'TargetObject', policy: 'split', from: 'Security 4657 ObjectName with \\REGISTRY\\MACHINE → HKLM, + ObjectValueName' },
];

export const DERIVED_FIELD_POLICY: ReadonlyMap<string, NeedlePolicy> = new Map(
  DERIVED_FIELDS.map((d) => [d.field.toLowerCase(), d.policy]),
);
