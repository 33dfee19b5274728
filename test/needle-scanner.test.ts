/**
 * NeedleScanner.scan walks long texts as four interleaved chains
 * (prefilter.ts). Every needle occurrence must be reported exactly once,
 * wherever it sits relative to the cut points: compared with a naive search
 * on random texts of every length around the cuts, with long and short
 * needles, case folded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NeedleScanner } from '../src/detect/prefilter.js';
import { seededRandom } from './corpus.js';

function naiveCounts(text: string, needles: string[]): number[] {
  const t = text.toLowerCase();
  return needles.map((n) => {
    const l = n.toLowerCase();
    let c = 0;
    for (let i = t.indexOf(l); i >= 0; i = t.indexOf(l, i + 1)) c++;
    return c;
  });
}

function scanCounts(scanner: NeedleScanner, text: string, n: number, pad: number): number[] {
  // The text sits inside a larger buffer: the scan must keep to [start, end).
  const buf = Buffer.from('x'.repeat(pad) + text + 'abab'.repeat(pad), 'latin1');
  const counts = new Array<number>(n).fill(0);
  const hit = scanner.scan(buf, pad, pad + text.length, (id) => counts[id]++);
  assert.equal(hit, counts.some((c) => c > 0));
  return counts;
}

test('scan reports each needle occurrence once, across the cuts between its chains', () => {
  const rand = seededRandom(7);
  const alphabet = 'abAB\\"c:';
  const word = (len: number): string => Array.from({ length: len }, () => alphabet[rand(alphabet.length)]).join('');
  const sets = [
    ['ab', 'ba', 'aab', 'abab', 'b\\"', 'c:\\\\', 'ABBA'],
    // one long needle: the chains must start that far before their cuts
    ['ab', word(40), 'bbaa' + word(20), 'c:'],
    ['a'],
  ];
  let compared = 0;
  for (const needles of sets) {
    const scanner = new NeedleScanner(needles);
    for (const len of [0, 1, 3, 255, 256, 257, 263, 400, 1023, 1024, 1031, 2500, 4099]) {
      for (let k = 0; k < 6; k++) {
        let text = word(len);
        // Plant needles on and around the quarter cuts.
        const q = len >> 2;
        for (const at of [q - 1, q, 2 * q - 3, 2 * q, 3 * q - 1, 3 * q + 1, len - 2]) {
          const n = needles[rand(needles.length)];
          if (at >= 0 && at + n.length <= len) text = text.slice(0, at) + n + text.slice(at + n.length);
        }
        assert.deepEqual(scanCounts(scanner, text, needles.length, rand(9)), naiveCounts(text, needles), `len ${len}: ${JSON.stringify(text.slice(0, 80))}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 200);
});
