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
    use crate::feed::{Feed, FeedConfig, FeedEvent};
    use carrack_interfaces::{
        AdminError, AdminRoles, CodeUpgraded, FeedStatus, Governed, OracleError, PriceData,
        PriceOracle,
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

    /// A round's median became the asset's price.
    #[ink(event)]
    pub struct PriceAccepted {
        /// The asset.
        #[ink(topic)]
        pub asset: AccountId,
        /// The new price.
        pub price: u128,
        /// Its observation time.
        pub updated_at_secs: u64,
    }

    /// A round's window passed with fewer than a quorum of submissions: they were dropped,
    /// and the submission that found it opened the next round.
    #[ink(event)]
    pub struct RoundExpired {
        /// The asset.
        #[ink(topic)]
        pub asset: AccountId,
        /// How many submissions were dropped.
        pub dropped: u8,
    }

    /// A round's median deviated beyond the limit and awaits confirmation.
    #[ink(event)]
    pub struct PriceHeld {
        /// The asset.
        #[ink(topic)]
        pub asset: AccountId,
        /// The median held back.
        pub candidate: u128,
        /// The last good price, still in force.
        pub last_good: u128,
    }

    /// A feed's status changed.
    #[ink(event)]
    pub struct FeedStatusChanged {
        /// The asset.
        #[ink(topic)]
        pub asset: AccountId,
        /// The status before.
        pub from: FeedStatus,
        /// The status after.
        pub to: FeedStatus,
    }

    /// A feed was added or its parameters changed (which drops the round in progress).
    #[ink(event)]
    pub struct FeedConfigured {
        /// The asset.
        #[ink(topic)]
        pub asset: AccountId,
        /// The parameters now in force.
        pub config: FeedConfig,
    }

    /// A feed was removed.
    #[ink(event)]
    pub struct FeedRemoved {
        /// The asset.
        #[ink(topic)]
        pub asset: AccountId,
    }

    /// A reporter was added to (`active`) or removed from a feed.
    #[ink(event)]
    pub struct ReporterChanged {
        /// The asset.
        #[ink(topic)]
        pub asset: AccountId,
        /// The reporter.
        #[ink(topic)]
        pub reporter: AccountId,
        /// Whether it is now a reporter.
        pub active: bool,
    }

    /// Governance set an emergency price.
    #[ink(event)]
    pub struct EmergencyPriceSet {
        /// The asset.
        #[ink(topic)]
        pub asset: AccountId,
        /// The price.
        pub price: u128,
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
            let events = feed.submit(
                self.env().caller(),
                price,
                observed_at_secs,
                self.now_secs(),
            )?;
            self.feeds.insert(asset, &feed);
            self.emit_feed_events(asset, events);
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
            self.env().emit_event(FeedConfigured { asset, config });
            for reporter in feed.reporters.iter() {
                self.env().emit_event(ReporterChanged {
                    asset,
                    reporter: reporter.account,
                    active: true,
                });
            }
            Ok(())
        }

        /// Removes a feed and frees its storage (governance).
        #[ink(message)]
        pub fn remove_feed(&mut self, asset: AccountId) -> Result<(), OracleError> {
            self.ensure_governance()?;
            self.feed(asset)?;
            let mut assets = self.assets();
            assets.retain(|a| *a != asset);
            self.assets.set(&assets);
            self.feeds.remove(asset);
            self.env().emit_event(FeedRemoved { asset });
            Ok(())
        }

        /// Replaces a feed's parameters (governance) and drops the round in progress. The
        /// decimals cannot change (`DecimalsImmutable`) and the bounds must contain the
        /// current price (`BoundsExcludePrice`). A new heartbeat can move the feed into or
        /// out of `Stale`; such a change is emitted as `FeedStatusChanged`.
        #[ink(message)]
        pub fn set_feed_config(
            &mut self,
            asset: AccountId,
            config: FeedConfig,
        ) -> Result<(), OracleError> {
            self.ensure_governance()?;
            let mut feed = self.feed(asset)?;
            let now = self.now_secs();
            let before = feed.status(now);
            // A new heartbeat can end or start staleness; `set_config` keeps
            // `ok_since_secs` in step.
            feed.set_config(config, now)?;
            self.feeds.insert(asset, &feed);
            self.env().emit_event(FeedConfigured { asset, config });
            self.emit_status_change(asset, before, feed.status(now));
            Ok(())
        }

        /// Adds a reporter to a feed (governance); refused with `InvalidQuorum` if the
        /// quorum would be a minority of the larger set.
        #[ink(message)]
        pub fn add_reporter(
            &mut self,
            asset: AccountId,
            reporter: AccountId,
        ) -> Result<(), OracleError> {
            self.change_reporter(asset, reporter, true)
        }

        /// Removes a reporter and its pending submission from a feed (governance); refused
        /// with `InvalidQuorum` if the quorum would exceed the smaller set.
        #[ink(message)]
        pub fn remove_reporter(
            &mut self,
            asset: AccountId,
            reporter: AccountId,
        ) -> Result<(), OracleError> {
            self.change_reporter(asset, reporter, false)
        }

        /// Freezes a feed: no submissions, status `Frozen` (guardian or governance).
        #[ink(message)]
        pub fn freeze(&mut self, asset: AccountId) -> Result<(), OracleError> {
            let caller = self.env().caller();
            self.roles
                .ensure_guardian_or_governance(caller)
                .map_err(|_| OracleError::NotGuardian)?;
            self.set_frozen(asset, true)
        }

        /// Unfreezes a feed (governance only; the guardian cannot).
        #[ink(message)]
        pub fn unfreeze(&mut self, asset: AccountId) -> Result<(), OracleError> {
            self.ensure_governance()?;
            self.set_frozen(asset, false)
        }

        /// Sets an emergency price within the feed's bounds (`PriceOutOfBounds`
        /// otherwise), marked `Emergency` until reporters take over (governance).
        #[ink(message)]
        pub fn set_emergency_price(
            &mut self,
            asset: AccountId,
            price: u128,
        ) -> Result<(), OracleError> {
            self.ensure_governance()?;
            let mut feed = self.feed(asset)?;
            let now = self.now_secs();
            let before = feed.status(now);
            feed.set_emergency_price(price, now)?;
            self.feeds.insert(asset, &feed);
            self.env().emit_event(EmergencyPriceSet { asset, price });
            self.emit_status_change(asset, before, feed.status(now));
            Ok(())
        }

        fn change_reporter(
            &mut self,
            asset: AccountId,
            reporter: AccountId,
            active: bool,
        ) -> Result<(), OracleError> {
            self.ensure_governance()?;
            let mut feed = self.feed(asset)?;
            if active {
                feed.add_reporter(reporter)?;
            } else {
                feed.remove_reporter(reporter)?;
            }
            self.feeds.insert(asset, &feed);
            self.env().emit_event(ReporterChanged {
                asset,
                reporter,
                active,
            });
            Ok(())
        }

        fn set_frozen(&mut self, asset: AccountId, frozen: bool) -> Result<(), OracleError> {
            let mut feed = self.feed(asset)?;
            let now = self.now_secs();
            let before = feed.status(now);
            feed.set_frozen(frozen, now);
            self.feeds.insert(asset, &feed);
            self.emit_status_change(asset, before, feed.status(now));
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

        fn emit_status_change(&self, asset: AccountId, from: FeedStatus, to: FeedStatus) {
            if from != to {
                self.env().emit_event(FeedStatusChanged { asset, from, to });
            }
        }

        fn emit_feed_events(&self, asset: AccountId, events: Vec<FeedEvent>) {
            for event in events {
                match event {
                    FeedEvent::Submitted {
                        reporter,
                        price,
                        observed_at_secs,
                    } => self.env().emit_event(PriceSubmitted {
                        asset,
                        reporter,
                        price,
                        observed_at_secs,
                    }),
                    FeedEvent::RoundExpired { dropped } => {
                        self.env().emit_event(RoundExpired { asset, dropped })
                    }
                    FeedEvent::PriceAccepted {
                        price,
                        updated_at_secs,
                    } => self.env().emit_event(PriceAccepted {
                        asset,
                        price,
                        updated_at_secs,
                    }),
                    FeedEvent::PriceHeld {
                        candidate,
                        last_good,
                    } => self.env().emit_event(PriceHeld {
                        asset,
                        candidate,
                        last_good,
                    }),
                    FeedEvent::StatusChanged { from, to } => {
                        self.emit_status_change(asset, from, to)
                    }
                }
            }
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
