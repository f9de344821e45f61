// Unit test of src/contract-views.ts: the contracts' views as @polkadot/api-contract
// decodes them (integers as numbers, decimal or hex strings) turned into the app's bigint
// figures, in Node without a chain.
//   node --test tests/contract-views.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSrc } from './transpile.mjs';

const v = await loadSrc('contract-views');
const TETH = '5CMZrC71MwiLHoCKzqb1QUArtL8jxEaZDgUEcXAvcAeEWwDi';
const TUSD = '5GYUNq7cR4moD6vCSx26SYmLTqz3wRtZETpcFqUeVz3ZjA7U';

test('a market view, its token and its price become one market', () => {
  const paused = { supply: false, withdraw: false, borrow: false, liquidate: true, collateral: false };
  const view = {
    asset: TETH,
    market: {
      params: {
        config: {
          decimals: 18, ltvWad: '800,000,000,000,000,000', liquidationThresholdWad: '0xbcbce7f1b150000', liquidationBonusWad: '1075000000000000000',
          liquidationProtocolFeeWad: '100000000000000000', reserveFactorWad: '100000000000000000',
          rateModel: { baseRateWad: 0, slopeLowWad: '40000000000000000', slopeHighWad: '600000000000000000', optimalUtilizationWad: '800000000000000000' },
          supplyCap: '1000000000000000000000', borrowCap: '500000000000000000000', minDebt: 0,
        },
        collateralEnabled: true,
        borrowingEnabled: false,
      },
      state: { cash: '2000000000000000000' },
      paused,
      liquidationGraceUntilSecs: 1_700_000_600,
    },
    totalSupply: '2000000000000000000', totalDebt: 0, utilizationWad: 0, borrowRateWad: 0, supplyRateWad: 0,
  };
  const price = v.priceFromView({ value: '300000000000', decimals: 8, updatedAtSecs: 1_700_000_000, status: 'Ok', okSinceSecs: 1_699_999_000 });
  const m = v.marketFromView(view, { symbol: 'TETH', name: 'Test Ether' }, { price });
  assert.equal(m.asset, TETH);
  assert.equal(m.decimals, 18);
  assert.equal(m.ltvWad, 8n * 10n ** 17n);
  assert.equal(m.liquidationThresholdWad, 85n * 10n ** 16n);
  assert.equal(m.rateModel.optimalUtilizationWad, 8n * 10n ** 17n);
  assert.equal(m.cash, 2n * 10n ** 18n);
  assert.equal(m.borrowingEnabled, false);
  assert.equal(m.graceUntilSecs, 1_700_000_600);
  assert.deepEqual(m.paused, paused);
  assert.deepEqual(m.price, { value: 300_000_000_000n, decimals: 8, updatedAtSecs: 1_700_000_000, status: 'Ok', okSinceSecs: 1_699_999_000 });
  assert.equal(m.priceError, undefined);
});

test('an account view becomes positions by asset with their collateral flags, and limits become bigints', () => {
  const a = v.accountFromView('5Dave', {
    positions: [
      { position: { asset: TETH, collateral: 'On' }, supply: '10000000000000000000', debt: 0 },
      { position: { asset: TUSD, collateral: 'Unchosen' }, supply: 0, debt: '23990000000' },
    ],
    collateralValueWad: '27000000000000000000000', borrowingPowerWad: '21600000000000000000000',
    liquidationCapacityWad: '22950000000000000000000', debtValueWad: '23990000000000000000000',
    healthFactorWad: '956648603584826', pricesOk: true,
  });
  assert.equal(a.address, '5Dave');
  assert.deepEqual(a.positions.get(TETH), { asset: TETH, supply: 10n ** 19n, debt: 0n, collateral: true, unchosen: false });
  assert.deepEqual(a.positions.get(TUSD), { asset: TUSD, supply: 0n, debt: 23_990_000_000n, collateral: false, unchosen: true });
  assert.equal(a.debtValueWad, 23_990n * 10n ** 18n);
  assert.equal(a.healthFactorWad, 956_648_603_584_826n);
  assert.equal(a.pricesOk, true);
  assert.deepEqual(v.limitsFromView({ maxWithdraw: '0x10', maxBorrow: 7 }), { maxWithdraw: 16n, maxBorrow: 7n });
});
