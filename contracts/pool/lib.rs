//! Carrack's lending pool: many markets in one contract, index-based accounting with
//! internal cash, account health from one batched oracle read, liquidation with close
//! factor, bonus, protocol fee, dust rules and bad-debt write-off, reserves, and pauses.
//!
//! All lending math is `carrack-core`'s; the modules here hold the pool's own plain
//! logic ([`account`], [`books`], [`health`], [`liquidation`], [`views`]), tested
//! natively. Each message checks the caller, runs its body from [`actions`] (which
//! reads markets, prices and the time through [`actions::Ledger`], implemented by the
//! contract and, in the invariant fuzzer `fuzz.rs`, by a model of the chain), stores,
//! emits events and makes the token transfers last. ink!'s default refusal of re-entry
//! stays on: a token cannot call back into the pool during a transfer.
//!
//! Roles ([`carrack_interfaces::AdminRoles`], shared with the oracle): `governance` (the
//! timelock) lists and configures markets, unpauses, withdraws reserves, replaces the
//! code and hands its role over in two steps; the `guardian` can pause but never
//! unpause.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod account;
pub mod actions;
pub mod books;
pub mod error;
pub mod events;
pub mod health;
pub mod liquidation;
pub mod market;
pub mod params;
pub mod views;

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod test_fixtures;

#[ink::contract]
pub mod pool {
    use crate::account::Account;
    use crate::actions::{self, Ledger};
    use crate::books::Books;
    use crate::error::PoolError;
    use crate::events::*;
    use crate::health::PriceList;
    use crate::liquidation::LiquidationRequest;
    use crate::market::{Actions, Market, MarketParams};
    use crate::params::PoolParams;
    use crate::views::{self, AccountView, Limits, MarketView};
    use carrack_core::MarketState;
    use carrack_interfaces::{
        AdminError, AdminRoles, CodeUpgraded, Governed, PSP22Metadata, PriceOracle, PSP22,
    };
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::vec::Vec;
    use ink::storage::traits::ManualKey;
    use ink::storage::{Lazy, Mapping};

    /// Most markets one pool lists.
    pub const MAX_MARKETS: usize = 16;

    /// The lending pool.
    #[ink(storage)]
    pub struct Pool {
        roles: AdminRoles,
        oracle: AccountId,
        params: PoolParams,
        assets: Lazy<Vec<AccountId>, ManualKey<0x504f_0001>>,
        markets: Mapping<AccountId, Market, ManualKey<0x504f_0002>>,
        accounts: Mapping<AccountId, Account, ManualKey<0x504f_0003>>,
    }

    impl Pool {
        /// A pool administered by `governance` (the timelock), with `guardian`, reading
        /// prices from `oracle`.
        #[ink(constructor)]
        pub fn new(
            governance: AccountId,
            guardian: AccountId,
            oracle: AccountId,
            params: PoolParams,
        ) -> Result<Self, PoolError> {
            params.validate()?;
            let mut pool = Self {
                roles: AdminRoles::new(governance, guardian),
                oracle,
                params,
                assets: Lazy::new(),
                markets: Mapping::new(),
                accounts: Mapping::new(),
            };
            pool.assets.set(&Vec::new());
            Ok(pool)
        }

        // ---------------------------------------------------------------- user actions

        /// Supplies `amount` of `asset` from the caller to `on_behalf_of`'s position.
        /// Needs the caller's PSP22 allowance. Works whatever the prices. The account's
        /// own supply into a position whose collateral flag it has not chosen yet makes
        /// it collateral (emitting `CollateralChanged`) when the market takes collateral
        /// (enabled, LTV above zero, not paused for collateral) and the asset's price is
        /// `Ok`; otherwise the choice stays open for a later own supply. Supplies never
        /// override a choice made with `enable_collateral` / `disable_collateral`, and a
        /// supply on someone else's behalf never changes their collateral flag.
        #[ink(message)]
        pub fn supply(
            &mut self,
            asset: AccountId,
            amount: u128,
            on_behalf_of: AccountId,
        ) -> Result<(), PoolError> {
            let payer = self.env().caller();
            let mut account = self.account_of(on_behalf_of);
            let (books, scaled, becomes_collateral) =
                actions::supply(self, &mut account, asset, amount, payer == on_behalf_of)?;
            self.store(&books, on_behalf_of, &account);
            self.env().emit_event(Supplied {
                asset,
                payer,
                on_behalf_of,
                amount,
                scaled,
            });
            if becomes_collateral {
                self.env().emit_event(CollateralChanged {
                    asset,
                    account: on_behalf_of,
                    enabled: true,
                });
            }
            self.pull(asset, payer, amount)
        }

