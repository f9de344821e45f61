// Unit test of src/tx-limits.ts (the gas and storage deposit limits transactions are
// signed with), with figures a dev node gave for a first 2 TETH supply (deploy/devnet.toml).
//   node --test tests/tx-limits.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSrc } from './transpile.mjs';

const t = await loadSrc('tx-limits');
// substrate-contracts-node 0.42's deposit prices.
const PER_ITEM = 100_000_000_000n;
const PER_BYTE = 5_000_000n;

test('a call is signed with twice its dry run gas, and a deposit limit of twice its charge and one item', () => {
  assert.deepEqual(t.signedGas({ refTime: 100n, proofSize: 7n }), { refTime: 201n, proofSize: 15n });
  assert.equal(t.storageDepositLimit(250_000_002n, PER_ITEM), 100_500_000_004n);
  assert.equal(t.storageDepositLimit(0n, PER_ITEM), PER_ITEM);
});

test('a call batched after its approval gets room for the token transfers its refused dry run did not make', () => {
  // supply(2 TETH) refused for lack of allowance, a one-unit TETH transfer, and the same
  // supply's dry run once approved (the gas the batched call really needs).
  const refused = { refTime: 2_459_041_643n, proofSize: 231_465n };
  const transfer = { refTime: 1_231_007_493n, proofSize: 105_287n };
  const approved = { refTime: 4_289_004_176n, proofSize: 320_270n };
  const gas = t.batchedActGas(refused, transfer, 1);
  assert.deepEqual(gas, { refTime: 7_380_098_273n, proofSize: 673_505n });
  assert.ok(gas.refTime > approved.refTime && gas.proofSize > approved.proofSize);
  const liquidation = t.batchedActGas(refused, transfer, 2);
  assert.equal(liquidation.refTime - gas.refTime, 2n * transfer.refTime);
  // The approved supply charged 250,000,002 (a new account entry, less the spent allowance
  // entry's refund); the limit has room for two new entries of a kibibyte.
  const limit = t.batchedActDepositLimit(PER_ITEM, PER_BYTE);
  assert.equal(limit, 2n * (PER_ITEM + 1_024n * PER_BYTE));
  assert.ok(limit > 250_000_002n + PER_ITEM + 66n * PER_BYTE);
});
