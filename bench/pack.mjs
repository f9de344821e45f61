// One block packed for real (issue 22 part 4): signs one pool `supply` from each of N
// accounts, submits them all at once, and reads back per block how many landed and the
// block's `System::BlockWeight` (normal class); then the same for N PSP22 transfers. The
// number of supplies in a full block, over the number of transfers in a full block, is
// the throughput figure; bench/measure.mjs's block capacity predicts it from dry runs,
// and this checks the prediction on the node itself.
//
//   node bench/pack.mjs --url ws://127.0.0.1:PORT --manifest M.json --bundles DIR \
//     --clock CLOCK_FILE --results R.json
//
// Run by scripts/bench.sh on the node bench/measure.mjs has just measured, after it: adds
// `pack` to R.json (measure.mjs's output), whose block capacity sizes the batches. The
// prediction's dry run of a supply is made, as measure.mjs's, the results' accrual gap
// after BT1's last update (the node's clock is moved for it: bench/clock.mjs).
//
// How a block gets full: the dev node seals a block as soon as its transaction pool holds
// anything, with what the pool holds when it starts. So each batch is led by a ballast,
// //Alice's batch of PSP22 transfers worth most of a block, submitted just before it: the
// node starts sealing the ballast at once and, while it executes it, the batch arrives in
// the pool; the next block then finds the whole batch waiting and takes as many as fit.
// (Without it, the first blocks take what arrived so far and grow block by block.) A
// batch twice the predicted capacity overfills that block. A block counts as full when
// the batch's next extrinsic would not have fitted its weight and later blocks still took
// the batch's extrinsics (so it closed for weight, not for want of extrinsics).

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect, Contract, devKeys, loadAbi, loadAddresses, seededKeys, submit } from '../e2e/js/carrack.mjs';
import { blockLimits, capacityOf, extrinsicWeights, offlineSigning, weightOf } from './capacity.mjs';
import { NodeClock, pinGap } from './clock.mjs';

/** Batch size over the predicted capacity per block (see above). */
const OVERFILL = 2;
/** The ballast's transfers, as a share of the transfers one block holds (see above). */
const BALLAST_SHARE = 0.6;
/** Token decimals in bench/bench.toml. */
const DECIMALS = 12n;
const units = (n) => BigInt(n) * 10n ** DECIMALS;
const U128_MAX = 2n ** 128n - 1n;
/** BT1 each account receives; it supplies SUPPLY twice (set-up and batch) and transfers TRANSFER. */
const FUNDING = units(1_000);
const SUPPLY = units(100);
const TRANSFER = units(1);
/** Native balance each account receives from //Alice: its fees (≈ 6·10^9 a supply) and
 * storage deposits (≈ 10^11 each for its allowance and its pool account), four times over. */
const NATIVE_FUNDING = 10n ** 12n;
/** Calls per utility.batchAll in the set-up (a batch must fit one block's weight). */
const NATIVE_BATCH = 1_000;
const TOKEN_BATCH = 300;
/**
 * Gas limit over the probe's gas_required. Every extrinsic of a batch is signed with the
 * same limit, and values differ a little between them (the first supply of a block accrues
 * BT1's interest over a longer gap than the probe's dry run): 5 % keeps every one within
 * its limit. The prediction uses the same limit, since the last extrinsic of a block
 * needs room for it.
 */
const GAS_MARGIN = 1.05;
/** How long a batch may take to land, in seconds. */
const BATCH_TIMEOUT_SECS = 300;
/** The reporters of bench/bench.toml (a round closes when all five have submitted). */
const REPORTERS = ['//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'];

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    manifest: { type: 'string' },
    bundles: { type: 'string' },
    results: { type: 'string' },
    clock: { type: 'string' },
  },
});
for (const name of ['url', 'manifest', 'bundles', 'results', 'clock']) {
  if (!opts[name]) throw new Error(`--${name} is required (see the comment at the top of bench/pack.mjs)`);
}
const results = JSON.parse(readFileSync(opts.results, 'utf8'));
if (!results.block?.supply || !results.block?.transfer) {
  throw new Error(`${opts.results} has no block capacity: run bench/measure.mjs first`);
}

const started = Date.now();
const api = await connect(opts.url);
const clock = new NodeClock(opts.clock);
const addresses = loadAddresses(opts.manifest);
const handle = (bundle, name) => new Contract(api, loadAbi(opts.bundles, bundle), addresses[name]);
const pool = handle('carrack_pool', 'pool');
const oracle = handle('carrack_oracle', 'oracle');
const bt1 = handle('carrack_token', 'BT1');
const [alice] = await devKeys('//Alice');
const limits = blockLimits(api);
const seconds = (since) => Math.round((Date.now() - since) / 100) / 10;

