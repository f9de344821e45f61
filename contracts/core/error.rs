//! The one error type of the lending math. Every failure is a value: nothing here panics.

/// Why a computation or a check refused its inputs.
#[cfg_attr(feature = "ink", ink::scale_derive(Encode, Decode, TypeInfo))]
#[cfg_attr(
    all(feature = "ink", feature = "std"),
    derive(ink::storage::traits::StorageLayout)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreError {
    /// A result does not fit in `u128` (or an intermediate in 256 bits).
    Overflow,
    /// A subtraction would go below zero: more was taken than exists.
    Underflow,
    /// A division by zero was requested (an index, price or scale of zero).
    DivisionByZero,
    /// Token decimals above [`crate::MAX_DECIMALS`].
    UnsupportedDecimals,
    /// The amount is zero where a positive amount is required.
    ZeroAmount,
    /// The amount is too small to move even one scaled unit at the current index.
    AmountTooSmall,
    /// A listing seed would mint fewer dead shares than [`crate::MIN_DEAD_SHARES`].
    SeedTooSmall,
    /// The timestamp given is before the market's last accrual.
    TimeWentBackwards,
    /// A supply would push the market's total supply above its cap.
    SupplyCapExceeded,
    /// A borrow would push the market's total debt above its cap.
    BorrowCapExceeded,
    /// The position's debt would end between zero and the market's minimum debt.
    BelowMinimumDebt,
    /// The market's cash does not cover the withdrawal or borrow.
    InsufficientCash,
    /// The account holds fewer supplied tokens than requested.
    InsufficientSupply,
    /// The account owes less than the repayment requested.
    RepayExceedsDebt,
    /// The account's debt would exceed its borrowing power.
    InsufficientCollateral,
    /// The account's health factor is at or above one: it cannot be liquidated.
    NotLiquidatable,
    /// The liquidation would leave the borrower a debt worth less than the dust threshold;
    /// repay more (or `u128::MAX` to let the close factor and dust rule decide).
    LeavesDebtDust,
    /// Seizing the collateral would leave the borrower a collateral position worth less
    /// than the dust threshold, and taking it all needs a larger repayment than offered.
    LeavesCollateralDust,
    /// The liquidator would receive less collateral than its `min_collateral_out`.
    CollateralOutBelowMinimum,
    /// The borrower holds none of the collateral asset.
    NoCollateral,
    /// The borrower owes nothing in the debt asset.
    NoDebt,
    /// The reserves hold less than the amount requested.
    InsufficientReserves,
    /// A market configuration parameter is out of bounds (see [`crate::ConfigError`]).
    InvalidConfig(crate::ConfigError),
    /// Reserves cannot leave a market while it owes its suppliers a deficit: income
    /// pays the deficit down first (audit L-4).
    DeficitOutstanding,
}

impl From<crate::ConfigError> for CoreError {
    fn from(err: crate::ConfigError) -> Self {
        CoreError::InvalidConfig(err)
    }
}

/// Shorthand for results of this crate, for its callers. The crate's own signatures spell
/// `Result<T, CoreError>` out: cargo-mutants recognises a `Result` by that name only, and
/// generates the `Ok(0)`, `Ok(1)`, ... body replacements of its functions only then
/// (docs/mutants.md).
pub type CoreResult<T> = Result<T, CoreError>;