        /// Withdraws `amount` (or `u128::MAX` for everything) of the caller's supply of
        /// `asset` to `to` (never the pool itself); returns the amount withdrawn.
        /// Withdrawing collateral while owing needs fresh prices and must stay within
        /// borrowing power.
        #[ink(message)]
        pub fn withdraw(
            &mut self,
            asset: AccountId,
            amount: u128,
            to: AccountId,
        ) -> Result<u128, PoolError> {
            let caller = self.env().caller();
            self.ensure_not_pool(to)?;
            let mut account = self.account_of(caller);
            let (books, amount, scaled) = actions::withdraw(self, &mut account, asset, amount)?;
            self.store(&books, caller, &account);
            self.env().emit_event(Withdrawn {
                asset,
                account: caller,
                to,
                amount,
                scaled,
            });
            self.push(asset, to, amount)?;
            Ok(amount)
        }

        /// Borrows `amount` of `asset` to the caller. Needs fresh prices for every asset
        /// of the account and must stay within its borrowing power, the market's borrow
        /// cap and minimum debt.
        #[ink(message)]
        pub fn borrow(&mut self, asset: AccountId, amount: u128) -> Result<(), PoolError> {
            let caller = self.env().caller();
            let mut account = self.account_of(caller);
            let (books, scaled) = actions::borrow(self, &mut account, asset, amount)?;
            self.store(&books, caller, &account);
            self.env().emit_event(Borrowed {
                asset,
                account: caller,
                amount,
                scaled,
            });
            self.push(asset, caller, amount)
        }

        /// Repays `amount` (or `u128::MAX` for the whole debt, leaving no dust) of
        /// `on_behalf_of`'s debt in `asset` from the caller; returns the amount repaid.
        /// Never paused and needs no price.
        #[ink(message)]
        pub fn repay(
            &mut self,
            asset: AccountId,
            amount: u128,
            on_behalf_of: AccountId,
        ) -> Result<u128, PoolError> {
            let payer = self.env().caller();
            let mut account = self.account_of(on_behalf_of);
            let (books, amount, scaled) = actions::repay(self, &mut account, asset, amount)?;
            self.store(&books, on_behalf_of, &account);
            self.env().emit_event(Repaid {
                asset,
                payer,
                on_behalf_of,
                amount,
                scaled,
            });
            self.pull(asset, payer, amount)?;
            Ok(amount)
        }

        /// Lets the caller's supply of `asset` count as collateral. Needs an `Ok` price
        /// for `asset`.
        #[ink(message)]
        pub fn enable_collateral(&mut self, asset: AccountId) -> Result<(), PoolError> {
            self.set_collateral(asset, true)
        }

        /// Stops the caller's supply of `asset` counting as collateral. While owing, needs
        /// fresh prices and must stay within borrowing power.
        #[ink(message)]
        pub fn disable_collateral(&mut self, asset: AccountId) -> Result<(), PoolError> {
            self.set_collateral(asset, false)
        }

