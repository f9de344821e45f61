// Measures what Carrack's messages cost on a chain deployed by carrack-deploy from
// bench/bench.toml, and writes the figures as JSON (bench/results.json's format; see
// bench/report.mjs for the Markdown and bench/check.mjs for the regression check).
//
// Every figure comes from a dry run (`ContractsApi_call`, as Polkadot.js Apps and
// cargo-contract size a transaction), in two weights:
//   - `required` (gas_required): the gas limit the call needs; it includes transient peaks
//     that are never charged (every storage access is first charged for a 16 KiB value and
//     adjusted after, and the lowest gas left is kept: ≈ +16 KB proof_size per call);
//   - `consumed` (gas_consumed): what the call is charged, what the block accounts after
//     dispatch, and so what block capacity uses;
// plus the storage deposit charged (negative: refunded). The scenario behind each dry run
// is real: the accounts, positions, prices and proposals it needs are set up by
// transactions first.
//
// Interest accrual: only BT1 carries debt in the benchmark, so only BT1 accrues (a market
// without debt skips it), and its cost depends on the seconds since BT1's last update
// (`ray_pow` multiplies log2(gap) + popcount(gap) times). Every pool dry run is therefore
// made exactly ACCRUAL_GAP_SECS after BT1's last stored update (see pinAccrualGap), plus
// one row one day after it. The node's clock is moved for this (bench/clock.mjs).
//
//   node bench/measure.mjs --url ws://127.0.0.1:PORT --manifest M.json --bundles DIR \
//     --clock CLOCK_FILE --size-targets carrack_pool=65536,carrack_oracle=24576,.. --out R.json
//
// Run by scripts/bench.sh, which starts the node (with its clock) and deploys first.

import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, instantiate, loadAbi, loadAddresses, Contract, devKeys, submit } from '../e2e/js/carrack.mjs';
import { NodeClock, pinGap, SEAL_AT_MS_INTO_SECOND, timestampMs } from './clock.mjs';
import { blockLimits, capacityOf, extrinsicWeights, PARACHAIN_POV_BYTES, weightOf } from './capacity.mjs';

/** Market counts of the scaling runs (the pool allows 8 positions per account). */
const SCALING = [1, 2, 4, 8];
/** Markets entered by the two liquidation borrowers: 1 collateral + the debt, 7 + the debt. */
const LIQUIDATION_SCALING = [2, 8];
/** The bench markets' tokens, BT1 .. BT8 (bench/bench.toml); BT1 is the borrowed asset. */
const SYMBOLS = Array.from({ length: 8 }, (_, i) => `BT${i + 1}`);
/** Token decimals in bench/bench.toml. */
const DECIMALS = 12n;
/** Price decimals in bench/bench.toml. */
const PRICE_DECIMALS = 8n;
/** The price BT1 rises to (from $1) to make the liquidation borrowers liquidatable. */
const RAISED_BT1_PRICE = 12n * 10n ** (PRICE_DECIMALS - 1n); // $1.20
/** Native balance each benchmark account receives from //Alice, in plancks. */
const NATIVE_FUNDING = 10n ** 16n;
const U128_MAX = 2n ** 128n - 1n;
/**
 * Seconds from BT1's last stored update to every pool dry run. Six seconds is one block of
 * a Polkadot parachain (async backing) or of a typical Substrate chain: the gap a user of
 * an active market sees when the previous action on it was in the block before. Its
 * accrual multiplies 4 times in `ray_pow` (6 = 0b110: 2 squarings, 2 products); 1 s would
 * take 1, one day 21 (the idle row below shows how far that goes). The gap costs no bench
 * time: the node's clock is moved forward, not waited for.
 */
const ACCRUAL_GAP_SECS = 6;
/** The idle row's gap: a market nobody touched for one day. */
const IDLE_GAP_SECS = 86_400;

