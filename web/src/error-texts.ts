// Plain-words texts for every variant of every contract's error enums, by enum name (the
// last segment of its Rust path) and variant name as the metadata spells them. Release
// metadata carries no doc comments, so the texts are kept here, following the doc
// comments in contracts/. tests/errors.test.mjs checks this table against the release
// bundles' metadata (web/scripts/error-variants.mjs): it fails when a variant of any
// contract has no text, or when a text names a variant the contracts no longer have.
// No imports at run time (unit-tested in Node).

import type { ErrorContext } from './errors';

/**
 * How a variant reads: a sentence; a sentence made from the variant's fields (as decoded:
 * one value, or an array for several); or, for a variant carrying another error enum's
 * value (`wraps`, that enum's name), that error's text after `prefix`.
 */
export type ErrorText = string | { wraps: string; prefix?: string } | ((fields: unknown, ctx: ErrorContext) => string);

/** A feed's status (`carrack_interfaces::oracle::FeedStatus`) in words. */
export const FEED_STATUS_TEXT: Record<string, string> = {
  Ok: 'fresh and accepted by a quorum of reporters',
  Stale: 'stale: no new price within the heartbeat',
  Suspect: 'suspect: a large jump awaits confirmation by the next round',
  Frozen: 'frozen by the guardian or governance',
  Emergency: 'an emergency price set by governance',
};

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "action #3" for a variant carrying an action's index. */
const action = (index: unknown) => `action #${String(index)}`;