// ----------------------------------------------------------------------------- set-up

// measure.mjs ends a day after BT1's last update, past the oracle's heartbeat. A first
// supply makes its collateral choice only on an `Ok` price; without one the choice stays
// open and every later supply asks the oracle again, which is not the supply measured.
const priceAnswer = (await oracle.query('PriceOracle::price', alice.address, bt1.address)).output;
if (!priceAnswer?.ok) throw new Error(`the oracle has no price for BT1: ${JSON.stringify(priceAnswer)}`);
const bt1Price = priceAnswer.ok;
if (bt1Price.status !== 'Ok') {
  console.error(`==> BT1's price is ${bt1Price.status}: one oracle round at the same price`);
  const observedAt = Math.floor(Number((await api.query.timestamp.now()).toBigInt()) / 1000);
  for (const reporter of await devKeys(...REPORTERS)) {
    await oracle.tx('submit', reporter, bt1.address, BigInt(bt1Price.value), observedAt);
  }
}

/** Submits `extrinsic` signed by //Alice and waits for its block. */
const asAlice = (extrinsic, label) => submit(api, extrinsic, alice, label);

/** Funds `accounts` with native balance and FUNDING of BT1, in batches from //Alice. */
async function fund(accounts, tokenGas) {
  for (let i = 0; i < accounts.length; i += NATIVE_BATCH) {
    const calls = accounts.slice(i, i + NATIVE_BATCH).map((a) => api.tx.balances.transferKeepAlive(a.address, NATIVE_FUNDING));
    await asAlice(api.tx.utility.batchAll(calls), 'native funding');
  }
  const transfer = bt1.method('PSP22::transfer');
  for (let i = 0; i < accounts.length; i += TOKEN_BATCH) {
    const calls = accounts.slice(i, i + TOKEN_BATCH).map((a) => bt1.inner.tx[transfer]({ gasLimit: tokenGas, storageDepositLimit: null }, a.address, FUNDING, []));
    await asAlice(api.tx.utility.batchAll(calls), 'BT1 funding');
  }
}

/** A gas limit of `required` (a dry run's) with the margin, and the weight it stands for. */
function withMargin(required) {
  const weight = { ref_time: Math.ceil(required.ref_time * GAS_MARGIN), proof_size: Math.ceil(required.proof_size * GAS_MARGIN) };
  return { weight, gasLimit: api.registry.createType('WeightV2', { refTime: weight.ref_time, proofSize: weight.proof_size }) };
}

/** The dry run of `label` as `signer`: `{ required, consumed }`; refuses an `Err`. */
async function dryRun(contract, label, signer, ...args) {
  const { output, gasRequired, gasConsumed } = await contract.query(label, signer.address, ...args);
  if (output && typeof output === 'object' && 'err' in output) {
    throw new Error(`${label} would fail in the pack scenario: ${JSON.stringify(output.err)}`);
  }
  return { required: weightOf(gasRequired), consumed: weightOf(gasConsumed) };
}

/**
 * Signs `label` on `contract` for each [signer, nonce, args], offline (no node round trip
 * per extrinsic) and immortal (a batch spans many blocks, and the set-up more).
 */
function signAll(contract, label, gasLimit, entries) {
  const method = contract.method(label);
  return entries.map(([signer, nonce, args]) => contract.inner.tx[method]({ gasLimit, storageDepositLimit: null }, ...args)
    .sign(signer, offlineSigning(api, nonce)));
}

/**
 * Submits every extrinsic of `signed` at once (after `lead`, if given, is in the pool) and
 * follows the blocks until all are in; returns per block the number of the batch's
 * extrinsics and `System::BlockWeight`'s normal class. Fails if any is refused by the pool
 * or fails in its block.
 */