const units = (n) => BigInt(n) * 10n ** DECIMALS;
/** What //Alice supplies to BT1 to make it "just updated": one token (one plank could round to zero shares). */
const TOUCH_AMOUNT = units(1);

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    manifest: { type: 'string' },
    bundles: { type: 'string' },
    out: { type: 'string' },
    'size-targets': { type: 'string' },
    clock: { type: 'string' },
  },
});
for (const name of ['url', 'manifest', 'bundles', 'out', 'size-targets', 'clock']) {
  if (!opts[name]) throw new Error(`--${name} is required (see the comment at the top of bench/measure.mjs)`);
}

const api = await connect(opts.url);
const clock = new NodeClock(opts.clock);
const addresses = loadAddresses(opts.manifest);
/** The bundle (artifact) name of each contract handle. */
const bundleOf = new Map();
const handle = (bundle, name) => {
  if (!addresses[name]) throw new Error(`the manifest has no ${name}; it has ${Object.keys(addresses)}`);
  const contract = new Contract(api, loadAbi(opts.bundles, bundle), addresses[name]);
  bundleOf.set(contract, bundle);
  return contract;
};
const pool = handle('carrack_pool', 'pool');
const oracle = handle('carrack_oracle', 'oracle');
const governor = handle('carrack_governor', 'governor');
const timelock = handle('carrack_timelock', 'timelock');
const govToken = handle('carrack_gov_token', 'gov_token');
const tokens = SYMBOLS.map((symbol) => handle('carrack_token', symbol));
const [bt1, bt2] = tokens;

const [alice, bob, charlie, dave, eve, ferdie] = await devKeys(
  '//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie',
);
const scalingUsers = await devKeys(...SCALING.map((n) => `//Bench/markets-${n}`));
const borrowers = await devKeys(...LIQUIDATION_SCALING.map((n) => `//Bench/borrower-${n}`));
const [liquidator, nobody] = await devKeys('//Bench/liquidator', '//Bench/never-funded');

/** All measurements, by key; see `record`. */
const messages = {};

/** Dry-runs `label` on `contract` as `signer` and returns its cost; refuses an `Err` result. */
async function dryRun(contract, label, signer, ...args) {
  const { output, gasRequired, gasConsumed, storageDeposit } = await contract.query(label, signer.address, ...args);
  if (output && typeof output === 'object' && 'err' in output) {
    throw new Error(`${label} would fail in the benchmark scenario: ${JSON.stringify(output.err)}`);
  }
  const deposit = storageDeposit.isCharge
    ? storageDeposit.asCharge.toBigInt()
    : -storageDeposit.asRefund.toBigInt();
  return {
    required: weightOf(gasRequired),
    consumed: weightOf(gasConsumed),
    storage_deposit: Number(deposit),
    output,
  };
}

/**
 * Dry-runs and stores the cost under `key`, described by `scenario`; returns the output.
 * A pool message is dry-run exactly ACCRUAL_GAP_SECS after BT1's last update (see
 * pinAccrualGap); any other in a block of a later second than the last transaction, so
 * it sees that transaction's state as a user's next call would.
 */
async function record(key, scenario, contract, label, signer, ...args) {
  const gap = contract === pool ? ACCRUAL_GAP_SECS : null;
  return recordAfter(gap, key, scenario, contract, label, signer, ...args);
}

/** `record`, with the pool's accrual gap `gapSecs` (null for a message outside the pool). */
async function recordAfter(gapSecs, key, scenario, contract, label, signer, ...args) {
  if (gapSecs === null) {
    await sealInNextSecond();
  } else {
    await pinAccrualGap(gapSecs);
  }
  const { output, ...cost } = await dryRun(contract, label, signer, ...args);
  messages[key] = {
    contract: bundleOf.get(contract),
    message: label,
    scenario,
    ...(gapSecs === null ? {} : { accrual_gap_secs: gapSecs }),
    ...cost,
  };
  const { required, consumed } = cost;
  console.error(`    ${key.padEnd(34)} ref_time ${String(consumed.ref_time).padStart(14)}  proof_size ${String(consumed.proof_size).padStart(8)} (required ${String(required.proof_size).padStart(8)})`);
  return output;
}

/** Seals one block with a remark, so dry runs see the chain one block later. */
const sealBlock = () => submit(api, api.tx.system.remark('0x00'), alice, 'system.remark');

