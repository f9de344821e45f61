// The benchmark's regression check: compares fresh figures (bench/measure.mjs output)
// with the committed bench/results.json and fails when a contract's optimized .wasm size
// or a message's ref_time ratio to the PSP22 transfer grew by more than 10 %. Ratios, not
// absolute ref_time, so a faster or slower machine (or node build) cannot flip the result.
// Prints every compared figure, regressions first.
//
//   node bench/check.mjs bench/results.json <fresh results.json>
//
// Exit code 1 on a regression, or when the fresh run lacks a committed figure.

import { readFileSync } from 'node:fs';

/** Growth above which a figure counts as regressed. */
const TOLERANCE = 0.1;

const [committedPath, freshPath] = process.argv.slice(2);
if (!committedPath || !freshPath) throw new Error('usage: node bench/check.mjs <committed.json> <fresh.json>');
const committed = JSON.parse(readFileSync(committedPath, 'utf8'));
const fresh = JSON.parse(readFileSync(freshPath, 'utf8'));

const rows = [];
const compare = (what, before, after, digits) => {
  if (after === undefined) {
    rows.push({ what, before: before.toFixed(digits), after: 'missing', change: '', status: 'MISSING' });
    return;
  }
  const change = after / before - 1;
  const status = change > TOLERANCE ? 'REGRESSED' : 'ok';
  rows.push({ what, before: before.toFixed(digits), after: after.toFixed(digits), change: `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`, status });
};

for (const [name, size] of Object.entries(committed.sizes)) {
  compare(`size ${name} (bytes)`, size.bytes, fresh.sizes[name]?.bytes, 0);
}
for (const [key, entry] of Object.entries(committed.messages)) {
  if (key === committed.unit.key) continue;
  compare(`${key} (ref_time ÷ transfer)`, entry.ratio_ref_time, fresh.messages[key]?.ratio_ref_time, 3);
}

const rank = { MISSING: 0, REGRESSED: 1, ok: 2 };
rows.sort((a, b) => rank[a.status] - rank[b.status]);
const header = { what: 'figure', before: 'committed', after: 'now', change: 'change', status: 'status' };
const width = (k) => Math.max(...[header, ...rows].map((r) => r[k].length));
const widths = Object.fromEntries(Object.keys(header).map((k) => [k, width(k)]));
const line = (r) => `    ${r.what.padEnd(widths.what)}  ${r.before.padStart(widths.before)}  ${r.after.padStart(widths.after)}  ${r.change.padStart(widths.change)}  ${r.status}`;
console.log(line(header));
for (const r of rows) console.log(line(r));

const bad = rows.filter((r) => r.status !== 'ok');
const newKeys = Object.keys(fresh.messages).filter((k) => !(k in committed.messages));
if (newKeys.length > 0) {
  console.log(`\n    not in the committed results (run scripts/bench.sh to record them): ${newKeys.join(', ')}`);
}
if (bad.length > 0) {
  console.error(`\n${bad.length} figure(s) regressed by more than ${TOLERANCE * 100} % or are missing (see above).`);
  console.error('Find the cause, or, if the cost is intended, run scripts/bench.sh and commit bench/results.json and bench/RESULTS.md.');
  process.exit(1);
}
console.log(`\n    no regression above ${TOLERANCE * 100} % (${rows.length} figures compared)`);
