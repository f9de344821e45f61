// The app's own protocol math, in bigints, with carrack-core's formulas applied to the
// contracts' view figures and oracle prices: an amount's value (amount × price /
// 10^decimals, WAD dollars), the health factor after an action (liquidation capacity /
// debt value), the amounts Max stands for and the allowance an action needs, and a
// liquidation's repayment and collateral by the close factor, bonus and protocol fee.
// Everything else the app shows (balances, health factor, limits, rates) is the
// contracts' own figure. No npm imports (unit-tested in Node: tests/preview.test.mjs).

import type { AccountSnapshot, Limits, Market, Position, Price } from './contract-views';
import { U128_MAX, WAD, parseUnits } from './format';

/** The account tab's actions, named as the pool's messages. */
export type ActionKind = 'supply' | 'withdraw' | 'borrow' | 'repay';

/** carrack-core's close factor: half the debt, or all of it at health 0.95 or below. */
export const FULL_CLOSE_HEALTH_FACTOR_WAD = (95n * WAD) / 100n;

/** Borrowers below this health factor (1.10) are at risk: listed and watched. */
export const AT_RISK_HEALTH_FACTOR_WAD = (110n * WAD) / 100n;

/** A liquidation accepts no less than this share of the expected collateral (99.5 %), in basis points. */
export const MIN_COLLATERAL_OUT_BPS = 9_950n;

/** A market's price in WAD dollars per whole token (0 without a price). */
export function priceWad(m: { price: Pick<Price, 'value' | 'decimals'> | null }): bigint {
  if (!m.price) return 0n;
  const d = m.price.decimals;
  return d <= 18 ? m.price.value * 10n ** BigInt(18 - d) : m.price.value / 10n ** BigInt(d - 18);
}

/** `amount` token units of market `m` in WAD dollars. */
export function valueWad(m: { decimals: number; price: Pick<Price, 'value' | 'decimals'> | null }, amount: bigint): bigint {
  return (amount * priceWad(m)) / 10n ** BigInt(m.decimals);
}

/** `part` as a percentage of `whole` with two decimals (0 when `whole` is 0): caps and borrowing power used. */
export function percentUsed(part: bigint, whole: bigint): number {
  return whole ? Number((part * 10_000n) / whole) / 100 : 0;
}

/** An account's figures after an action (WAD dollars; health factor u128::MAX without debt). */
export interface HealthAfter {
  healthFactorWad: bigint;
  borrowingPowerWad: bigint;
  debtValueWad: bigint;
}

type Valuation = Pick<AccountSnapshot, 'liquidationCapacityWad' | 'borrowingPowerWad' | 'debtValueWad'>;

/** The health factor after adding the deltas (WAD dollars) to the account's view figures. */
function healthAfter(a: Valuation, deltaCapacityWad: bigint, deltaPowerWad: bigint, deltaDebtWad: bigint): HealthAfter {
  const capacity = a.liquidationCapacityWad + deltaCapacityWad;
  const power = a.borrowingPowerWad + deltaPowerWad;
  const debt = a.debtValueWad + deltaDebtWad;
  const hf = debt <= 0n ? U128_MAX : ((capacity < 0n ? 0n : capacity) * WAD) / debt;
  return { healthFactorWad: hf, borrowingPowerWad: power < 0n ? 0n : power, debtValueWad: debt < 0n ? 0n : debt };
}

/** An action's amounts (token units). */
export interface ActionAmounts {
  /** What the message is called with: u128::MAX for Max where the contract takes it. */
  argAmount: bigint;
  /** The amount the preview and the approval use. */
  amount: bigint;
}

/**
 * What Max stands for: withdraw the limit (u128::MAX, everything, when nothing holds the
 * supply back, so interest to the block counts), repay the whole debt (u128::MAX), borrow
 * the limit, supply the wallet. Throws the reason when there is nothing to act on.
 */
export function maxAmounts(
  kind: ActionKind,
  symbol: string,
  position: Position | undefined,
  limits: Limits | string | undefined,
  walletUnits: bigint,
): ActionAmounts {
  switch (kind) {
    case 'withdraw': {
      if (typeof limits === 'string') throw new Error(limits);
      const all = position?.supply ?? 0n;
      if (all === 0n) throw new Error(`You have no ${symbol} supplied.`);
      const amount = limits ? limits.maxWithdraw : 0n;
      if (amount === 0n) throw new Error(`Nothing of your ${symbol} supply can be withdrawn now (it backs your debt, or the market has no cash).`);
      return { amount, argAmount: amount >= all ? U128_MAX : amount };
    }
    case 'repay': {
      const amount = position?.debt ?? 0n;
      if (amount === 0n) throw new Error(`You owe no ${symbol}.`);
      return { amount, argAmount: U128_MAX };
    }
    case 'borrow': {
      if (typeof limits === 'string') throw new Error(limits);
      const amount = limits ? limits.maxBorrow : 0n;
      if (amount === 0n) throw new Error(`You cannot borrow any ${symbol} now.`);
      return { amount, argAmount: amount };
    }
    case 'supply':
      if (walletUnits === 0n) throw new Error(`Your wallet holds no ${symbol}.`);
      return { amount: walletUnits, argAmount: walletUnits };
  }
}

/** `amount` plus 0.1 % and one unit: room for the interest a debt accrues until it is repaid at inclusion. */
export function withInterestMargin(amount: bigint): bigint {
  return amount + amount / 1000n + 1n;
}

/**
 * The allowance the pool needs for the action (0: none): a supply's amount; a repayment's
 * amount, or for Max the debt with interest margin, within the wallet when it covers the debt.
 */