        /// Repays up to `repay_amount` (or `u128::MAX` for as much as allowed) of
        /// `borrower`'s debt in `debt_asset` from the caller and takes `borrower`'s
        /// collateral in `collateral_asset` with the bonus, less the protocol fee.
        /// Only below health factor 1 and outside the markets' grace periods; the two
        /// assets need prices `Ok` past the feed grace period, or `Emergency`. The
        /// health factor counts other collateral only at `Ok` or `Emergency` prices and
        /// other debt at its last good price. Refused if the caller would receive less
        /// than `min_collateral_out`. Debt left without any collateral is written off.
        /// Paying collateral out is a withdrawal: refused with `CollateralWithdrawPaused`
        /// while the collateral market's withdrawals are paused, when
        /// `liquidate_to_supply` still works. Returns `(repaid, collateral received)`.
        #[ink(message)]
        pub fn liquidate(
            &mut self,
            borrower: AccountId,
            debt_asset: AccountId,
            collateral_asset: AccountId,
            repay_amount: u128,
            min_collateral_out: u128,
        ) -> Result<(u128, u128), PoolError> {
            let request = LiquidationRequest {
                debt_asset,
                collateral_asset,
                repay_amount,
                min_collateral_out,
            };
            self.liquidate_with(borrower, &request, false)
        }

        /// As `liquidate`, but the caller's part of the collateral is credited to it as
        /// supply in `collateral_asset` (emitting `SeizedAsSupply`) instead of sent as
        /// tokens, so the liquidation needs none of that market's cash (audit M-4: a
        /// borrower cannot shield itself by having the collateral market's cash borrowed
        /// away). The new supply does not count as the caller's collateral until it
        /// enables it; it can be withdrawn, all or in part, as cash allows. Returns
        /// `(repaid, collateral credited)`; the shares minted round down, so they may read
        /// back as one unit less.
        #[ink(message)]
        pub fn liquidate_to_supply(
            &mut self,
            borrower: AccountId,
            debt_asset: AccountId,
            collateral_asset: AccountId,
            repay_amount: u128,
            min_collateral_out: u128,
        ) -> Result<(u128, u128), PoolError> {
            let request = LiquidationRequest {
                debt_asset,
                collateral_asset,
                repay_amount,
                min_collateral_out,
            };
            self.liquidate_with(borrower, &request, true)
        }

        // ------------------------------------------------------------------ governance

        /// Lists a market for `asset` (governance). `params.config.decimals` must match
        /// the token's own; `seed_amount` is pulled from the caller and supplied as dead
        /// shares nobody owns, so the market can never be empty (no share inflation).
        #[ink(message)]
        pub fn list_market(
            &mut self,
            asset: AccountId,
            params: MarketParams,
            seed_amount: u128,
        ) -> Result<(), PoolError> {
            let caller = self.ensure_governance()?;
            if self.markets.contains(asset) {
                return Err(PoolError::MarketExists);
            }
            let mut assets = self.markets();
            if assets.len() >= MAX_MARKETS {
                return Err(PoolError::TooManyMarkets);
            }
            let token: ink::contract_ref!(PSP22Metadata) = asset.into();
            match token.call().token_decimals().try_invoke() {
                Ok(Ok(decimals)) if decimals == params.config.decimals => {}
                Ok(Ok(_)) => return Err(PoolError::DecimalsMismatch),
                _ => return Err(PoolError::TokenCallFailed),
            }
            let state = MarketState::list(&params.config, seed_amount, self.now_secs())?;
            assets.push(asset);
            self.assets.set(&assets);
            self.markets.insert(
                asset,
                &Market {
                    params,
                    state,
                    paused: Actions::default(),
                    liquidation_grace_until_secs: 0,
                },
            );
            self.env().emit_event(MarketListed {
                asset,
                params,
                seed_amount,
            });
            self.pull(asset, caller, seed_amount)
        }

        /// Replaces a market's parameters (governance), after accruing interest at the
        /// old ones. Decimals cannot change.
        #[ink(message)]
        pub fn set_market_params(
            &mut self,
            asset: AccountId,
            params: MarketParams,
        ) -> Result<(), PoolError> {
            self.ensure_governance()?;
            let books = actions::set_market_params(self, asset, params)?;
            self.store_markets(&books);
            self.env().emit_event(MarketParamsChanged { asset, params });
            Ok(())
        }

        /// Pauses `actions` in a market (guardian or governance). Repay cannot be paused.
        #[ink(message)]
        pub fn pause(&mut self, asset: AccountId, actions: Actions) -> Result<(), PoolError> {
            let caller = self.env().caller();
            self.roles
                .ensure_guardian_or_governance(caller)
                .map_err(|_| PoolError::NotGuardian)?;
            let mut market = self.market_record(asset)?;
            actions::pause(&mut market, actions);
            self.store_pause(asset, &market, caller);
            Ok(())
        }

