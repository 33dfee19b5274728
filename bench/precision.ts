/**
 * `npm run precision`: the built-in T1049 pack over every platform's ground-truth
 * inputs (bench/ground-truth.ts), printed as the Markdown tables of
 * docs/PRECISION.md: per platform (real and constructed data apart), per rule
 * TP / FP / FN / precision / recall, per behaviour recall.
 * `--platform linux` limits the run to one platform.
 */
import { evaluate, huntT1049, INPUTS, loadGroundTruth, markdown } from './ground-truth.js';

const argv = process.argv.slice(2);
const at = argv.indexOf('--platform');
const platforms = at >= 0 ? [argv[at + 1]] : Object.keys(INPUTS);

const rows = loadGroundTruth().filter((r) => platforms.includes(r.platform));
const result = await huntT1049(platforms);
const e = evaluate(rows, result.alerts, result.titles);
process.stdout.write(`Platforms: ${platforms.join(', ')}. ${result.files} files, ${result.events.toLocaleString('en-US')} events, ` +
  `${result.alerts.length} alerts tagged attack.t1049, ${rows.length} ground-truth rows, ${result.seconds.toFixed(1)} s.\n\n`);
process.stdout.write(markdown(e, result.volumes));
if (e.missing.length) {
  process.stdout.write('\nRows whose rule did not alert:\n\n');
  for (const r of e.missing) process.stdout.write(`- line ${r.line}: ${r.file} record ${r.record} (${r.behaviour})\n`);
}
if (e.negativesHit.length) {
  process.stdout.write('\nHard negatives that raised an alert:\n\n');
  for (const h of e.negativesHit) process.stdout.write(`- line ${h.row.line}: ${h.row.file} record ${h.row.record}: ${h.alert.title}\n`);
}