async function flood(signed, what, lead = null) {
  const pending = new Set(signed.map((x) => x.hash.toHex()));
  const total = pending.size;
  let next = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
  const since = Date.now();
  if (lead) await api.rpc.author.submitExtrinsic(lead);
  let refused = null;
  const submissions = Promise.all(signed.map((x) => api.rpc.author.submitExtrinsic(x).catch((error) => {
    refused ??= error;
  })));
  const blocks = [];
  while (pending.size > 0) {
    if (refused) throw new Error(`${what}: the node refused an extrinsic: ${refused.message}`);
    if (Date.now() - since > BATCH_TIMEOUT_SECS * 1000) {
      throw new Error(`${what}: ${pending.size} of ${total} extrinsics not in a block after ${BATCH_TIMEOUT_SECS} s`);
    }
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    if (next > head) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    const hash = await api.rpc.chain.getBlockHash(next);
    const [{ block }, events, weight] = await Promise.all([
      api.rpc.chain.getBlock(hash),
      api.query.system.events.at(hash),
      api.query.system.blockWeight.at(hash),
    ]);
    const ours = new Set();
    block.extrinsics.forEach((x, index) => {
      if (pending.delete(x.hash.toHex())) ours.add(index);
    });
    for (const { phase, event } of events) {
      if (phase.isApplyExtrinsic && ours.has(phase.asApplyExtrinsic.toNumber()) && api.events.system.ExtrinsicFailed.is(event)) {
        const [error] = event.data;
        const text = error.isModule ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(error.asModule)) : error.toString();
        throw new Error(`${what}: an extrinsic failed in block ${next}: ${text}`);
      }
    }
    blocks.push({ number: next, extrinsics: ours.size, normal_weight: weightOf(weight.normal) });
    next += 1;
  }
  await submissions;
  return { blocks: blocks.filter((b) => b.extrinsics > 0), seconds: seconds(since) };
}

/**
 * The batch's full block: the one holding most of the batch among those that closed for
 * weight (the next extrinsic's dispatch weight did not fit what was left, and a later
 * block took more of the batch). Fails when no block filled up, rather than report a
 * block that closed because the submissions had not arrived yet.
 */
function fullBlock(blocks, dispatch, what) {
  const max = limits.normal_max_total;
  const full = blocks.filter((b, i) => i < blocks.length - 1
    && (b.normal_weight.ref_time + dispatch.ref_time > max.ref_time
      || b.normal_weight.proof_size + dispatch.proof_size > max.proof_size));
  if (full.length === 0) {
    throw new Error(`${what}: no block filled up (per block: ${blocks.map((b) => b.extrinsics).join(', ')}); the node built blocks as fast as the batch arrived`);
  }
  return full.reduce((a, b) => (b.extrinsics > a.extrinsics ? b : a));
}

/**
 * The ballast that leads a batch (see the top): //Alice's batch of PSP22 transfers of one
 * plank to an account already holding BT1, signed for her next nonce.
 */
async function ballast(holder) {
  const count = Math.floor(BALLAST_SHARE * results.block.transfer.per_block);
  const { gasLimit } = withMargin((await dryRun(bt1, 'PSP22::transfer', alice, holder.address, 1n, [])).required);
  const transfer = bt1.method('PSP22::transfer');
  const calls = Array.from({ length: count }, () => bt1.inner.tx[transfer]({ gasLimit, storageDepositLimit: null }, holder.address, 1n, []));
  const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
  return api.tx.utility.batchAll(calls).sign(alice, offlineSigning(api, nonce));
}

/** Runs one batch, led by a ballast, and returns its figures. */
async function batch({ what, scenario, signed, weights }) {
  const capacity = capacityOf(limits, weights);
  const lead = await ballast(probe);
  console.error(`==> ${what}: ${signed.length} submitted at once (predicted ${capacity.per_block} per block)`);
  const { blocks, seconds: took } = await flood(signed, what, lead);
  const full = fullBlock(blocks, weights.dispatch, what);
  console.error(`    per block: ${blocks.map((b) => b.extrinsics).join(', ')} (full: ${full.extrinsics} in block ${full.number}, ${took} s)`);
  return {
    scenario,
    submitted: signed.length,
    predicted_per_block: capacity.per_block,
    extrinsic_weight: capacity.extrinsic_weight,
    blocks,
    full_block: {
      ...full,
      charged_per_extrinsic: {
        ref_time: Math.round(full.normal_weight.ref_time / full.extrinsics),
        proof_size: Math.round(full.normal_weight.proof_size / full.extrinsics),
      },
    },
    seconds: took,
  };
}

// The batch sizes, from the capacity bench/measure.mjs computed from its dry runs.
const supplies = Math.ceil(OVERFILL * results.block.supply.per_block);
const transfers = Math.ceil(OVERFILL * results.block.transfer.per_block);
const count = Math.max(supplies, transfers);
console.error(`==> ${count} accounts: funding (native and BT1), then approve and a first supply for ${supplies}`);
let since = Date.now();
// Accounts from fixed seeds (deriving 1,000s of `//` paths from the dev phrase is far slower).
const accounts = await seededKeys(...Array.from({ length: count }, (_, i) => `carrack-bench-pack-${i}`));
const [probe] = accounts;
const tokenGas = withMargin((await dryRun(bt1, 'PSP22::transfer', alice, probe.address, FUNDING, [])).required).gasLimit;
await fund(accounts, tokenGas);