/** The latest block's timestamp in seconds. */
const chainNowSecs = async () => Math.floor((await timestampMs(api)) / 1000);

/** Seals a block in second `second` of the node's clock (moved there, never back). */
async function sealInSecond(second) {
  clock.setTo(Math.max(clock.now(), second * 1000 + SEAL_AT_MS_INTO_SECOND));
  return sealBlock();
}

/** Seals a block whose timestamp is in a later whole second than the latest block's. */
async function sealInNextSecond() {
  await sealInSecond((await chainNowSecs()) + 1);
}

/**
 * Makes the next dry run happen exactly `gapSecs` whole seconds after BT1's last stored
 * update (the pool accrues from its last update in whole seconds): //Alice supplies one
 * BT1 token, which stores BT1's state stamped with her block's second, and a remark block
 * is sealed in that second + `gapSecs` (bench/clock.mjs's pinGap checks both).
 */
const pinAccrualGap = (gapSecs) => pinGap({
  api,
  clock,
  touch: () => pool.tx('supply', alice, bt1.address, TOUCH_AMOUNT, alice.address),
  seal: sealBlock,
  gapSecs,
  what: 'BT1',
});

/** The output of a `Result` message, or an error naming it. */
function ok(output, what) {
  if (!output || typeof output !== 'object' || !('ok' in output)) {
    throw new Error(`${what}: expected Ok(..), got ${JSON.stringify(output)}`);
  }
  return output.ok;
}

// --------------------------------------------------------------------------- set-up

console.error('==> funding the benchmark accounts');
const everyone = [...scalingUsers, ...borrowers, liquidator];
for (const account of everyone) {
  await submit(api, api.tx.balances.transferKeepAlive(account.address, NATIVE_FUNDING), alice, 'fund');
}
// //Alice (who holds every test token) supplies liquidity to every market.
for (const token of tokens) {
  await token.tx('PSP22::approve', alice, pool.address, U128_MAX);
  await pool.tx('supply', alice, token.address, units(100_000), alice.address);
}
/** Sends `account` 1,000,000 of `token` and lets the pool spend all of it. */
async function fundToken(account, token) {
  await token.tx('PSP22::transfer', alice, account.address, units(1_000_000), []);
  await token.tx('PSP22::approve', account, pool.address, U128_MAX);
}

// ------------------------------------------------------------------ PSP22 transfers

console.error('==> PSP22 transfer (the unit) and the token calls the pool makes');
const [firstUser] = scalingUsers;
await fundToken(firstUser, bt1);
await record('psp22.transfer', 'to an account already holding the token', bt1, 'PSP22::transfer', alice, firstUser.address, units(100), []);
await record('psp22.transfer.new_holder', 'to an account that never held the token', bt1, 'PSP22::transfer', alice, nobody.address, units(100), []);
await bt1.tx('PSP22::approve', alice, firstUser.address, U128_MAX);
await record('psp22.transfer_from', 'by an approved spender, to an existing holder (what the pool does to pull funds)', bt1, 'PSP22::transfer_from', firstUser, alice.address, firstUser.address, units(100), []);

// ------------------------------------------------------- trivial views (code loading)

console.error('==> trivial views, to separate code loading from execution');
const views = [
  [bt1, 'PSP22::total_supply'],
  [govToken, 'PSP22::total_supply'],
  [pool, 'Governed::admin_roles'],
  [oracle, 'Governed::admin_roles'],
  [governor, 'settings'],
  [timelock, 'settings'],
];
for (const [contract, label] of views) {
  await record(`view.${bundleOf.get(contract)}`, `${label}: reads the root storage, no argument`, contract, label, alice);
}
await record('pool.market_view', 'pool `market`: the root storage and one market record, interest accrued in memory', pool, 'market', alice, bt1.address);

// --------------------------------------------------------------- pool, 1..8 markets

