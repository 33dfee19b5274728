/** Every value modifier of Sigma spec v2.1 (plus the regex flag aliases pySigma accepts). */
export const KNOWN_MODIFIERS: ReadonlySet<string> = new Set([
  'contains', 'startswith', 'endswith', 'all', 'exists', 'cased', 'neq', 'windash',
  're', 'i', 'ignorecase', 'm', 'multiline', 's', 'dotall',
  'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide',
  'lt', 'lte', 'gt', 'gte',
  'minute', 'hour', 'day', 'week', 'month', 'year',
  'cidr', 'expand', 'fieldref',
]);
