//! The pool's one error type: a precise variant for every refusal, with the lending
//! math's, the oracle's and the tokens' own errors wrapped as they came.

use carrack_core::CoreError;
use carrack_interfaces::{FeedStatus, OracleError, PSP22Error};
use ink::primitives::AccountId;

/// Why the pool refused a call. A refused call changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum PoolError {
    /// The lending math refused (amounts, caps, cash, collateral, liquidation rules).
    Core(CoreError),
    /// The oracle refused the price read.
    Oracle(OracleError),
    /// A token refused a transfer.
    Token(PSP22Error),
    /// The oracle call failed at the chain level (trapped, or an undecodable answer).
    OracleCallFailed,
    /// A token call failed at the chain level (trapped, reverted, re-entry refused or an
    /// undecodable answer).
    TokenCallFailed,
    /// The price of an asset the action depends on is not fresh: the asset and its feed's
    /// status.
    PriceNotOk(AccountId, FeedStatus),
    /// The caller lacks the governance role.
    NotGovernance,
    /// The caller is neither the guardian nor governance.
    NotGuardian,
    /// No market is listed for the asset.
    UnknownMarket,
    /// A market is already listed for the asset.
    MarketExists,
    /// The pool's market limit is reached.
    TooManyMarkets,
    /// The account already has positions in the most markets an account may enter.
    TooManyAccountMarkets,
    /// The decimals given differ from the token's own `token_decimals`.
    DecimalsMismatch,
    /// A listed market's decimals cannot change.
    DecimalsImmutable,
    /// The action is paused in this market.
    ActionPaused,
    /// Borrowing is disabled in this market.
    BorrowingDisabled,
    /// This market's supply cannot be used as collateral.
    CollateralDisabled,
    /// The account has no position in this market.
    NoPosition,
    /// A borrower cannot liquidate itself.
    SelfLiquidation,
    /// Liquidation waits for the grace period after an unpause or a price feed recovery.
    LiquidationGracePeriod,
    /// A pool parameter is out of bounds.
    InvalidPoolParams,
    /// Tokens cannot be sent to the pool's own address: it would not count them, and
    /// nobody could get them back.
    RecipientIsPool,
    /// Withdrawals are paused in the collateral market, so a liquidation cannot pay the
    /// collateral out in tokens; `liquidate_to_supply` credits it as supply instead
    /// (audit L-5).
    CollateralWithdrawPaused,
    /// A flash loan fee above the highest allowed (1 %).
    FlashLoanFeeTooHigh,
    /// A flash loan's callback is running, and this message is not one it may call
    /// (only `supply`, `repay`, `liquidate`, `liquidate_to_supply` and the views are).
    FlashLoanActive,
    /// The flash loan's receiver did not acknowledge the loan (its `on_flash_loan`
    /// returned something other than [`carrack_interfaces::FLASH_LOAN_ACCEPTED`]).
    FlashLoanRejected,
    /// The flash loan's receiver could not be called, or its call failed (trapped, ran
    /// out of gas, or the address holds no receiver).
    FlashLoanCallbackFailed,
}

impl From<CoreError> for PoolError {
    fn from(err: CoreError) -> Self {
        PoolError::Core(err)
    }
}
