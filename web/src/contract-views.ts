// The contracts' views as the app reads them. The `…View` types are the JSON that
// @polkadot/api-contract decodes a view's answer into (Rust field names in camelCase,
// integers as numbers or decimal / 0x-hex strings, enums without data as their variant's
// name), listing the fields the app reads. `Market`, `AccountSnapshot`, `Limits` and
// `Price` are the app's figures made from them, every integer a bigint. No npm imports
// (unit-tested in Node).

import type { RateModel } from './charts';
import { big } from './format';

/** An integer as a codec's JSON gives it: a number, or a decimal or 0x-hex string. */
export type IntJson = number | string;

/** `carrack_core::rate_model::RateModel`: the kinked borrow rate (WAD per year). */
export interface RateModelView {
  baseRateWad: IntJson;
  slopeLowWad: IntJson;
  slopeHighWad: IntJson;
  optimalUtilizationWad: IntJson;
}

/** `carrack_core::config::MarketConfig`: a market's risk parameters. */
export interface MarketConfigView {
  decimals: IntJson;
  ltvWad: IntJson;
  liquidationThresholdWad: IntJson;
  liquidationBonusWad: IntJson;
  liquidationProtocolFeeWad: IntJson;
  reserveFactorWad: IntJson;
  rateModel: RateModelView;
  supplyCap: IntJson;
  borrowCap: IntJson;
  minDebt: IntJson;
}

/** `carrack_pool::market::PauseFlags`: which actions are paused in a market. */
export interface PauseFlags {
  supply: boolean;
  withdraw: boolean;
  borrow: boolean;
  liquidate: boolean;
  collateral: boolean;
  flashLoan: boolean;
}

/** `carrack_pool::views::MarketView`, the pool's `market(asset)`. */
export interface MarketView {
  asset: string;
  market: {
    params: { config: MarketConfigView; collateralEnabled: boolean; borrowingEnabled: boolean; flashLoanFeeWad: IntJson };
    state: { cash: IntJson };
    paused: PauseFlags;
    liquidationGraceUntilSecs: IntJson;
  };
  totalSupply: IntJson;
  totalDebt: IntJson;
  utilizationWad: IntJson;
  borrowRateWad: IntJson;
  supplyRateWad: IntJson;
}

/** `carrack_interfaces::oracle::PriceData`, the oracle's `PriceOracle::price(asset)`. */
export interface PriceDataView {
  value: IntJson;
  decimals: IntJson;
  updatedAtSecs: IntJson;
  status: string;
  okSinceSecs: IntJson;
}

/** One answer of the oracle's `PriceOracle::prices(assets)`: a price, or why there is none. */
export type PriceAnswerView = { ok: PriceDataView } | { err: unknown };

/** `carrack_pool::views::PositionView`: one market of an account. */
export interface PositionView {
  position: { asset: string; collateral: 'On' | 'Off' | 'Unchosen' };
  supply: IntJson;
  debt: IntJson;
}

/** `carrack_pool::views::AccountView`, the pool's `account(owner)` (values in WAD dollars). */
export interface AccountView {
  positions: PositionView[];
  collateralValueWad: IntJson;
  borrowingPowerWad: IntJson;
  liquidationCapacityWad: IntJson;
  debtValueWad: IntJson;
  healthFactorWad: IntJson;
  pricesOk: boolean;
}

/** `carrack_pool::views::Limits`, the pool's `limits(owner, asset)` (token units). */
export interface LimitsView {
  maxWithdraw: IntJson;
  maxBorrow: IntJson;
}

/** `carrack_governor::GovernorSettings`, the governor's `settings()`. */
export interface GovernorSettingsView {
  timelock: string;
  params: { votingDelayBlocks: IntJson; votingPeriodBlocks: IntJson; proposalThreshold: IntJson; quorumBps: IntJson };
  proposalCount: IntJson;
}

/** `carrack_governor::proposal::Proposal`, the governor's `proposal(id)`. */
export interface ProposalView {
  proposer: string;
  snapshotBlock: IntJson;
  deadlineBlock: IntJson;
  quorumBps: IntJson;
  quorumVotes: IntJson | null;
  tally: { forVotes: IntJson; againstVotes: IntJson; abstainVotes: IntJson };
}

/** An oracle price: `value` with `decimals` fraction digits, in dollars per whole token. */
export interface Price {
  value: bigint;
  decimals: number;
  updatedAtSecs: number;
  status: string;
  okSinceSecs: number;
}