console.error('==> pool messages for accounts with 1, 2, 4 and 8 markets entered');
for (const [index, n] of SCALING.entries()) {
  const user = scalingUsers[index];
  const entered = tokens.slice(0, n);
  for (const token of entered) {
    if (!(token === bt1 && user === firstUser)) await fundToken(user, token);
  }
  for (const token of entered) {
    if (token === bt1 && n === 1) {
      await record('pool.supply.first', "an account's first supply: opens the account and its position", pool, 'supply', user, token.address, units(10_000), user.address);
    }
    await pool.tx('supply', user, token.address, units(10_000), user.address);
  }
  const suffix = `m${n}`;
  const scenario = `account with ${n} market${n > 1 ? 's' : ''} entered (collateral in each, debt in BT1)`;
  await record(`pool.borrow.${suffix}`, scenario, pool, 'borrow', user, bt1.address, units(5_000));
  await pool.tx('borrow', user, bt1.address, units(5_000));
  await record(`pool.supply.${suffix}`, scenario, pool, 'supply', user, bt1.address, units(100), user.address);
  if (n === 1) {
    // Most wallets approve exactly the amount of the action, not an unlimited allowance:
    // the token's transfer_from then spends the allowance to zero, which clears its entry
    // (refunding its deposit) and emits Approval. Unlimited again afterwards, so the rows
    // below keep measuring the same path as before.
    await bt1.tx('PSP22::approve', user, pool.address, units(100));
    await record('pool.supply.m1.exact_allowance', `${scenario}; approved exactly the amount: transfer_from spends the allowance to zero (clears its entry, emits Approval)`, pool, 'supply', user, bt1.address, units(100), user.address);
    if (messages['pool.supply.m1.exact_allowance'].storage_deposit >= 0) {
      throw new Error("the exact-allowance supply refunds no deposit: the token did not clear the spent allowance's entry, so the row does not measure what it says");
    }
    await bt1.tx('PSP22::approve', user, pool.address, U128_MAX);
  }
  const lastMarket = entered[n - 1];
  await record(`pool.withdraw.${suffix}`, `${scenario}; withdraws collateral, so the health check runs`, pool, 'withdraw', user, lastMarket.address, units(10), user.address);
  await record(`pool.repay.${suffix}`, scenario, pool, 'repay', user, bt1.address, units(100), user.address);
  await record(`pool.enable_collateral.${suffix}`, scenario, pool, 'enable_collateral', user, lastMarket.address);
  await record(`oracle.prices.n${n}`, `PriceOracle::prices of ${n} asset${n > 1 ? 's' : ''}, the pool's one oracle call`, oracle, 'PriceOracle::prices', alice, entered.map((t) => t.address));
}

// ------------------------------------------------------------ oracle and liquidation

console.error('==> liquidation borrowers (2 and 8 markets entered)');
await fundToken(liquidator, bt1);
for (const [index, n] of LIQUIDATION_SCALING.entries()) {
  const borrower = borrowers[index];
  const collateral = tokens.slice(1, n);
  // 10,000 worth of collateral spread over the collateral markets, 7,400 borrowed against
  // it (75 % LTV allows 7,500): a 20 % rise of BT1 takes the health factor to ~0.9.
  const each = units(10_000) / BigInt(collateral.length);
  for (const token of collateral) {
    await token.tx('PSP22::transfer', alice, borrower.address, each, []);
    await token.tx('PSP22::approve', borrower, pool.address, U128_MAX);
    await pool.tx('supply', borrower, token.address, each, borrower.address);
  }
  await pool.tx('borrow', borrower, bt1.address, units(7_400));
}

console.error('==> oracle: one round raising BT1 to $1.20');
const observedAt = await chainNowSecs();
await record('oracle.submit.pending', "a reporter's submission that does not complete the round", oracle, 'submit', bob, bt1.address, RAISED_BT1_PRICE, observedAt);
// A round closes when every reporter has submitted (or after its window with a quorum):
// the fifth of five completes it.
for (const reporter of [bob, charlie, dave, eve]) {
  await oracle.tx('submit', reporter, bt1.address, RAISED_BT1_PRICE, observedAt);
}
await record('oracle.submit.completing', "the last reporter's submission: completes the round (median of all five, deviation guard)", oracle, 'submit', ferdie, bt1.address, RAISED_BT1_PRICE, observedAt);
await oracle.tx('submit', ferdie, bt1.address, RAISED_BT1_PRICE, observedAt);
const price = await record('oracle.price', 'PriceOracle::price of one asset', oracle, 'PriceOracle::price', alice, bt1.address);
if (BigInt(ok(price, 'PriceOracle::price').value) !== RAISED_BT1_PRICE) {
  throw new Error(`BT1's price did not move to ${RAISED_BT1_PRICE}: ${JSON.stringify(price)}`);
}