// Each supplier approves the pool (unlimited, as pool.supply.m1's account) and makes its
// first supply, which opens its account and position and makes BT1 its collateral; the
// batch then measures each one's second supply, as pool.supply.m1 does. The first
// account (the probe) goes first, one extrinsic at a time, and the dry runs behind the
// prediction are made on it before any batch: a batch leaves the dev node with one
// queued seal per extrinsic, and until they run out every new extrinsic is followed by a
// few empty blocks, which would move the chain's head (and clock) past a pinned block.
const approveGas = withMargin((await dryRun(bt1, 'PSP22::approve', probe, pool.address, U128_MAX)).required).gasLimit;
await bt1.tx('PSP22::approve', probe, pool.address, U128_MAX);
const firstSupplyGas = withMargin((await dryRun(pool, 'supply', probe, bt1.address, SUPPLY, probe.address)).required).gasLimit;
await pool.tx('supply', probe, bt1.address, SUPPLY, probe.address);

// The prediction's supply dry run is made results.accrual_gap_secs after BT1's last
// update, as measure.mjs's are (//Alice touches BT1; bench/clock.mjs's pinGap).
await pinGap({
  api,
  clock,
  touch: () => pool.tx('supply', alice, bt1.address, units(1), alice.address),
  seal: () => submit(api, api.tx.system.remark('0x00'), alice, 'system.remark'),
  gapSecs: results.accrual_gap_secs,
  what: 'BT1',
});
const supplyRun = await dryRun(pool, 'supply', probe, bt1.address, SUPPLY, probe.address);
const supplyGas = withMargin(supplyRun.required);
const supplyWeights = await extrinsicWeights(api, limits, { contract: pool, label: 'supply', signer: probe, args: [bt1.address, SUPPLY, probe.address], required: supplyGas.weight, consumed: supplyRun.consumed });
const transferRun = await dryRun(bt1, 'PSP22::transfer', probe, alice.address, TRANSFER, []);
const transferGas = withMargin(transferRun.required);
const transferWeights = await extrinsicWeights(api, limits, { contract: bt1, label: 'PSP22::transfer', signer: probe, args: [alice.address, TRANSFER, []], required: transferGas.weight, consumed: transferRun.consumed });

const nonces = (await Promise.all(accounts.map((a) => api.rpc.system.accountNextIndex(a.address)))).map((n) => n.toNumber());
const others = accounts.slice(1, supplies).map((a, i) => [a, i + 1]);
await flood(signAll(bt1, 'PSP22::approve', approveGas, others.map(([a, i]) => [a, nonces[i]++, [pool.address, U128_MAX]])), 'set-up approvals');
await flood(signAll(pool, 'supply', firstSupplyGas, others.map(([a, i]) => [a, nonces[i]++, [bt1.address, SUPPLY, a.address]])), 'set-up first supplies');
const setupSeconds = seconds(since);

// ------------------------------------------------------------------------------ batches

since = Date.now();
const supply = await batch({
  what: 'pool supply',
  scenario: 'second supply of BT1 by each account, unlimited allowance',
  signed: signAll(pool, 'supply', supplyGas.gasLimit, accounts.slice(0, supplies).map((a, i) => [a, nonces[i]++, [bt1.address, SUPPLY, a.address]])),
  weights: supplyWeights,
});
const transfer = await batch({
  what: 'PSP22 transfer',
  scenario: 'BT1 from each account to an existing holder',
  signed: signAll(bt1, 'PSP22::transfer', transferGas.gasLimit, accounts.map((a, i) => [a, nonces[i]++, [alice.address, TRANSFER, []]])),
  weights: transferWeights,
});

results.pack = {
  accounts: count,
  gas_margin: GAS_MARGIN,
  supply,
  transfer,
  supplies_per_transfer: supply.full_block.extrinsics / transfer.full_block.extrinsics,
  setup_seconds: setupSeconds,
  batches_seconds: seconds(since),
  seconds: seconds(started),
};
writeFileSync(opts.results, `${JSON.stringify(results, null, 2)}\n`);
clock.close();
console.error(`==> packed blocks: ${supply.full_block.extrinsics} supplies, ${transfer.full_block.extrinsics} transfers (${results.pack.supplies_per_transfer.toFixed(2)}); ${results.pack.seconds} s in all`);
await api.disconnect();
