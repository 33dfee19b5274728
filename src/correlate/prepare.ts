/**
 * Rule-set preparation before compilation: legacy Security field names are
 * mapped, and legacy `timeframe` rules that describe event sequences become
 * temporal correlations. Each change is reported as a note naming the rule.
 */
import { mapLegacySecurityFields } from '../sigma/legacy-fields.js';
import type { SigmaDocument } from '../sigma/model.js';
import { convertLegacyTimeframe } from './legacy-timeframe.js';

export interface PreparedRuleSet {
  documents: SigmaDocument[];
  notes: { file?: string; rule: string; message: string }[];
}

export function prepareRuleSet(input: readonly SigmaDocument[]): PreparedRuleSet {
  const documents: SigmaDocument[] = [];
  const notes: PreparedRuleSet['notes'] = [];
  let legacy = 0;
  for (const doc of input) {
    if (doc.type === 'correlation') {
      documents.push(doc);
      continue;
    }
    for (const message of mapLegacySecurityFields(doc)) notes.push({ file: doc.file, rule: doc.meta.title, message });
    if (doc.type === 'rule') {
      // Without an id, a running number keeps the generated rule names apart.
      const conv = convertLegacyTimeframe(doc, doc.meta.id ?? `${doc.meta.title}#${++legacy}`);
      if (conv) {
        documents.push(...conv.rules, conv.correlation);
        notes.push({ file: doc.file, rule: doc.meta.title, message: conv.note });
        continue;
      }
    }
    documents.push(doc);
  }
  return { documents, notes };
}