console.error('==> liquidations');
for (const [index, n] of LIQUIDATION_SCALING.entries()) {
  const borrower = borrowers[index];
  await record(`pool.liquidate.m${n}`, `borrower with ${n} markets entered (${n - 1} collateral, debt in BT1); repays as much as allowed, takes BT2`, pool, 'liquidate', liquidator, borrower.address, bt1.address, bt2.address, U128_MAX, 0);
  await pool.tx('liquidate', liquidator, borrower.address, bt1.address, bt2.address, U128_MAX, 0);
}

// -------------------------------------------------------------------------- governance

// -------------------------------------------------------------------------- flash loan

console.error('==> flash loan: a receiver that approves the loan and its fee and accepts');
// The test fixture e2e/fixtures/flash-receiver in its Repay mode: it reads its balance,
// approves the pool for amount + fee and answers FLASH_LOAN_ACCEPTED (the least a
// receiver does); it pays the fee from BT1 it holds.
const receiver = await instantiate(api, opts.bundles, 'carrack_flash_receiver', alice, pool.address);
bundleOf.set(receiver, 'carrack_flash_receiver');
await bt1.tx('PSP22::transfer', alice, receiver.address, units(10), []);
await record('pool.flash_loan', '1,000 BT1 lent and paid back with the 0.05 % fee by a receiver that approves and accepts (the pool: transfer out, callback, transfer_from back)', pool, 'flash_loan', alice, receiver.address, bt1.address, units(1_000), []);

console.error('==> governance: propose, vote, queue, execute a one-action batch');
const [, poolParams] = (await pool.query('settings', alice.address)).output;
const encoded = pool.abi.findMessage('set_pool_params').toU8a([poolParams]);
const call = api.createType('Bytes', encoded).toU8a(true); // selector ‖ SCALE arguments
// Hex, not Uint8Array: api-contract reads a Uint8Array given for `Vec<u8>` as SCALE-encoded.
const hex = (bytes) => `0x${Buffer.from(bytes).toString('hex')}`;
const action = { callee: pool.address, selector: hex(call.slice(0, 4)), input: hex(call.slice(4)), transferredValue: 0 };
const description = 'Benchmark: set the pool parameters to their current values';
// (`record` seals a block first: the threshold counts votes at the block before.)
const proposalId = ok(await record('governor.propose', 'one action (pool set_pool_params), a one-line description', governor, 'propose', alice, [action], description), 'propose');
await governor.tx('propose', alice, [action], description);

/** Seals blocks until the proposal's state is `wanted` (at most 64). */
async function sealUntil(wanted) {
  for (let i = 0; i < 64; i += 1) {
    const state = ok((await governor.query('state', alice.address, proposalId)).output, 'state');
    if (String(state).toLowerCase() === wanted.toLowerCase()) return;
    await sealBlock();
  }
  throw new Error(`proposal ${proposalId} did not become ${wanted} within 64 blocks`);
}
await sealUntil('Active');
await record('governor.cast_vote', 'first vote on an active proposal (fixes the quorum)', governor, 'cast_vote', alice, proposalId, 'For');
await governor.tx('cast_vote', alice, proposalId, 'For');
await sealUntil('Succeeded');
const batchId = ok((await governor.query('queue', alice.address, proposalId)).output, 'queue');
await governor.tx('queue', alice, proposalId);
const { etaSecs } = (await timelock.query('Timelock::batch_info', alice.address, batchId)).output;
// The timelock's delay: the chain's clock is moved to the batch's eta rather than waited for.
if ((await chainNowSecs()) < Number(etaSecs)) await sealInSecond(Number(etaSecs));
await record('timelock.execute', 'a one-action batch: calls pool set_pool_params', timelock, 'Timelock::execute', alice, batchId);
await timelock.tx('Timelock::execute', alice, batchId);

