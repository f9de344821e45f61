// The benchmark's regression check: compares fresh figures (bench/measure.mjs output)
// with the committed bench/results.json and fails when
//   - a contract's optimized .wasm size grew by more than 10 %;
//   - a message's consumed ref_time, as a ratio to the PSP22 transfer's, grew by more than
//     10 % (ratios, not absolute ref_time, so a faster or slower machine or node build
//     cannot flip the result; ref_time also moves a little with the values the math
//     handles);
//   - a message's consumed proof_size grew by more than PROOF_SLACK_BYTES: it is the
//     pallet's worst-case proof accounting (code bytes, storage cells, event topics),
//     which depends on no clock or machine, so the same .wasm gives the same figure to
//     the byte. The .wasm itself is not quite the same in every checkout, though: rustc's
//     symbol hashes include the path of the workspace's crates, and the optimized
//     contract's data is laid out by them (the token built from /work/main and from
//     another worktree at the same commit: 18,804 and 18,805 bytes), and CI builds in a
//     folder of its own. So a few bytes are allowed; anything structural is far larger
//     (an event topic 2,475 bytes, a cross-contract call 4,085, a storage access ≈ 10 KB),
//     and so is any real growth of the code. Growth, not any change: a smaller figure
//     passes (and is listed as such);
//   - a message's storage deposit changed at all, either way: it is what users pay or get
//     back for storage, exactly determined by the bytes stored;
//   - the packed block's supplies per transfer (bench/pack.mjs) fell by more than 10 %,
//     when the fresh run packed blocks (scripts/bench.sh --check --pack);
//   - the accrual gap of a pool message differs (its cost depends on it), or a committed
//     figure is missing.
// Prints every compared figure, failures first.
//
//   node bench/check.mjs bench/results.json <fresh results.json>
//
// Exit code 1 on a regression, or when the fresh run lacks a committed figure.

import { readFileSync } from 'node:fs';

/** Growth above which a size or ref_time ratio counts as regressed. */
const TOLERANCE = 0.1;
/** proof_size growth (bytes) that is not a regression: checkout-path noise in the .wasm. */
const PROOF_SLACK_BYTES = 512;
/** bench/measure.mjs's format this check reads. */
const FORMAT = 2;

const [committedPath, freshPath] = process.argv.slice(2);
if (!committedPath || !freshPath) throw new Error('usage: node bench/check.mjs <committed.json> <fresh.json>');
const committed = JSON.parse(readFileSync(committedPath, 'utf8'));
const fresh = JSON.parse(readFileSync(freshPath, 'utf8'));
for (const [what, results] of [[committedPath, committed], [freshPath, fresh]]) {
  if (results.format !== FORMAT) {
    console.error(`${what} is in format ${results.format}, this check reads format ${FORMAT}: run scripts/bench.sh to regenerate bench/results.json.`);
    process.exit(1);
  }
}

const rows = [];
const formatNumber = (n, digits) => (digits === 0 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits));

/**
 * One compared figure. `rule` is how `after` may differ from `before`:
 *   'ratio'  regressed when it grew by more than TOLERANCE;
 *   'drop'   regressed when it fell by more than TOLERANCE (a throughput);
 *   'grow'   regressed when it grew by more than `slack`, improved when it shrank;
 *   'exact'  changed when different at all.
 */
function compare(what, before, after, digits, rule, slack = 0) {
  const row = { what, before: formatNumber(before, digits), after: '', change: '', status: 'ok' };
  rows.push(row);
  if (after === undefined || after === null) {
    row.after = 'missing';
    row.status = 'MISSING';
    return;
  }
  row.after = formatNumber(after, digits);
  const delta = after - before;
  if (rule === 'ratio' || rule === 'drop') {
    const change = before === 0 ? (after === 0 ? 0 : Infinity) : after / before - 1;
    row.change = `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`;
    if (rule === 'ratio' ? change > TOLERANCE : change < -TOLERANCE) row.status = 'REGRESSED';
    return;
  }
  row.change = delta === 0 ? '=' : `${delta > 0 ? '+' : '−'}${formatNumber(Math.abs(delta), digits)}`;
  if (rule === 'grow') {
    if (delta > slack) row.status = 'REGRESSED';
    else if (delta < -slack) row.status = 'improved';
  } else if (delta !== 0) {
    row.status = 'CHANGED';
  }
}

