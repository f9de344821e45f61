// Unit test of src/preview.ts (the app's own bigint math: values, the health factor after
// an action, Max, allowances, a liquidation's estimate), in Node without a browser or a
// chain. The figures are the deploy/devnet.toml markets the browser tests use.
//   node --test tests/preview.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSrc } from './transpile.mjs';

const p = await loadSrc('preview');
const WAD = 10n ** 18n;
const U128_MAX = (1n << 128n) - 1n;
const NOT_PAUSED = { supply: false, withdraw: false, borrow: false, liquidate: false, collateral: false };
const usd = (dollars) => BigInt(dollars) * WAD;
const market = (symbol, decimals, dollars, extra = {}) => ({
  symbol, decimals, collateralEnabled: true, paused: NOT_PAUSED,
  price: { value: BigInt(dollars) * 10n ** 8n, decimals: 8, status: 'Ok' },
  ltvWad: (80n * WAD) / 100n, liquidationThresholdWad: (85n * WAD) / 100n,
  liquidationBonusWad: (1075n * WAD) / 1000n, liquidationProtocolFeeWad: WAD / 10n,
  ...extra,
});
const TETH = market('TETH', 18, 3_000);
const TUSD = market('TUSD', 6, 1);
const teth = (n) => BigInt(n) * 10n ** 18n;
const tusd = (n) => BigInt(n) * 10n ** 6n;
const empty = { liquidationCapacityWad: 0n, borrowingPowerWad: 0n, debtValueWad: 0n };
const position = (extra) => ({ asset: 'x', supply: 0n, debt: 0n, collateral: false, unchosen: true, ...extra });
const amounts = (amount) => ({ amount, argAmount: amount });

test('values: amount × price / 10^decimals in WAD dollars, whatever the price decimals', () => {
  assert.equal(p.priceWad(TETH), usd(3_000));
  assert.equal(p.valueWad(TETH, teth(2)), usd(6_000));
  assert.equal(p.valueWad(TUSD, tusd(3_000)), usd(3_000));
  assert.equal(p.priceWad({ price: { value: 5n * 10n ** 20n, decimals: 20 } }), usd(5));
  assert.equal(p.valueWad({ decimals: 18, price: null }, teth(1)), 0n);
  assert.equal(p.percentUsed(25n, 100n), 25);
  assert.equal(p.percentUsed(1n, 0n), 0);
});

test('the health factor after supply, borrow, withdraw and repay', () => {
  // 2 TETH supplied into an unchosen position at an Ok price becomes collateral.
  const supplied = p.healthAfterAction(empty, TETH, undefined, 'supply', amounts(teth(2)));
  assert.deepEqual(supplied, { healthFactorWad: U128_MAX, borrowingPowerWad: usd(4_800), debtValueWad: 0n });
  // Borrowing 3,000 TUSD against it: 6,000 × 85 % / 3,000 = 1.70 (the browser test's figure).
  const account = { liquidationCapacityWad: usd(5_100), borrowingPowerWad: usd(4_800), debtValueWad: 0n };
  assert.equal(p.healthAfterAction(account, TUSD, undefined, 'borrow', amounts(tusd(3_000))).healthFactorWad, (170n * WAD) / 100n);
  const owing = { ...account, debtValueWad: usd(3_000) };
  const collateral = position({ supply: teth(2), collateral: true, unchosen: false });
  // Withdrawing 1 TETH of collateral: 2,550 / 3,000 = 0.85.
  assert.equal(p.healthAfterAction(owing, TETH, collateral, 'withdraw', amounts(teth(1))).healthFactorWad, (85n * WAD) / 100n);
  // Repaying with Max clears the debt: no health factor limit.
  const repaid = p.healthAfterAction(owing, TUSD, position({ debt: tusd(3_000) }), 'repay', { amount: tusd(3_000), argAmount: U128_MAX });
  assert.deepEqual(repaid, { healthFactorWad: U128_MAX, borrowingPowerWad: usd(4_800), debtValueWad: 0n });
});

test('a supply counts as collateral only when the position is, or the own supply switches it on', () => {
  const owing = { liquidationCapacityWad: usd(850), borrowingPowerWad: usd(800), debtValueWad: usd(1_000) };
  const unchosen = position({ supply: teth(1) });
  // The switch counts the whole supply: (850 + 2 × 3,000 × 85 %) / 1,000.
  assert.equal(p.healthAfterAction(owing, TETH, unchosen, 'supply', amounts(teth(1))).healthFactorWad, (595n * WAD) / 100n);
  const stale = { ...TETH, price: { ...TETH.price, status: 'Stale' } };
  assert.equal(p.healthAfterAction(owing, stale, unchosen, 'supply', amounts(teth(1))).healthFactorWad, (85n * WAD) / 100n);
  const switchedOff = position({ supply: teth(1), unchosen: false });
  assert.equal(p.healthAfterAction(owing, TETH, switchedOff, 'supply', amounts(teth(1))).healthFactorWad, (85n * WAD) / 100n);
  const paused = { ...TETH, paused: { ...NOT_PAUSED, collateral: true } };
  assert.equal(p.healthAfterAction(owing, paused, undefined, 'supply', amounts(teth(1))).healthFactorWad, (85n * WAD) / 100n);
});