/** Every error enum's texts, by enum name, then variant name. */
export const ERROR_TEXTS: Record<string, Record<string, ErrorText>> = {
  PoolError: {
    Core: { wraps: 'CoreError' },
    Oracle: { wraps: 'OracleError', prefix: 'The price oracle refused: ' },
    Token: { wraps: 'PSP22Error' },
    OracleCallFailed: 'The call to the price oracle failed.',
    TokenCallFailed: 'The call to the token contract failed.',
    PriceNotOk: (fields, ctx) => {
      const [asset, status] = fields as [string, string];
      const st = pascal(String(status));
      return `The ${ctx.symbol(asset)} price is ${st} (${FEED_STATUS_TEXT[st] ?? st}). Borrowing, withdrawing collateral and liquidating need fresh prices; wait for the oracle to update.`;
    },
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
    FlashLoanFeeTooHigh: 'A flash loan fee may be at most 1 %.',
    FlashLoanActive: "A flash loan's callback is running: only supply, repay and liquidations may be called until it returns.",
    FlashLoanRejected: 'The flash loan receiver did not accept the loan (it must answer FLASH_LOAN_ACCEPTED).',
    FlashLoanCallbackFailed: 'The flash loan receiver could not be called, or its callback failed.',
  },
  CoreError: {
    Overflow: 'A figure would overflow. Use a smaller amount.',
    Underflow: 'More would be taken than exists.',
    DivisionByZero: 'A price or index of zero makes the computation impossible.',
    UnsupportedDecimals: 'The token has more decimals than the pool supports.',
    ZeroAmount: 'The amount must be more than zero.',
    AmountTooSmall: 'The amount is too small to move even one share at the current index. Use a larger amount.',
    SeedTooSmall: 'The listing seed is too small.',
    TimeWentBackwards: 'The chain time went backwards relative to the market.',
    SupplyCapExceeded: 'This supply would push the market above its supply cap.',
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
    InvalidConfig: { wraps: 'ConfigError', prefix: 'A market parameter is out of bounds: ' },
    DeficitOutstanding: 'The market owes its suppliers a deficit: reserves stay until it is paid down.',
  },
  ConfigError: {
    DecimalsTooLarge: 'The token has more decimals than the pool supports.',
    LtvNotBelowLiquidationThreshold: 'The LTV must be below the liquidation threshold (unless both are zero).',
    LiquidationThresholdNotBelowOne: 'The liquidation threshold must be below 100 %.',
    LiquidationBonusNotAboveOne: 'A collateral market needs a liquidation bonus above 100 %.',
    LiquidationBonusTooHigh: 'The liquidation bonus is above its maximum.',
    ThresholdTimesBonusTooHigh: 'The liquidation threshold times the bonus is above 0.95: a partial liquidation could lower the health factor it should raise.',
    ProtocolFeeAboveOne: "The protocol's share of the liquidation bonus is above 100 %.",
    ReserveFactorAboveOne: 'The reserve factor is above 100 %.',
    OptimalUtilizationOutOfRange: 'The kink (optimal utilization) must lie strictly between 0 and 100 %.',
    BorrowRateAboveCap: "The rate model's top borrow rate is above the 1000 %/yr cap.",
    MinDebtAboveBorrowCap: 'The minimum debt is above the borrow cap: nobody could borrow.',
  },
  OracleError: {
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
    TooManyFeeds: 'The oracle holds the most feeds it can.',
    FeedExists: 'A feed already exists for this asset.',
    TooManyReporters: 'The feed has the most reporters it can.',
    ReporterExists: 'The account is already a reporter of this feed.',
    UnknownReporter: 'The account is not a reporter of this feed.',
    InvalidQuorum: 'The quorum must be odd, at most the number of reporters and at least half of them.',
    InvalidBounds: 'The price bounds must satisfy 0 < minimum ≤ maximum.',
    InvalidTiming: 'The heartbeat, round window or deviation limit is out of range.',
    InvalidDecimals: 'The price has more decimals than the oracle supports.',
    TooManyAssets: 'Too many assets in one price read.',
    DecimalsImmutable: "A feed's decimals cannot change.",
    BoundsExcludePrice: "The new bounds do not contain the feed's current price.",
  },
  PSP22Error: {
    Custom: (detail) => `The token refused: ${String(detail)}`,
    InsufficientBalance: 'Your wallet holds less of the token than this amount.',
    InsufficientAllowance: 'The pool is not allowed to take this much of your token yet (approve first).',
    ZeroRecipientAddress: 'The recipient is the zero address.',
    ZeroSenderAddress: 'The sender is the zero address.',
    SafeTransferCheckFailed: (detail) => `The token refused: ${String(detail)}`,
    CallerIsNotMinter: 'Only the token minter may mint.',
    CallerIsNotPendingMinter: 'Only the account nominated as the next minter may accept the role.',
    TotalSupplyOverflow: "Minting this would overflow the token's total supply.",
  },
  AdminError: {
    NotGovernance: 'Only governance (the timelock) may do this.',
    NotGuardian: 'Only the guardian or governance may do this.',
    NotPendingGovernance: 'Only the account nominated to take governance over may accept it.',
    CodeNotFound: 'No code is uploaded under that hash.',
    FlashLoanActive: "A flash loan's callback is running: no admin message runs until it returns.",
  },
  GovernorError: {
    NotTimelock: 'Only the timelock may change the governor.',
    InvalidParams: "A parameter lies outside the governor's bounds.",
    InvalidLimits: "The governor's bounds are inconsistent.",
    Actions: { wraps: 'ActionsError', prefix: "The proposal's actions are malformed: " },
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
    Votes: { wraps: 'VotesError' },
    Timelock: { wraps: 'TimelockError', prefix: 'The timelock refused: ' },
    VotesCallFailed: 'The call to the votes token failed.',
    TimelockCallFailed: 'The call to the timelock failed.',
    Overflow: 'A block number or tally would overflow.',
    CodeNotFound: 'No code is uploaded under that hash.',
  },
  VotesError: {
    FutureLookup: 'That block is not in the past yet.',
    CheckpointOverflow: 'The account has the most vote checkpoints the token can store.',
    VotesOverflow: 'The votes would overflow.',
  },
  ActionsError: {
    NoActions: 'There are no actions.',
    TooManyActions: 'There are more actions than a batch may hold.',
    InputTooLong: (index) => `The input of ${action(index)} is too long.`,
  },
  TimelockError: {
    NotGovernor: 'Only the governor may queue a batch.',
    NotGovernorOrGuardian: 'Only the governor or the guardian may cancel a batch.',
    NotTimelock: 'Only the timelock itself (a queued batch) may change its settings.',
    NotDeployer: "Only the timelock's deployer may bind its first governor.",
    GovernorAlreadyBound: 'The governor is already bound.',
    Actions: { wraps: 'ActionsError', prefix: 'The batch is malformed: ' },
    UnknownBatch: 'No batch has this id.',
    AlreadyExecuted: 'The batch was already executed.',
    BatchCanceled: 'The batch was canceled.',
    NotReady: "The batch's delay has not passed yet.",
    BatchExpired: "The batch's grace period is over: it can no longer be executed.",
    ActionFailed: (index) => `${pascal(action(index))} failed, so the whole execution was undone.`,
    UnknownSelfCall: (index) => `${pascal(action(index))} calls the timelock but names none of its settings.`,
    InvalidSelfCallInput: (index) => `The arguments of ${action(index)} (a call to the timelock) do not decode.`,
    InvalidDelay: 'The delay lies outside its bounds.',
    CodeNotFound: 'No code is uploaded under that hash.',
    Overflow: 'A time or id computation would overflow.',
    AcceptRefused: { wraps: 'AdminError', prefix: 'The contract refused to hand governance to the timelock: ' },
    AcceptFailed: 'The call handing governance to the timelock failed.',
    GuardianChangeNotCancelable: 'The guardian may not cancel a batch that replaces a guardian.',
    GuardianCheckFailed: (index) => `The roles of the contract ${action(index)} calls could not be read, so the guardian may not cancel this batch.`,
  },
  LangError: {
    CouldNotReadInput: 'The contract could not decode the call: the served metadata does not match its code.',
  },
};