        /// Unpauses `actions` in a market (governance only). Resuming a paused
        /// liquidation starts the market's liquidation grace period, so borrowers can act
        /// before liquidators; unpausing other actions leaves the grace period as it is.
        #[ink(message)]
        pub fn unpause(&mut self, asset: AccountId, actions: Actions) -> Result<(), PoolError> {
            let caller = self.ensure_governance()?;
            let mut market = self.market_record(asset)?;
            actions::unpause(
                &mut market,
                actions,
                self.now_secs(),
                self.params.liquidation_grace_secs,
            );
            self.store_pause(asset, &market, caller);
            Ok(())
        }

        /// Sends `amount` of a market's reserves to `to` (governance; never the pool
        /// itself). Never more than the reserves, so depositors' cash cannot be taken.
        #[ink(message)]
        pub fn withdraw_reserves(
            &mut self,
            asset: AccountId,
            amount: u128,
            to: AccountId,
        ) -> Result<(), PoolError> {
            self.ensure_governance()?;
            self.ensure_not_pool(to)?;
            let books = actions::withdraw_reserves(self, asset, amount)?;
            self.store_markets(&books);
            self.env()
                .emit_event(ReservesWithdrawn { asset, to, amount });
            self.push(asset, to, amount)
        }

        /// Replaces the pool-wide parameters (governance).
        #[ink(message)]
        pub fn set_pool_params(&mut self, params: PoolParams) -> Result<(), PoolError> {
            self.ensure_governance()?;
            params.validate()?;
            self.params = params;
            self.env().emit_event(PoolParamsChanged { params });
            Ok(())
        }

        /// Replaces the oracle (governance).
        #[ink(message)]
        pub fn set_oracle(&mut self, oracle: AccountId) -> Result<(), PoolError> {
            self.ensure_governance()?;
            self.oracle = oracle;
            self.env().emit_event(OracleChanged { oracle });
            Ok(())
        }

        // ----------------------------------------------------------------------- views

        /// The listed markets' assets, in listing order.
        #[ink(message)]
        pub fn markets(&self) -> Vec<AccountId> {
            self.assets.get().unwrap_or_default()
        }

        /// A market with totals, utilization, rates, caps, configuration and pauses, with
        /// interest accrued to now.
        #[ink(message)]
        pub fn market(&self, asset: AccountId) -> Result<MarketView, PoolError> {
            let books = self.load_books(&[asset])?;
            views::market_view(asset, *books.get(asset)?)
        }

        /// An account's positions, collateral and debt values, borrowing power and health
        /// factor, valued as a liquidation values them: collateral at an `Ok` or
        /// `Emergency` price and as zero otherwise, debt at its last good price
        /// (`prices_ok` says whether all are fresh); a debt without any price refuses
        /// the view with the oracle's error.
        #[ink(message)]
        pub fn account(&self, account: AccountId) -> Result<AccountView, PoolError> {
            let account = self.account_of(account);
            let assets: Vec<AccountId> = account.positions.iter().map(|p| p.asset).collect();
            let books = self.load_books(&assets)?;
            let prices = self.read_prices(&account.priced_assets())?;
            views::account_view(&account, &books, &prices)
        }

        /// How much of `asset` the account can withdraw and borrow now.
        #[ink(message)]
        pub fn limits(&self, account: AccountId, asset: AccountId) -> Result<Limits, PoolError> {
            let account = self.account_of(account);
            let mut assets = account.priced_assets();
            let mut books = self.load_books(&assets)?;
            self.load_into(&mut books, &[asset])?;
            if !assets.contains(&asset) {
                assets.push(asset);
            }
            let prices = self.read_prices(&assets)?;
            views::limits(&account, &books, &prices, asset)
        }

        /// The oracle and the pool-wide parameters (roles: `Governed::admin_roles`).
        #[ink(message)]
        pub fn settings(&self) -> (AccountId, PoolParams) {
            (self.oracle, self.params)
        }

