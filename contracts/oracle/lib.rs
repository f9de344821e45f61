//! Carrack's on-chain price oracle. Each asset has a feed fed by a set of authorised
//! reporters; a round closes when every reporter has submitted, or after its window with
//! at least a quorum of submissions, and the median of all of them becomes the price if
//! it passes the deviation guard. A feed of `n` reporters tolerates `⌊(n − 1)/2⌋` lying
//! reporters while the honest ones are live. Stale, suspect, frozen and emergency prices
//! are reported as such, and the last good price is always readable. See [`feed`] for
//! the rules and the exact fault bound.
//!
//! Roles ([`carrack_interfaces::AdminRoles`], shared with the pool): `governance` (the
//! timelock) configures everything, replaces the code and is handed over in two steps;
//! the `guardian` can freeze a feed but never unfreeze it.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod feed;
pub mod median;

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod integrity_tests;

#[ink::contract]
pub mod oracle {
    use crate::feed::{Feed, FeedChange, FeedConfig, FeedUpdate};
    use carrack_interfaces::{
        AdminError, AdminRoles, CodeUpgraded, Governed, OracleError, PriceData, PriceOracle,
    };
    use ink::prelude::vec::Vec;
    use ink::storage::traits::ManualKey;
    use ink::storage::{Lazy, Mapping};

    /// Most feeds one oracle serves (and most assets per batch read).
    pub const MAX_FEEDS: usize = 32;

    /// A reporter's submission was recorded. Its one topic past the signature is the
    /// reporter, whom a relayer's operator filters by; the asset is in the data (each
    /// topic costs about 127 µs of weight, more than a storage read).
    #[ink(event)]
    pub struct PriceSubmitted {
        /// The asset.
        pub asset: AccountId,
        /// The reporter.
        #[ink(topic)]
        pub reporter: AccountId,
        /// The price submitted.
        pub price: u128,
        /// When the reporter observed it.
        pub observed_at_secs: u64,
    }

    /// Something about a feed changed: a round closed (its median accepted or held by the
    /// deviation guard) or expired, its status moved, or governance configured, removed,
    /// re-staffed or overrode it. One event type with a [`FeedChange`] payload rather than
    /// one per kind: the oracle's code is loaded on every health check of the pool, and
    /// each event type costs code. Its one topic past the signature is the asset.
    #[ink(event)]
    pub struct FeedChanged {
        /// The asset.
        #[ink(topic)]
        pub asset: AccountId,
        /// What changed.
        pub change: FeedChange,
    }

    /// The oracle.
    #[ink(storage)]
    pub struct Oracle {
        roles: AdminRoles,
        feeds: Mapping<AccountId, Feed, ManualKey<0x4f52_0001>>,
        assets: Lazy<Vec<AccountId>, ManualKey<0x4f52_0002>>,
    }

    impl Oracle {
        /// An oracle administered by `governance` (the timelock), with `guardian`.
        #[ink(constructor)]
        pub fn new(governance: AccountId, guardian: AccountId) -> Self {
            let mut oracle = Self {
                roles: AdminRoles::new(governance, guardian),
                feeds: Mapping::new(),
                assets: Lazy::new(),
            };
            oracle.assets.set(&Vec::new());
            oracle
        }

        /// Records a reporter's price for `asset` observed at `observed_at_secs`, and
        /// closes the round when every reporter has submitted, or when its window has
        /// passed and it holds a quorum (or expires it below a quorum); see [`feed`].
        #[ink(message)]
        pub fn submit(
            &mut self,
            asset: AccountId,
            price: u128,
            observed_at_secs: u64,
        ) -> Result<(), OracleError> {
            let mut feed = self.feed(asset)?;
            let reporter = self.env().caller();
            let changes = feed.submit(reporter, price, observed_at_secs, self.now_secs())?;
            self.feeds.insert(asset, &feed);
            self.env().emit_event(PriceSubmitted {
                asset,
                reporter,
                price,
                observed_at_secs,
            });
            for change in changes {
                self.emit_change(asset, change);
            }
            Ok(())
        }

        /// The assets with a feed.
        #[ink(message)]
        pub fn assets(&self) -> Vec<AccountId> {
            self.assets.get().unwrap_or_default()
        }

        /// Everything about a feed: parameters, reporters with their pending
        /// submissions, the last good price, any candidate held by the deviation guard,
        /// the frozen and emergency flags, and since when the feed has been `Ok`.
        #[ink(message)]
        pub fn feed_info(&self, asset: AccountId) -> Result<Feed, OracleError> {
            self.feed(asset)
        }

