// Plain-words explanations of the contracts' error enums, decoded from the metadata by
// @polkadot/api-contract (e.g. `{ core: 'InsufficientCollateral' }`,
// `{ priceNotOk: ['5F…', 'Stale'] }`). Release metadata carries no doc comments, so the
// texts are kept here, one per variant, following the doc comments in contracts/.

export interface ErrorContext {
  /** The symbol of a token address (or a short address). */
  symbol(address: string): string;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `{ key: inner }` or `'Variant'` → [Variant, inner]. */
function variant(err: unknown): [string, unknown] {
  if (typeof err === 'string') return [pascal(err), undefined];
  if (err && typeof err === 'object') {
    const [key] = Object.keys(err);
    if (key !== undefined) return [pascal(key), (err as Record<string, unknown>)[key]];
  }
  return [String(err), undefined];
}

export const FEED_STATUS_TEXT: Record<string, string> = {
  Ok: 'fresh and accepted by a quorum of reporters',
  Stale: 'stale: no new price within the heartbeat',
  Suspect: 'suspect: a large jump awaits confirmation by the next round',
  Frozen: 'frozen by the guardian or governance',
  Emergency: 'an emergency price set by governance',
};

const CORE: Record<string, string> = {
  Overflow: 'A figure would overflow. Use a smaller amount.',
  Underflow: 'More would be taken than exists.',
  DivisionByZero: 'A price or index of zero makes the computation impossible.',
  UnsupportedDecimals: 'The token has more decimals than the pool supports.',
  ZeroAmount: 'The amount must be more than zero.',
  AmountTooSmall: 'The amount is too small to move even one share at the current index. Use a larger amount.',
  SeedTooSmall: 'The listing seed is too small.',
  TimeWentBackwards: 'The chain time went backwards relative to the market.',
  SupplyCapExceeded: "This supply would push the market above its supply cap.",
  BorrowCapExceeded: "This borrow would push the market's total debt above its borrow cap.",
  BelowMinimumDebt: "Your debt in this market would end between zero and the market's minimum debt. Borrow more, or repay everything.",
  InsufficientCash: 'The market does not hold enough idle cash for this (it is lent out). Try a smaller amount.',
  InsufficientSupply: 'You have supplied less than this amount.',
  RepayExceedsDebt: 'You owe less than this amount. Use Max to repay the whole debt.',
  InsufficientCollateral: 'Your debt would exceed your borrowing power. Supply more collateral or use a smaller amount.',
  NotLiquidatable: 'The account is healthy (health factor at or above 1): it cannot be liquidated.',
  LeavesDebtDust: 'The liquidation would leave a debt below the dust threshold. Repay more, or use Max.',
  LeavesCollateralDust: 'The liquidation would leave a collateral remainder below the dust threshold. Repay more, or use Max.',
  CollateralOutBelowMinimum: 'You would receive less collateral than your minimum.',
  NoCollateral: 'The borrower holds none of this collateral asset.',
  NoDebt: 'There is no debt in this market to repay.',
  InsufficientReserves: 'The reserves hold less than requested.',
  InvalidConfig: 'A market parameter is out of bounds.',
  DeficitOutstanding: 'The market owes its suppliers a deficit: reserves stay until it is paid down.',
};

const ORACLE: Record<string, string> = {
  UnknownFeed: 'The oracle has no price feed for this asset.',
  NoPrice: 'The price feed has never had a price.',
  NotReporter: 'You are not a reporter of this feed.',
  ZeroPrice: 'A price of zero was submitted.',
  PriceOutOfBounds: "The price lies outside the feed's bounds.",
  ObservedInFuture: 'The observation time lies in the future.',
  NotNewer: 'The observation is not newer than your previous one.',
  SubmissionTooOld: 'The observation is older than the round window allows.',
  FeedFrozen: 'The price feed is frozen.',
  NotGovernance: 'Only governance may do this.',
  NotGuardian: 'Only the guardian or governance may do this.',
  TooManyAssets: 'Too many assets in one price read.',
};

const PSP22: Record<string, string> = {
  InsufficientBalance: 'Your wallet holds less of the token than this amount.',
  InsufficientAllowance: 'The pool is not allowed to take this much of your token yet (approve first).',
  ZeroRecipientAddress: 'The recipient is the zero address.',
  ZeroSenderAddress: 'The sender is the zero address.',
  CallerIsNotMinter: 'Only the token minter may mint.',
};

const POOL: Record<string, string> = {
  OracleCallFailed: 'The call to the price oracle failed.',
  TokenCallFailed: 'The call to the token contract failed.',
  NotGovernance: 'Only governance (the timelock) may do this.',
  NotGuardian: 'Only the guardian or governance may do this.',
  UnknownMarket: 'No market is listed for this asset.',
  MarketExists: 'A market is already listed for this asset.',
  TooManyMarkets: 'The pool lists the most markets it can.',
  TooManyAccountMarkets: 'Your account already has positions in the most markets an account may enter.',
  DecimalsMismatch: "The decimals differ from the token's own.",
  DecimalsImmutable: "A listed market's decimals cannot change.",
  ActionPaused: 'This action is paused in this market by the guardian or governance.',
  BorrowingDisabled: 'Borrowing is disabled in this market.',
  CollateralDisabled: "This market's supply cannot be used as collateral.",
  NoPosition: 'You have no position in this market.',
  SelfLiquidation: 'A borrower cannot liquidate itself.',
  LiquidationGracePeriod: 'Liquidations wait for the grace period after an unpause or a price feed recovery. Try again later.',
  InvalidPoolParams: 'A pool parameter is out of bounds.',
  RecipientIsPool: 'Tokens cannot be sent to the pool itself: nobody could get them back. Choose another recipient.',
  CollateralWithdrawPaused: 'Withdrawals are paused in the collateral market: take the collateral as supply (liquidate to supply) instead of tokens.',
};

const GOVERNOR: Record<string, string> = {
  NotTimelock: 'Only the timelock may change the governor.',
  InvalidParams: 'A parameter lies outside the governor\'s bounds.',
  DescriptionTooLong: 'The description is too long.',
  BelowProposalThreshold: 'Your votes (at the previous block) are below the proposal threshold. Delegate to yourself first.',
  ProposerHasLiveProposal: 'You already have a pending or active proposal.',
  UnknownProposal: 'No proposal has this id.',
  VotingClosed: 'Voting is not open on this proposal.',
  AlreadyVoted: 'You already voted on this proposal.',
  NoVotingPower: "You had no votes at this proposal's snapshot block. Delegate (to yourself) before a proposal's snapshot to vote on it.",
  NotSucceeded: 'Only a succeeded proposal can be queued.',
  NotCancelable: 'The proposal can no longer be canceled: its vote has ended (a queued batch can only be stopped by the guardian in the timelock).',
  NotProposer: 'Only the proposer may cancel while its votes stay above the threshold.',
  VotesCallFailed: 'The call to the votes token failed.',
  TimelockCallFailed: 'The call to the timelock failed.',
  Overflow: 'A block number or tally would overflow.',
  CodeNotFound: 'No code is uploaded under that hash.',
};

const VOTES: Record<string, string> = {
  FutureLookup: 'That block is not in the past yet.',
};

function humanize(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().replace(/^./, (c) => c.toUpperCase()) + '.';
}

export function explainPoolError(err: unknown, ctx: ErrorContext): string {
  const [name, inner] = variant(err);
  switch (name) {
    case 'Core': {
      const [core] = variant(inner);
      return CORE[core] ?? humanize(core);
    }
    case 'Oracle': {
      const [o] = variant(inner);
      return `The price oracle refused: ${ORACLE[o] ?? humanize(o)}`;
    }
    case 'Token': {
      const [t, detail] = variant(inner);
      return PSP22[t] ?? (detail ? `The token refused: ${String(detail)}` : `The token refused: ${humanize(t)}`);
    }
    case 'PriceNotOk': {
      const [asset, status] = inner as [string, string];
      const st = pascal(String(status));
      return `The ${ctx.symbol(asset)} price is ${st} (${FEED_STATUS_TEXT[st] ?? st}). Borrowing, withdrawing collateral and liquidating need fresh prices; wait for the oracle to update.`;
    }
    default:
      return POOL[name] ?? humanize(name);
  }
}

export function explainOracleError(err: unknown): string {
  const [name] = variant(err);
  return ORACLE[name] ?? humanize(name);
}

export function explainPsp22Error(err: unknown): string {
  const [name, detail] = variant(err);
  return PSP22[name] ?? (detail ? String(detail) : humanize(name));
}

export function explainGovernorError(err: unknown): string {
  const [name, inner] = variant(err);
  if (name === 'Votes') {
    const [v] = variant(inner);
    return VOTES[v] ?? `The votes token refused: ${humanize(v)}`;
  }
  if (name === 'Actions') return `The proposal's actions are malformed: ${humanize(variant(inner)[0])}`;
  if (name === 'Timelock') return `The timelock refused: ${humanize(variant(inner)[0])}`;
  return GOVERNOR[name] ?? humanize(name);
}

export function explainVotesError(err: unknown): string {
  const [name] = variant(err);
  return VOTES[name] ?? humanize(name);
}

/** Picks the explainer by the error type's name in the metadata (e.g. `CarrackPoolErrorPoolError`). */
export function explainContractError(typeName: string, err: unknown, ctx: ErrorContext): string {
  if (/PoolError/i.test(typeName)) return explainPoolError(err, ctx);
  if (/OracleError/i.test(typeName)) return explainOracleError(err);
  if (/Psp22Error/i.test(typeName)) return explainPsp22Error(err);
  if (/GovernorError/i.test(typeName)) return explainGovernorError(err);
  if (/VotesError/i.test(typeName)) return explainVotesError(err);
  const [name] = variant(err);
  return humanize(name);
}

/** A dispatch error (the extrinsic failed at the runtime level) in plain words. */
export function explainDispatch(section: string, name: string): string {
  if (section === 'contracts' && name === 'ContractReverted') {
    return 'The contract refused the transaction on chain (the state changed since the dry run). Review and try again.';
  }
  if (section === 'contracts' && name === 'OutOfGas') return 'The transaction ran out of gas.';
  if (section === 'balances' || name === 'InsufficientBalance') return 'Your account cannot pay the transaction fee.';
  if (section === 'contracts' && name === 'StorageDepositLimitExhausted') return 'The storage deposit limit was exhausted.';
  return `The chain refused the transaction: ${section}.${name}.`;
}