test('Max: everything where nothing holds it back, the limit otherwise, or the reason there is none', () => {
  const supply = position({ supply: teth(2) });
  assert.deepEqual(p.maxAmounts('withdraw', 'TETH', supply, { maxWithdraw: teth(2), maxBorrow: 0n }, 0n), { amount: teth(2), argAmount: U128_MAX });
  assert.deepEqual(p.maxAmounts('withdraw', 'TETH', supply, { maxWithdraw: teth(1), maxBorrow: 0n }, 0n), amounts(teth(1)));
  assert.throws(() => p.maxAmounts('withdraw', 'TETH', supply, { maxWithdraw: 0n, maxBorrow: 0n }, 0n), /Nothing of your TETH supply can be withdrawn now/);
  assert.throws(() => p.maxAmounts('withdraw', 'TETH', undefined, undefined, 0n), /You have no TETH supplied/);
  assert.throws(() => p.maxAmounts('borrow', 'TUSD', undefined, 'The TUSD price is Stale', 0n), /The TUSD price is Stale/);
  assert.deepEqual(p.maxAmounts('repay', 'TUSD', position({ debt: tusd(7) }), undefined, 0n), { amount: tusd(7), argAmount: U128_MAX });
  assert.throws(() => p.maxAmounts('repay', 'TUSD', undefined, undefined, 0n), /You owe no TUSD/);
  assert.deepEqual(p.maxAmounts('borrow', 'TUSD', undefined, { maxWithdraw: 0n, maxBorrow: tusd(4_800) }, 0n), amounts(tusd(4_800)));
  assert.deepEqual(p.maxAmounts('supply', 'TETH', undefined, undefined, teth(8)), amounts(teth(8)));
  assert.throws(() => p.maxAmounts('supply', 'TETH', undefined, undefined, 0n), /Your wallet holds no TETH/);
});

test('the allowance an action needs: a supply its amount, a Max repayment the debt with interest room', () => {
  assert.equal(p.approvalFor('supply', amounts(teth(2)), teth(8)), teth(2));
  assert.equal(p.approvalFor('borrow', amounts(tusd(1)), 0n), 0n);
  assert.equal(p.approvalFor('withdraw', amounts(tusd(1)), 0n), 0n);
  assert.equal(p.approvalFor('repay', amounts(tusd(3_000)), tusd(9_000)), tusd(3_000));
  const max = { amount: tusd(3_000), argAmount: U128_MAX };
  assert.equal(p.approvalFor('repay', max, tusd(9_000)), tusd(3_000) + tusd(3) + 1n);
  // Within the wallet when the wallet covers the debt itself.
  assert.equal(p.approvalFor('repay', max, tusd(3_001)), tusd(3_001));
  assert.equal(p.withInterestMargin(1000n), 1002n);
  assert.equal(p.liquidationApproval(U128_MAX, tusd(20_000)), tusd(20_020) + 1n);
  assert.equal(p.liquidationApproval(tusd(5_000), tusd(20_000)), tusd(5_000));
});

test('a liquidation estimate: close factor, bonus, protocol fee, and the collateral as a cap', () => {
  const cheapEth = market('TETH', 18, 2_700);
  const borrower = { repay: tusd(5_000), debt: tusd(23_990), collateral: teth(10), healthFactorWad: (96n * WAD) / 100n };
  // The liquidation browser test: 5,000 × 1.075 / 2,700 TETH seized, the protocol's 10 %
  // of the bonus kept back: 1.97685… TETH received, a $337.50 bonus.
  const e = p.estimateLiquidation(TUSD, cheapEth, borrower);
  assert.equal(e.repaid, tusd(5_000));
  assert.equal(e.fullClose, false);
  assert.equal(e.received, 1_976_851_851_851_851_852n);
  assert.equal((p.valueWad(cheapEth, e.received) - p.valueWad(TUSD, e.repaid)) / 10n ** 16n, 33_750n);
  // Half the debt at most above health 0.95, all of it at or below.
  assert.equal(p.estimateLiquidation(TUSD, cheapEth, { ...borrower, repay: U128_MAX }).repaid, tusd(11_995));
  const deep = p.estimateLiquidation(TUSD, cheapEth, { ...borrower, repay: U128_MAX, healthFactorWad: (95n * WAD) / 100n });
  assert.equal(deep.fullClose, true);
  assert.equal(deep.repaid, tusd(23_990));
  // More than the collateral: all of it, for proportionally less debt.
  const capped = p.estimateLiquidation(TUSD, cheapEth, { ...borrower, collateral: teth(1) });
  assert.ok(capped.repaid < tusd(2_512) && capped.repaid > tusd(2_511), `repaid ${capped.repaid}`);
  assert.ok(capped.received < teth(1));
  assert.equal(p.minCollateralOut(1_000n), 995n);
});

test('liquidatable below health factor 1 with debt; at risk up to 1.10', () => {
  assert.equal(p.isLiquidatable({ debtValueWad: 1n, healthFactorWad: WAD - 1n }), true);
  assert.equal(p.isLiquidatable({ debtValueWad: 0n, healthFactorWad: 0n }), false);
  assert.equal(p.isAtRisk({ debtValueWad: 1n, healthFactorWad: WAD }), true);
  assert.equal(p.isAtRisk({ debtValueWad: 1n, healthFactorWad: (110n * WAD) / 100n }), false);
});

test('the faucet mints about $25,000 of a test token, to two significant digits', () => {
  assert.equal(p.testTokenAmount(TETH), 83n * 10n ** 17n);
  assert.equal(p.testTokenAmount(market('TBTC', 8, 60_000)), 42_000_000n);
  assert.equal(p.testTokenAmount(TUSD), tusd(25_000));
});