export function approvalFor(kind: ActionKind, amounts: ActionAmounts, walletUnits: bigint): bigint {
  if (kind === 'supply') return amounts.amount;
  if (kind !== 'repay') return 0n;
  const approve = amounts.argAmount === U128_MAX ? withInterestMargin(amounts.amount) : amounts.amount;
  return approve > walletUnits && walletUnits >= amounts.amount ? walletUnits : approve;
}

type CollateralTerms = Pick<Market, 'decimals' | 'price' | 'ltvWad' | 'liquidationThresholdWad' | 'collateralEnabled' | 'paused'>;

/**
 * The account's figures after `kind` of `amounts` in market `m`. A supply counts as
 * collateral when the position is collateral, or when the account's own supply switches a
 * position whose flag it has not chosen yet on (the market takes collateral and its price
 * is Ok): the whole supply then counts. A flag the account switched stays as it is.
 */
export function healthAfterAction(
  a: Valuation,
  m: CollateralTerms,
  position: Position | undefined,
  kind: ActionKind,
  amounts: ActionAmounts,
): HealthAfter {
  const v = valueWad(m, amounts.amount);
  const ltv = m.collateralEnabled ? m.ltvWad : 0n;
  const counts = position ? position.collateral && position.supply > 0n : false;
  const takes = m.collateralEnabled && m.ltvWad !== 0n && !m.paused.collateral && m.price?.status === 'Ok';
  const becomes = (!position || position.unchosen) && takes;
  const added = becomes && position ? v + valueWad(m, position.supply) : v;
  switch (kind) {
    case 'supply':
      return counts || becomes
        ? healthAfter(a, (added * m.liquidationThresholdWad) / WAD, (added * ltv) / WAD, 0n)
        : healthAfter(a, 0n, 0n, 0n);
    case 'withdraw':
      return counts ? healthAfter(a, -(v * m.liquidationThresholdWad) / WAD, -(v * ltv) / WAD, 0n) : healthAfter(a, 0n, 0n, 0n);
    case 'borrow':
      return healthAfter(a, 0n, 0n, v);
    case 'repay':
      return healthAfter(a, 0n, 0n, amounts.argAmount === U128_MAX ? -a.debtValueWad : -v);
  }
}

/** Below health factor 1 with debt: liquidatable. */
export function isLiquidatable(a: Pick<AccountSnapshot, 'debtValueWad' | 'healthFactorWad'>): boolean {
  return a.debtValueWad > 0n && a.healthFactorWad < WAD;
}

/** Between health factor 1.00 and 1.10 with debt. */
export function isAtRisk(a: Pick<AccountSnapshot, 'debtValueWad' | 'healthFactorWad'>): boolean {
  return a.debtValueWad > 0n && a.healthFactorWad >= WAD && a.healthFactorWad < AT_RISK_HEALTH_FACTOR_WAD;
}

/** The allowance a liquidation repaying `repay` (u128::MAX: as much as it may) of a `debt` needs. */
export function liquidationApproval(repay: bigint, debt: bigint): bigint {
  return repay === U128_MAX ? withInterestMargin(debt) : repay;
}

/** What a liquidation is expected to repay and give (token units). */
export interface LiquidationEstimate {
  repaid: bigint;
  received: bigint;
  /** Whether the close factor allows the whole debt (health 0.95 or below). */
  fullClose: boolean;
}

type LiquidationTerms = Pick<Market, 'decimals' | 'price' | 'liquidationBonusWad' | 'liquidationProtocolFeeWad'>;

/**
 * A liquidation as carrack-core computes it: the repayment capped by the close factor; the
 * collateral seized worth the repayment times the collateral market's bonus, or all of it
 * for proportionally less debt; the liquidator receives it less the protocol's share of
 * the bonus.
 */
export function estimateLiquidation(
  d: Pick<Market, 'decimals' | 'price'>,
  c: LiquidationTerms,
  borrower: { repay: bigint; debt: bigint; collateral: bigint; healthFactorWad: bigint },
): LiquidationEstimate {
  const fullClose = borrower.healthFactorWad <= FULL_CLOSE_HEALTH_FACTOR_WAD;
  const maxRepay = fullClose ? borrower.debt : (borrower.debt + 1n) / 2n;
  let repaid = borrower.repay < maxRepay ? borrower.repay : maxRepay;
  const seizedFor = (amount: bigint) => (((valueWad(d, amount) * c.liquidationBonusWad) / WAD) * 10n ** BigInt(c.decimals)) / (priceWad(c) || 1n);
  let seized = seizedFor(repaid);
  if (seized > borrower.collateral) {
    repaid = (repaid * borrower.collateral) / seized;
    seized = borrower.collateral;
  }
  const bonusPart = seized - (seized * WAD) / c.liquidationBonusWad;
  const received = seized - (bonusPart * c.liquidationProtocolFeeWad) / WAD;
  return { repaid, received, fullClose };
}

/** The least collateral a liquidation expected to give `received` accepts. */
export function minCollateralOut(received: bigint): bigint {
  return (received * MIN_COLLATERAL_OUT_BPS) / 10_000n;
}

/** The devnet faucet's amount of a test token: about $25,000, rounded to two significant digits. */
export function testTokenAmount(m: Pick<Market, 'decimals' | 'symbol'> & { price: Pick<Price, 'value' | 'decimals'> }): bigint {
  const whole = Number((25_000 / (Number(m.price.value) / 10 ** m.price.decimals)).toPrecision(2));
  return parseUnits(whole.toFixed(Math.min(m.decimals, 8)), m.decimals, m.symbol);
}