// ------------------------------------------------------------------------------- sizes

// The optimized .wasm of every contract, against its target (scripts/lib/common.sh's
// size_target_bytes, passed by scripts/bench.sh).
const sizes = {};
for (const pair of opts['size-targets'].split(',')) {
  const [bundle, target] = pair.split('=');
  sizes[bundle] = { bytes: statSync(join(opts.bundles, bundle, `${bundle}.wasm`)).size, target_bytes: Number(target) };
}

// ------------------------------------------------------------------------- idle market

// Last among the pool rows: after a day every price is past the oracle's heartbeat
// (bench/bench.toml: 86,400 s). This supply reads none: the account's BT1 position already
// has its collateral choice (a supply asks the oracle only to make that choice).
console.error('==> a supply into BT1 one day after its last update');
await recordAfter(IDLE_GAP_SECS, 'pool.supply.m1.idle_1d', `as pool.supply.m1, with BT1 untouched for one day (${IDLE_GAP_SECS.toLocaleString('en-US')} s instead of ${ACCRUAL_GAP_SECS} s)`, pool, 'supply', firstUser, bt1.address, units(100), firstUser.address);

// ---------------------------------------------------------------------- block capacity

console.error('==> block capacity');
const limits = blockLimits(api);

/**
 * The block capacity of `label` extrinsics (bench/capacity.mjs says how a block accounts
 * them), with the gas limit and gas consumption of the dry run measured under `key`.
 */
async function capacity(key, contract, label, signer, ...args) {
  const { required, consumed } = messages[key];
  const weights = await extrinsicWeights(api, limits, { contract, label, signer, args, required, consumed });
  return { measured: key, ...capacityOf(limits, weights) };
}
const block = {
  limits,
  parachain_pov_bytes: PARACHAIN_POV_BYTES,
  transfer: await capacity('psp22.transfer', bt1, 'PSP22::transfer', alice, firstUser.address, units(100), []),
  supply: await capacity('pool.supply.m1', pool, 'supply', firstUser, bt1.address, units(100), firstUser.address),
  supply_exact_allowance: await capacity('pool.supply.m1.exact_allowance', pool, 'supply', firstUser, bt1.address, units(100), firstUser.address),
  submit_pending: await capacity('oracle.submit.pending', oracle, 'submit', bob, bt1.address, RAISED_BT1_PRICE, observedAt),
  submit_completing: await capacity('oracle.submit.completing', oracle, 'submit', dave, bt1.address, RAISED_BT1_PRICE, observedAt),
};
// The throughput figure: supplies per block for each PSP22 transfer per block.
block.supply_per_transfer = block.supply.per_block / block.transfer.per_block;

// ------------------------------------------------------------------------------ output

const unit = messages['psp22.transfer'].consumed;
const unitDeposit = messages['psp22.transfer.new_holder'].storage_deposit;
for (const entry of Object.values(messages)) {
  entry.ratio = {
    ref_time: entry.consumed.ref_time / unit.ref_time,
    proof_size: entry.consumed.proof_size / unit.proof_size,
    storage_deposit: unitDeposit > 0 ? entry.storage_deposit / unitDeposit : null,
  };
}
const results = {
  format: 2,
  node: (await api.rpc.system.version()).toString(),
  chain: (await api.rpc.system.chain()).toString(),
  unit: {
    key: 'psp22.transfer',
    note: 'ratios are of consumed weights to the PSP22 transfer\'s consumed weight (ref_time, proof_size); storage deposit ratios to a transfer to a new holder (one new balance entry)',
  },
  accrual_gap_secs: ACCRUAL_GAP_SECS,
  messages,
  scaling: { markets: SCALING, liquidation_markets: LIQUIDATION_SCALING },
  sizes,
  block,
};
writeFileSync(opts.out, `${JSON.stringify(results, null, 2)}\n`);
console.error(`==> wrote ${opts.out}`);
clock.close();
await api.disconnect();
