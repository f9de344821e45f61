//! The price oracle's read interface, the one way the pool learns prices.

use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// Most decimals a price may have: the oracle refuses feeds with more, and the pool's
/// value math (`carrack-core`'s `price_to_wad`, exact for `0..=24`) handles every price
/// the oracle can report. One bound for both, so a feed can never be configured that
/// every priced pool action would refuse.
pub const MAX_PRICE_DECIMALS: u8 = 24;

/// How far a feed's price can be trusted right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum FeedStatus {
    /// Fresh and accepted by a reporter quorum.
    Ok,
    /// Older than the feed's heartbeat: the last good price, kept readable.
    Stale,
    /// A new level beyond the deviation limit awaits confirmation by a later round in
    /// which at least a quorum of reporters each submitted within the limit of it; the
    /// value is still the last good price.
    Suspect,
    /// Frozen by the guardian or governance; the value is the last good price.
    Frozen,
    /// Set by governance as an emergency price, not by reporters.
    Emergency,
}

/// A price with everything needed to judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct PriceData {
    /// Quote units per whole token, scaled by `10^decimals`.
    pub value: u128,
    /// Decimals of `value`.
    pub decimals: u8,
    /// When the price was observed (Unix seconds), as reported.
    pub updated_at_secs: u64,
    /// The feed's status at the time of the read.
    pub status: FeedStatus,
    /// Since when (Unix seconds) the feed has been served by its reporters without an
    /// outage; meaningful only when `status` is `Ok`. It restarts when the feed becomes
    /// `Ok` after an outage (no price yet, Stale, Frozen or Emergency), not when a
    /// confirmed jump ends `Suspect`. Consumers use it for a grace period after a
    /// recovery.
    pub ok_since_secs: u64,
}

/// Why the oracle refused a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum OracleError {
    /// No feed exists for the asset.
    UnknownFeed,
    /// The feed exists but has never had a price.
    NoPrice,
    /// The caller is not a reporter of this feed.
    NotReporter,
    /// A price of zero was submitted.
    ZeroPrice,
    /// The price lies outside the feed's absolute bounds.
    PriceOutOfBounds,
    /// `observed_at` lies in the future.
    ObservedInFuture,
    /// `observed_at` is not newer than this reporter's previous submission.
    NotNewer,
    /// `observed_at` is older than the feed's round window allows.
    SubmissionTooOld,
    /// The feed is frozen.
    FeedFrozen,
    /// The caller lacks the governance role.
    NotGovernance,
    /// The caller lacks the guardian or governance role.
    NotGuardian,
    /// The feed limit is reached.
    TooManyFeeds,
    /// A feed already exists for the asset.
    FeedExists,
    /// The reporter limit is reached.
    TooManyReporters,
    /// The account is already a reporter of the feed.
    ReporterExists,
    /// The account is not a reporter of the feed.
    UnknownReporter,
    /// The quorum must be odd, at most the number of reporters `n` and more than
    /// `⌊(n−1)/2⌋` (so `2 × quorum ≥ n`); see the oracle's feed rules.
    InvalidQuorum,
    /// Bounds must satisfy `0 < min_price <= max_price`.
    InvalidBounds,
    /// The heartbeat, round window or deviation limit is out of range.
    InvalidTiming,
    /// Price decimals above [`MAX_PRICE_DECIMALS`].
    InvalidDecimals,
    /// Too many assets in one batch read.
    TooManyAssets,
    /// A feed's decimals cannot change: its price, candidate and bounds are in them.
    DecimalsImmutable,
    /// The new bounds do not contain the feed's current price.
    BoundsExcludePrice,
}

/// Read prices.
#[ink::trait_definition]
pub trait PriceOracle {
    /// The last good price of `asset` with its status and age.
    #[ink(message)]
    fn price(&self, asset: AccountId) -> Result<PriceData, OracleError>;

    /// The prices of several assets in one call, one answer per asset in the order
    /// asked: what [`PriceOracle::price`] answers for it. An asset without a price
    /// (`NoPrice`, `UnknownFeed`) fails only its own entry; the call as a whole fails only
    /// for too many assets (`TooManyAssets`).
    #[ink(message)]
    fn prices(
        &self,
        assets: Vec<AccountId>,
    ) -> Result<Vec<Result<PriceData, OracleError>>, OracleError>;
}