        // --------------------------------------------------------------------- helpers

        fn set_collateral(&mut self, asset: AccountId, enabled: bool) -> Result<(), PoolError> {
            let caller = self.env().caller();
            let mut account = self.account_of(caller);
            actions::set_collateral(self, &mut account, asset, enabled)?;
            self.accounts.insert(caller, &account);
            self.env().emit_event(CollateralChanged {
                asset,
                account: caller,
                enabled,
            });
            Ok(())
        }

        /// `liquidate` (`to_supply` false) and `liquidate_to_supply` (true).
        fn liquidate_with(
            &mut self,
            borrower: AccountId,
            request: &LiquidationRequest,
            to_supply: bool,
        ) -> Result<(u128, u128), PoolError> {
            let liquidator = self.env().caller();
            let mut account = self.account_of(borrower);
            let mut receiver = if to_supply {
                Some(self.account_of(liquidator))
            } else {
                None
            };
            let (books, outcome) = actions::liquidate(
                self,
                &self.params,
                liquidator,
                borrower,
                &mut account,
                request,
                receiver.as_mut(),
            )?;
            self.store(&books, borrower, &account);
            if let Some(receiver) = &receiver {
                // Never empty: it was just credited a position.
                self.accounts.insert(liquidator, receiver);
            }
            let plan = outcome.plan;
            let (debt_asset, collateral_asset) = (request.debt_asset, request.collateral_asset);
            self.env().emit_event(Liquidated {
                borrower,
                liquidator,
                debt_asset,
                collateral_asset,
                repaid: plan.repay,
                collateral_seized: plan.collateral_seized,
                protocol_fee: plan.protocol_fee,
                debt_scaled_burned: outcome.debt_scaled_burned,
                collateral_scaled_burned: outcome.collateral_scaled_burned,
            });
            if let Some(scaled) = outcome.credited_scaled {
                self.env().emit_event(SeizedAsSupply {
                    asset: collateral_asset,
                    liquidator,
                    amount: plan.liquidator_collateral,
                    scaled,
                });
            }
            for (asset, write_off) in outcome.bad_debt {
                self.env().emit_event(BadDebtWrittenOff {
                    asset,
                    borrower,
                    debt: write_off.debt,
                    scaled_debt: write_off.scaled_debt,
                    absorbed_by_reserves: write_off.absorbed_by_reserves,
                    added_to_deficit: write_off.added_to_deficit,
                });
            }
            self.pull(debt_asset, liquidator, plan.repay)?;
            if receiver.is_none() {
                self.push(collateral_asset, liquidator, plan.liquidator_collateral)?;
            }
            Ok((plan.repay, plan.liquidator_collateral))
        }

        fn market_record(&self, asset: AccountId) -> Result<Market, PoolError> {
            self.markets.get(asset).ok_or(PoolError::UnknownMarket)
        }

        fn account_of(&self, account: AccountId) -> Account {
            self.accounts.get(account).unwrap_or_default()
        }

        /// Writes back the changed markets (emitting their accruals) and the account,
        /// removing it from storage once it has no positions.
        fn store(&mut self, books: &Books, owner: AccountId, account: &Account) {
            self.store_markets(books);
            if account.positions.is_empty() {
                self.accounts.remove(owner);
            } else {
                self.accounts.insert(owner, account);
            }
        }

        fn store_markets(&mut self, books: &Books) {
            for loaded in books.changed() {
                self.markets.insert(loaded.asset, &loaded.market);
                let accrual = loaded.accrual;
                if loaded.halted_lending() {
                    // Paused by the pool itself: `by` is its own address.
                    self.env().emit_event(PauseChanged {
                        asset: loaded.asset,
                        by: self.env().account_id(),
                        paused: loaded.market.paused,
                        liquidation_grace_until_secs: loaded.market.liquidation_grace_until_secs,
                    });
                }
                if loaded.reports_accrual() {
                    self.env().emit_event(InterestAccrued {
                        asset: loaded.asset,
                        interest: accrual.interest,
                        reserve_share: accrual.reserve_share,
                        deficit_covered: accrual.deficit_covered,
                        borrow_index_ray: loaded.market.state.borrow_index_ray,
                        supply_index_ray: loaded.market.state.supply_index_ray,
                    });
                }
            }
        }