        /// Adds a feed for `asset` (governance).
        #[ink(message)]
        pub fn add_feed(
            &mut self,
            asset: AccountId,
            config: FeedConfig,
            reporters: Vec<AccountId>,
        ) -> Result<(), OracleError> {
            self.ensure_governance()?;
            if self.feeds.contains(asset) {
                return Err(OracleError::FeedExists);
            }
            let mut assets = self.assets();
            if assets.len() >= MAX_FEEDS {
                return Err(OracleError::TooManyFeeds);
            }
            let feed = Feed::new(config, reporters)?;
            assets.push(asset);
            self.assets.set(&assets);
            self.feeds.insert(asset, &feed);
            self.emit_change(asset, FeedChange::Configured { config });
            for reporter in feed.reporters.iter() {
                self.emit_change(
                    asset,
                    FeedChange::ReporterChanged {
                        reporter: reporter.account,
                        active: true,
                    },
                );
            }
            Ok(())
        }

        /// Changes an existing feed (governance; the guardian may only freeze): replaces
        /// its parameters, adds or removes a reporter, freezes or unfreezes it, sets an
        /// emergency price or removes it; see [`FeedUpdate`] and [`Feed::apply`] for each
        /// rule and refusal. Emits one `FeedChanged` per change, a status change included
        /// (a new heartbeat can end or start staleness; unfreezing can end an outage).
        #[ink(message)]
        pub fn update_feed(
            &mut self,
            asset: AccountId,
            update: FeedUpdate,
        ) -> Result<(), OracleError> {
            if update.guardian_may() {
                self.roles
                    .ensure_guardian_or_governance(self.env().caller())
                    .map_err(|_| OracleError::NotGuardian)?;
            } else {
                self.ensure_governance()?;
            }
            let mut feed = self.feed(asset)?;
            let changes = feed.apply(update, self.now_secs())?;
            if update == FeedUpdate::Remove {
                let mut assets = self.assets();
                assets.retain(|a| *a != asset);
                self.assets.set(&assets);
                self.feeds.remove(asset);
            } else {
                self.feeds.insert(asset, &feed);
            }
            for change in changes {
                self.emit_change(asset, change);
            }
            Ok(())
        }

        fn feed(&self, asset: AccountId) -> Result<Feed, OracleError> {
            self.feeds.get(asset).ok_or(OracleError::UnknownFeed)
        }

        fn ensure_governance(&self) -> Result<(), OracleError> {
            self.roles
                .ensure_governance(self.env().caller())
                .map_err(|_| OracleError::NotGovernance)
        }

        /// Block time in whole seconds (the chain reports milliseconds).
        fn now_secs(&self) -> u64 {
            self.env().block_timestamp() / 1_000
        }

        fn price_data(&self, asset: AccountId, now: u64) -> Result<PriceData, OracleError> {
            self.feed(asset)?.price_data(now)
        }

        fn emit_change(&self, asset: AccountId, change: FeedChange) {
            self.env().emit_event(FeedChanged { asset, change });
        }
    }

    impl PriceOracle for Oracle {
        #[ink(message)]
        fn price(&self, asset: AccountId) -> Result<PriceData, OracleError> {
            self.price_data(asset, self.now_secs())
        }

        #[ink(message)]
        fn prices(
            &self,
            assets: Vec<AccountId>,
        ) -> Result<Vec<Result<PriceData, OracleError>>, OracleError> {
            if assets.len() > MAX_FEEDS {
                return Err(OracleError::TooManyAssets);
            }
            let now = self.now_secs();
            Ok(assets
                .into_iter()
                .map(|asset| self.price_data(asset, now))
                .collect())
        }
    }

    impl Governed for Oracle {
        /// Governance, its nominee and the guardian.
        #[ink(message)]
        fn admin_roles(&self) -> AdminRoles {
            self.roles
        }

        /// Nominates the next governance account (governance); `None` withdraws it.
        #[ink(message)]
        fn nominate_governance(&mut self, pending: Option<AccountId>) -> Result<(), AdminError> {
            let event = self.roles.nominate(self.env().caller(), pending)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// The nominee takes governance over.
        #[ink(message)]
        fn accept_governance(&mut self) -> Result<(), AdminError> {
            let event = self.roles.accept(self.env().caller())?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Replaces the guardian (governance).
        #[ink(message)]
        fn set_guardian(&mut self, guardian: AccountId) -> Result<(), AdminError> {
            let event = self.roles.set_guardian(self.env().caller(), guardian)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Replaces the oracle's code, keeping every feed (governance). The new code must
        /// read the same storage layout (`ManualKey`s and root fields).
        #[ink(message)]
        fn set_code_hash(&mut self, code_hash: Hash) -> Result<(), AdminError> {
            self.roles.ensure_governance(self.env().caller())?;
            self.env()
                .set_code_hash(&code_hash)
                .map_err(|_| AdminError::CodeNotFound)?;
            self.env().emit_event(CodeUpgraded { code_hash });
            Ok(())
        }
    }
}