/** A market as the app shows it: the pool's view, the token's symbol and name, the price. */
export interface Market {
  asset: string;
  symbol: string;
  name: string;
  decimals: number;
  totalSupply: bigint;
  totalDebt: bigint;
  cash: bigint;
  utilizationWad: bigint;
  borrowRateWad: bigint;
  supplyRateWad: bigint;
  ltvWad: bigint;
  liquidationThresholdWad: bigint;
  liquidationBonusWad: bigint;
  liquidationProtocolFeeWad: bigint;
  reserveFactorWad: bigint;
  rateModel: RateModel;
  supplyCap: bigint;
  borrowCap: bigint;
  minDebt: bigint;
  collateralEnabled: boolean;
  borrowingEnabled: boolean;
  paused: PauseFlags;
  graceUntilSecs: number;
  price: Price | null;
  /** Why there is no price (or the batch read's failure). */
  priceError?: string;
}

/** An account's position in one market (token units). */
export interface Position {
  asset: string;
  supply: bigint;
  debt: bigint;
  collateral: boolean;
  /** The owner has not chosen yet: its own next supply may switch collateral on. */
  unchosen: boolean;
}

/** An account's positions and the pool's valuation of them (WAD dollars). */
export interface AccountSnapshot {
  address: string;
  positions: Map<string, Position>;
  collateralValueWad: bigint;
  borrowingPowerWad: bigint;
  liquidationCapacityWad: bigint;
  debtValueWad: bigint;
  /** u128::MAX without debt. */
  healthFactorWad: bigint;
  pricesOk: boolean;
}

/** How much of a market an account may withdraw and borrow now (token units). */
export interface Limits {
  maxWithdraw: bigint;
  maxBorrow: bigint;
}

/** The chosen account: its snapshot, its wallet and its limits per market (or why none). */
export interface AccountState extends AccountSnapshot {
  wallet: Map<string, bigint>;
  limits: Map<string, Limits | string>;
}

/** A `PriceDataView` as figures. */
export function priceFromView(p: PriceDataView): Price {
  return {
    value: big(p.value),
    decimals: Number(p.decimals),
    updatedAtSecs: Number(p.updatedAtSecs),
    status: String(p.status),
    okSinceSecs: Number(p.okSinceSecs),
  };
}

/** A market from the pool's view, its token's symbol and name and its price (or why none). */
export function marketFromView(
  view: MarketView,
  token: { symbol: string; name: string },
  price: { price: Price | null; priceError?: string },
): Market {
  const config = view.market.params.config;
  return {
    asset: view.asset,
    symbol: token.symbol,
    name: token.name,
    decimals: Number(config.decimals),
    totalSupply: big(view.totalSupply),
    totalDebt: big(view.totalDebt),
    cash: big(view.market.state.cash),
    utilizationWad: big(view.utilizationWad),
    borrowRateWad: big(view.borrowRateWad),
    supplyRateWad: big(view.supplyRateWad),
    ltvWad: big(config.ltvWad),
    liquidationThresholdWad: big(config.liquidationThresholdWad),
    liquidationBonusWad: big(config.liquidationBonusWad),
    liquidationProtocolFeeWad: big(config.liquidationProtocolFeeWad),
    reserveFactorWad: big(config.reserveFactorWad),
    rateModel: {
      baseRateWad: big(config.rateModel.baseRateWad),
      slopeLowWad: big(config.rateModel.slopeLowWad),
      slopeHighWad: big(config.rateModel.slopeHighWad),
      optimalUtilizationWad: big(config.rateModel.optimalUtilizationWad),
    },
    supplyCap: big(config.supplyCap),
    borrowCap: big(config.borrowCap),
    minDebt: big(config.minDebt),
    collateralEnabled: Boolean(view.market.params.collateralEnabled),
    borrowingEnabled: Boolean(view.market.params.borrowingEnabled),
    paused: view.market.paused,
    graceUntilSecs: Number(view.market.liquidationGraceUntilSecs),
    price: price.price,
    priceError: price.priceError,
  };
}

/** `address`'s snapshot from the pool's `account` view. */
export function accountFromView(address: string, view: AccountView): AccountSnapshot {
  const positions = new Map<string, Position>();
  for (const p of view.positions) {
    const flag = String(p.position.collateral);
    positions.set(p.position.asset, {
      asset: p.position.asset,
      supply: big(p.supply),
      debt: big(p.debt),
      collateral: flag === 'On',
      unchosen: flag === 'Unchosen',
    });
  }
  return {
    address,
    positions,
    collateralValueWad: big(view.collateralValueWad),
    borrowingPowerWad: big(view.borrowingPowerWad),
    liquidationCapacityWad: big(view.liquidationCapacityWad),
    debtValueWad: big(view.debtValueWad),
    healthFactorWad: big(view.healthFactorWad),
    pricesOk: Boolean(view.pricesOk),
  };
}

/** The pool's `limits` view as figures. */
export function limitsFromView(view: LimitsView): Limits {
  return { maxWithdraw: big(view.maxWithdraw), maxBorrow: big(view.maxBorrow) };
}
