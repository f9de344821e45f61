// The Polkadot.js path, proved with a client we did not write: @polkadot/api and
// @polkadot/api-contract (what Polkadot.js Apps and Contracts UI are built on) load the
// built `.contract` bundles, read a deployed Carrack devnet, approve and supply into the
// pool, read the account's health and decode the emitted events.
//
// Environment (scripts/test.sh sets them after deploying a devnet with carrack-deploy):
//   CARRACK_NODE_URL   ws URL of the node
//   CARRACK_MANIFEST   the deployment manifest written by carrack-deploy
//   CARRACK_BUNDLES    directory holding <name>/<name>.contract release bundles
//   CARRACK_TOKEN      manifest name of the token to supply (default TUSD)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, loadAbi, loadAddresses, Contract, describeEvent } from './carrack.mjs';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name} (see the comment at the top of this file)`);
  return value;
};

let api;
let alice;
let bob;
let token;
let pool;
let decimals;
const tokenName = env('CARRACK_TOKEN', 'TUSD');

before(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
  api = await connect(env('CARRACK_NODE_URL'));
  const bundles = env('CARRACK_BUNDLES');
  const addresses = loadAddresses(env('CARRACK_MANIFEST'));
  assert.ok(addresses[tokenName], `the manifest has no ${tokenName}: ${Object.keys(addresses)}`);
  assert.ok(addresses.pool, `the manifest has no pool: ${Object.keys(addresses)}`);
  token = new Contract(api, loadAbi(bundles, 'carrack_token'), addresses[tokenName]);
  pool = new Contract(api, loadAbi(bundles, 'carrack_pool'), addresses.pool);
});

after(async () => {
  await api?.disconnect();
});

test('reads the PSP22 metadata and balances of a deployed token', async () => {
  const symbol = (await token.query('PSP22Metadata::token_symbol', alice.address)).output;
  assert.equal(symbol, tokenName);
  decimals = Number((await token.query('PSP22Metadata::token_decimals', alice.address)).output);
  assert.ok(decimals >= 0 && decimals <= 36);
  const supply = BigInt((await token.query('PSP22::total_supply', alice.address)).output);
  const aliceBalance = BigInt((await token.query('PSP22::balance_of', alice.address, alice.address)).output);
  assert.ok(supply > 0n && aliceBalance <= supply);
});

test('approves and supplies into the pool, decodes the events and reads the health', async () => {
  const unit = 10n ** BigInt(decimals);
  const amount = 1_000n * unit;
  const funded = await token.tx('PSP22::transfer', alice, bob.address, amount, []);
  const transfer = funded.events.map(describeEvent).find((e) => e.name === 'Transfer');
  assert.ok(transfer, 'a decoded PSP22 Transfer event');
  assert.equal(BigInt(transfer.fields.value), amount);

  await token.tx('PSP22::approve', bob, pool.address, amount);
  const allowance = (await token.query('PSP22::allowance', bob.address, bob.address, pool.address)).output;
  assert.equal(BigInt(allowance), amount);

  const before = BigInt((await token.query('PSP22::balance_of', bob.address, bob.address)).output);
  const supplied = await pool.tx('supply', bob, token.address, amount, bob.address);
  const names = supplied.events.map((e) => describeEvent(e).name);
  assert.ok(names.includes('Supplied'), `pool events decoded: ${names}`);
  const event = supplied.events.map(describeEvent).find((e) => e.name === 'Supplied');
  assert.equal(BigInt(event.fields.amount), amount);
  const afterBalance = BigInt((await token.query('PSP22::balance_of', bob.address, bob.address)).output);
  assert.equal(before - afterBalance, amount);

  const view = (await pool.query('account', bob.address, bob.address)).output.ok;
  const position = view.positions.find((p) => p.position.asset === token.address);
  assert.ok(position, 'the account view lists the position');
  assert.ok(BigInt(position.supply) >= amount - 1n, 'supply value ≈ amount (rounded down)');
  // No debt: the health factor is "infinite" (u128::MAX).
  assert.equal(BigInt(view.healthFactorWad), 2n ** 128n - 1n);
});

test('a refused action comes back as a decoded pool error, and nothing is submitted', async () => {
  const huge = 10n ** 30n;
  const { output } = await pool.query('borrow', bob.address, token.address, huge);
  assert.ok(output && output.err, `borrow of ${huge} should be refused: ${JSON.stringify(output)}`);
  await assert.rejects(pool.tx('borrow', bob, token.address, huge), /borrow would fail/);
});