        fn store_pause(&mut self, asset: AccountId, market: &Market, by: AccountId) {
            self.markets.insert(asset, market);
            self.env().emit_event(PauseChanged {
                asset,
                by,
                paused: market.paused,
                liquidation_grace_until_secs: market.liquidation_grace_until_secs,
            });
        }

        /// Takes `amount` of `asset` from `from` into the pool (needs an allowance).
        fn pull(&self, asset: AccountId, from: AccountId, amount: u128) -> Result<(), PoolError> {
            let mut token: ink::contract_ref!(PSP22) = asset.into();
            let pool = self.env().account_id();
            Self::token_result(
                token
                    .call_mut()
                    .transfer_from(from, pool, amount, Vec::new())
                    .try_invoke(),
            )
        }

        /// Sends `amount` of `asset` from the pool to `to`.
        fn push(&self, asset: AccountId, to: AccountId, amount: u128) -> Result<(), PoolError> {
            let mut token: ink::contract_ref!(PSP22) = asset.into();
            Self::token_result(
                token
                    .call_mut()
                    .transfer(to, amount, Vec::new())
                    .try_invoke(),
            )
        }

        fn token_result(
            result: ink::env::Result<
                ink::MessageResult<Result<(), carrack_interfaces::PSP22Error>>,
            >,
        ) -> Result<(), PoolError> {
            match result {
                Ok(Ok(Ok(()))) => Ok(()),
                Ok(Ok(Err(err))) => Err(PoolError::Token(err)),
                _ => Err(PoolError::TokenCallFailed),
            }
        }

        /// Refuses to send tokens to the pool's own address: PSP22 `transfer` to oneself
        /// moves nothing, so the claim would be burned and the tokens left outside the
        /// books for good.
        fn ensure_not_pool(&self, to: AccountId) -> Result<(), PoolError> {
            if to == self.env().account_id() {
                return Err(PoolError::RecipientIsPool);
            }
            Ok(())
        }

        fn ensure_governance(&self) -> Result<AccountId, PoolError> {
            let caller = self.env().caller();
            self.roles
                .ensure_governance(caller)
                .map_err(|_| PoolError::NotGovernance)?;
            Ok(caller)
        }

        /// Block time in whole seconds (the chain reports milliseconds).
        fn now_secs(&self) -> u64 {
            self.env().block_timestamp() / 1_000
        }
    }

    /// The contract's storage, oracle and clock, as the message logic in
    /// [`crate::actions`] reads them.
    impl Ledger for Pool {
        fn load_into(&self, books: &mut Books, assets: &[AccountId]) -> Result<(), PoolError> {
            let now = self.now_secs();
            for asset in assets {
                if !books.contains(*asset) {
                    books.load(*asset, self.market_record(*asset)?, now)?;
                }
            }
            Ok(())
        }

        /// The prices of `assets` in one oracle call, one answer per asset, paired with
        /// their assets.
        fn read_prices(&self, assets: &[AccountId]) -> Result<PriceList, PoolError> {
            if assets.is_empty() {
                return Ok(Vec::new());
            }
            let oracle: ink::contract_ref!(PriceOracle) = self.oracle.into();
            let reads = match oracle.call().prices(assets.to_vec()).try_invoke() {
                Ok(Ok(Ok(reads))) => reads,
                Ok(Ok(Err(err))) => return Err(PoolError::Oracle(err)),
                _ => return Err(PoolError::OracleCallFailed),
            };
            if reads.len() != assets.len() {
                return Err(PoolError::OracleCallFailed);
            }
            Ok(assets.iter().copied().zip(reads).collect())
        }

        fn now_secs(&self) -> u64 {
            // The inherent helper: `self.env()` is only in scope in the contract's impls.
            Pool::now_secs(self)
        }
    }

    impl Governed for Pool {
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

        /// Replaces the pool's code, keeping every market and position (governance). The
        /// new code must read the same storage layout (`ManualKey`s and root fields).
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