for (const [name, size] of Object.entries(committed.sizes)) {
  compare(`size ${name} (bytes)`, size.bytes, fresh.sizes[name]?.bytes, 0, 'ratio');
}
for (const [key, entry] of Object.entries(committed.messages)) {
  const now = fresh.messages[key];
  if (key !== committed.unit.key) {
    compare(`${key} ref_time ÷ transfer`, entry.ratio.ref_time, now?.ratio?.ref_time, 3, 'ratio');
  }
  compare(`${key} proof_size (bytes)`, entry.consumed.proof_size, now?.consumed?.proof_size, 0, 'grow', PROOF_SLACK_BYTES);
  compare(`${key} storage deposit`, entry.storage_deposit, now?.storage_deposit, 0, 'exact');
  if (entry.accrual_gap_secs !== undefined && now && now.accrual_gap_secs !== entry.accrual_gap_secs) {
    rows.push({
      what: `${key} accrual gap (s)`,
      before: String(entry.accrual_gap_secs),
      after: String(now.accrual_gap_secs ?? 'none'),
      change: '',
      status: 'CHANGED',
    });
  }
}

// A check run packs no blocks unless asked to (scripts/bench.sh --check --pack).
if (committed.pack && fresh.pack) {
  compare('pack: supplies per transfer in one block', committed.pack.supplies_per_transfer, fresh.pack.supplies_per_transfer, 3, 'drop');
} else if (committed.pack) {
  console.log('    packed blocks not measured in this run (scripts/bench.sh --check --pack measures them)');
}

const rank = { MISSING: 0, REGRESSED: 1, CHANGED: 2, improved: 3, ok: 4 };
rows.sort((a, b) => rank[a.status] - rank[b.status]);
const header = { what: 'figure', before: 'committed', after: 'now', change: 'change', status: 'status' };
const width = (k) => Math.max(...[header, ...rows].map((r) => r[k].length));
const widths = Object.fromEntries(Object.keys(header).map((k) => [k, width(k)]));
const line = (r) => `    ${r.what.padEnd(widths.what)}  ${r.before.padStart(widths.before)}  ${r.after.padStart(widths.after)}  ${r.change.padStart(widths.change)}  ${r.status}`;
console.log(line(header));
for (const r of rows) console.log(line(r));

const bad = rows.filter((r) => ['MISSING', 'REGRESSED', 'CHANGED'].includes(r.status));
const improved = rows.filter((r) => r.status === 'improved');
const newKeys = Object.keys(fresh.messages).filter((k) => !(k in committed.messages));
if (newKeys.length > 0) {
  console.log(`\n    not in the committed results (run scripts/bench.sh to record them): ${newKeys.join(', ')}`);
}
if (improved.length > 0) {
  console.log(`\n    ${improved.length} proof_size figure(s) went down by more than ${PROOF_SLACK_BYTES} bytes: run scripts/bench.sh and commit the results to lock the gain in.`);
}
if (bad.length > 0) {
  console.error(`\n${bad.length} figure(s) regressed, changed or are missing (see above): sizes and ref_time ratios may grow by ${TOLERANCE * 100} %, proof_size by ${PROOF_SLACK_BYTES} bytes, storage deposits and accrual gaps may not change.`);
  console.error('Find the cause, or, if the cost is intended, run scripts/bench.sh and commit bench/results.json and bench/RESULTS.md.');
  process.exit(1);
}
console.log(`\n    no regression (${rows.length} figures compared: sizes and ref_time ratios within ${TOLERANCE * 100} %, proof_size within ${PROOF_SLACK_BYTES} bytes, storage deposits unchanged)`);
