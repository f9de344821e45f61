//! Carrack's lending pool: many markets in one contract, index-based accounting with
//! internal cash, account health from one batched oracle read, liquidation with close
//! factor, bonus, protocol fee, dust rules and bad-debt write-off, reserves, and pauses.
//!
//! All lending math is `carrack-core`'s; the modules here hold the pool's own plain
//! logic ([`account`], [`loaded_markets`], [`health`], [`liquidation`], [`views`]),
//! tested natively. Each message checks the caller's role where it has one, runs its
//! rules from [`actions`] (which read markets, accounts, prices and the time through
//! [`actions::PoolReads`]) and applies the returned [`outcome::Outcome`] with
//! [`outcome::commit`]: storage writes, then events, then the token transfers last. The
//! contract implements `PoolReads` and [`outcome::Host`] over its storage, the oracle,
//! `emit_event` and the PSP22 tokens; the invariant fuzzer `fuzz/` implements both over
//! a model of the chain, so it runs the same actions and the same `commit`. ink!'s
//! default refusal of re-entry stays on (a token cannot call back into the pool during a
//! transfer) except on one path: a flash loan's callback to its receiver, during which an
//! in-storage lock limits the pool to `supply`, `repay`, the liquidations and the views
//! ([`flash_loan`]).
//!
//! Roles ([`carrack_interfaces::AdminRoles`], shared with the oracle): `governance` (the
//! timelock) lists and configures markets, unpauses, withdraws reserves, replaces the
//! code and hands its role over in two steps; the `guardian` can pause but never
//! unpause.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod account;
pub mod actions;
pub mod error;
pub mod events;
pub mod flash_loan;
pub mod health;
pub mod liquidation;
pub mod loaded_markets;
pub mod market;
pub mod outcome;
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
    use crate::account::{Account, ACCOUNTS_STORAGE_KEY};
    use crate::actions::{self, PoolReads};
    use crate::error::PoolError;
    use crate::events::{OracleChanged, PoolParamsChanged};
    use crate::flash_loan;
    use crate::health::PriceList;
    use crate::liquidation::LiquidationRequest;
    use crate::market::{Market, MarketParams, PauseFlags};
    use crate::outcome::{commit, Host, PoolEvent, Transfer};
    use crate::params::PoolParams;
    use crate::views::{self, AccountView, Limits, MarketView};
    use carrack_interfaces::{
        versioned, AdminError, AdminRoles, CodeUpgraded, FlashLoanReceiver, Governed,
        PSP22Metadata, PriceOracle, FLASH_LOAN_ACCEPTED, PSP22,
    };
    use ink::env::CallFlags;
    // `self.env()` in the `PoolReads` and `Host` impls (ink! brings it into scope in the
    // contract's own impls only).
    use ink::codegen::Env as _;
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::vec::Vec;
    use ink::storage::traits::ManualKey;
    use ink::storage::Mapping;

    pub use crate::market::MAX_MARKETS;

    /// The lending pool.
    #[ink(storage)]
    pub struct Pool {
        roles: AdminRoles,
        oracle: AccountId,
        params: PoolParams,
        /// The listed markets, in listing order (at most [`MAX_MARKETS`]), in the root
        /// cell: ink! 5 reads the root on every message and writes it back after every
        /// `&mut self` one anyway, so a market's read and write ride on that instead of
        /// costing a storage access each (`cost-anatomy-2026-12.md` §7, P3).
        markets: Vec<(AccountId, Market)>,
        accounts: Mapping<AccountId, Account, ManualKey<ACCOUNTS_STORAGE_KEY>>,
        /// Set while a flash loan's receiver runs its callback: then only the messages
        /// run through [`out_of_line_reentrant`] (supply, repay and both liquidations)
        /// and the views work; every other message is refused with `FlashLoanActive`
        /// (or `AdminError::FlashLoanActive`) by [`out_of_line`].
        flash_loan_active: bool,
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
            Ok(Self {
                roles: AdminRoles::new(governance, guardian),
                oracle,
                params,
                markets: Vec::new(),
                accounts: Mapping::new(),
                flash_loan_active: false,
            })
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
            out_of_line_reentrant(Self::supply_body, self, (asset, amount, on_behalf_of))
        }

        /// The body of [`Pool::supply`].
        fn supply_body(
            &mut self,
            (asset, amount, on_behalf_of): (AccountId, u128, AccountId),
        ) -> Result<(), PoolError> {
            let payer = self.env().caller();
            let outcome = actions::supply(self, payer, asset, amount, on_behalf_of)?;
            commit(self, outcome)
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
            out_of_line(Self::withdraw_body, self, (asset, amount, to))
        }

        /// The body of [`Pool::withdraw`].
        fn withdraw_body(
            &mut self,
            (asset, amount, to): (AccountId, u128, AccountId),
        ) -> Result<u128, PoolError> {
            let caller = self.env().caller();
            let (outcome, amount) = actions::withdraw(self, caller, asset, amount, to)?;
            commit(self, outcome)?;
            Ok(amount)
        }

        /// Borrows `amount` of `asset` to the caller. Needs fresh prices for every asset
        /// of the account and must stay within its borrowing power, the market's borrow
        /// cap and minimum debt.
        #[ink(message)]
        pub fn borrow(&mut self, asset: AccountId, amount: u128) -> Result<(), PoolError> {
            out_of_line(Self::borrow_body, self, (asset, amount))
        }

        /// The body of [`Pool::borrow`].
        fn borrow_body(&mut self, (asset, amount): (AccountId, u128)) -> Result<(), PoolError> {
            let caller = self.env().caller();
            let outcome = actions::borrow(self, caller, asset, amount)?;
            commit(self, outcome)
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
            out_of_line_reentrant(Self::repay_body, self, (asset, amount, on_behalf_of))
        }

        /// The body of [`Pool::repay`].
        fn repay_body(
            &mut self,
            (asset, amount, on_behalf_of): (AccountId, u128, AccountId),
        ) -> Result<u128, PoolError> {
            let payer = self.env().caller();
            let (outcome, amount) = actions::repay(self, payer, asset, amount, on_behalf_of)?;
            commit(self, outcome)?;
            Ok(amount)
        }

        /// Lets the caller's supply of `asset` count as collateral. Needs an `Ok` price
        /// for `asset`.
        #[ink(message)]
        pub fn enable_collateral(&mut self, asset: AccountId) -> Result<(), PoolError> {
            out_of_line(Self::set_collateral, self, (asset, true))
        }

        /// Stops the caller's supply of `asset` counting as collateral. While owing, needs
        /// fresh prices and must stay within borrowing power.
        #[ink(message)]
        pub fn disable_collateral(&mut self, asset: AccountId) -> Result<(), PoolError> {
            out_of_line(Self::set_collateral, self, (asset, false))
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
            out_of_line_reentrant(Self::liquidate_with, self, (borrower, request, false))
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
            out_of_line_reentrant(Self::liquidate_with, self, (borrower, request, true))
        }

        /// Lends `amount` of `asset` to `receiver` for the length of this call (a flash
        /// loan): sends it, calls the receiver's `FlashLoanReceiver::on_flash_loan` with
        /// the caller as `initiator`, the fee and `data`, and then pulls `amount + fee`
        /// back from the receiver with `transfer_from`; the fee (the market's
        /// `flash_loan_fee_wad`, rounded up) goes to reserves, paying down any deficit
        /// first. The receiver must answer `FLASH_LOAN_ACCEPTED`; a trap, another answer
        /// or a short repayment reverts everything. While the callback runs, the
        /// receiver (or anyone it calls) may use `supply`, `repay`, `liquidate`,
        /// `liquidate_to_supply` and the views, and nothing else: this is the one call
        /// that lets a contract call back into the pool (THREAT_MODEL.md, re-entry).
        #[ink(message)]
        pub fn flash_loan(
            &mut self,
            receiver: AccountId,
            asset: AccountId,
            amount: u128,
            data: Vec<u8>,
        ) -> Result<(), PoolError> {
            out_of_line(Self::flash_loan_body, self, (receiver, asset, amount, data))
        }

        /// The body of [`Pool::flash_loan`].
        fn flash_loan_body(
            &mut self,
            (receiver, asset, amount, data): (AccountId, AccountId, u128, Vec<u8>),
        ) -> Result<(), PoolError> {
            let initiator = self.env().caller();
            let (outcome, ticket) = flash_loan::begin(self, initiator, receiver, asset, amount)?;
            // The market with its cash lowered, and the tokens to the receiver (a plain
            // token call: the token still cannot re-enter).
            commit(self, outcome)?;
            self.flash_loan_active = true;
            // A re-entered message reads the root from storage, not this instance: write
            // it now, lock included.
            ink::env::set_contract_storage(&<Self as ink::storage::traits::StorageKey>::KEY, self);
            let mut callee: ink::contract_ref!(FlashLoanReceiver) = receiver.into();
            let reply = versioned(
                callee
                    .call_mut()
                    .on_flash_loan(initiator, asset, amount, ticket.fee, data)
                    .call_flags(CallFlags::ALLOW_REENTRY),
            )
            .try_invoke();
            // What the callback's re-entered messages stored (this instance is stale:
            // writing it back would undo them).
            *self =
                ink::env::get_contract_storage(&<Self as ink::storage::traits::StorageKey>::KEY)
                    .ok()
                    .flatten()
                    .ok_or(PoolError::FlashLoanCallbackFailed)?;
            match reply {
                Ok(Ok(FLASH_LOAN_ACCEPTED)) => {}
                Ok(Ok(_)) => return Err(PoolError::FlashLoanRejected),
                _ => return Err(PoolError::FlashLoanCallbackFailed),
            }
            self.flash_loan_active = false;
            let outcome = flash_loan::end(self, &ticket)?;
            commit(self, outcome)
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
            out_of_line(Self::list_market_body, self, (asset, params, seed_amount))
        }

        /// The body of [`Pool::list_market`].
        fn list_market_body(
            &mut self,
            (asset, params, seed_amount): (AccountId, MarketParams, u128),
        ) -> Result<(), PoolError> {
            let caller = self.ensure_governance()?;
            let outcome = actions::list_market(self, caller, asset, params, seed_amount)?;
            commit(self, outcome)
        }

        /// Replaces a market's parameters (governance), after accruing interest at the
        /// old ones. Decimals cannot change.
        #[ink(message)]
        pub fn set_market_params(
            &mut self,
            asset: AccountId,
            params: MarketParams,
        ) -> Result<(), PoolError> {
            out_of_line(Self::set_market_params_body, self, (asset, params))
        }

        /// The body of [`Pool::set_market_params`].
        fn set_market_params_body(
            &mut self,
            (asset, params): (AccountId, MarketParams),
        ) -> Result<(), PoolError> {
            self.ensure_governance()?;
            let outcome = actions::set_market_params(self, asset, params)?;
            commit(self, outcome)
        }

        /// Pauses `actions` in a market (guardian or governance). Repay cannot be paused.
        #[ink(message)]
        pub fn pause(&mut self, asset: AccountId, actions: PauseFlags) -> Result<(), PoolError> {
            out_of_line(Self::pause_body, self, (asset, actions))
        }

        /// The body of [`Pool::pause`].
        fn pause_body(
            &mut self,
            (asset, actions): (AccountId, PauseFlags),
        ) -> Result<(), PoolError> {
            let caller = self.env().caller();
            self.roles
                .ensure_guardian_or_governance(caller)
                .map_err(|_| PoolError::NotGuardian)?;
            let outcome = actions::pause(self, caller, asset, actions)?;
            commit(self, outcome)
        }

        /// Unpauses `actions` in a market (governance only). Resuming a paused
        /// liquidation starts the market's liquidation grace period, so borrowers can act
        /// before liquidators; unpausing other actions leaves the grace period as it is.
        #[ink(message)]
        pub fn unpause(&mut self, asset: AccountId, actions: PauseFlags) -> Result<(), PoolError> {
            out_of_line(Self::unpause_body, self, (asset, actions))
        }

        /// The body of [`Pool::unpause`].
        fn unpause_body(
            &mut self,
            (asset, actions): (AccountId, PauseFlags),
        ) -> Result<(), PoolError> {
            let caller = self.ensure_governance()?;
            let grace_secs = self.params.liquidation_grace_secs;
            let outcome = actions::unpause(self, caller, asset, actions, grace_secs)?;
            commit(self, outcome)
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
            out_of_line(Self::withdraw_reserves_body, self, (asset, amount, to))
        }

        /// The body of [`Pool::withdraw_reserves`].
        fn withdraw_reserves_body(
            &mut self,
            (asset, amount, to): (AccountId, u128, AccountId),
        ) -> Result<(), PoolError> {
            self.ensure_governance()?;
            let outcome = actions::withdraw_reserves(self, asset, amount, to)?;
            commit(self, outcome)
        }

        /// Replaces the pool-wide parameters (governance).
        #[ink(message)]
        pub fn set_pool_params(&mut self, params: PoolParams) -> Result<(), PoolError> {
            out_of_line(Self::set_pool_params_body, self, params)
        }

        fn set_pool_params_body(&mut self, params: PoolParams) -> Result<(), PoolError> {
            self.ensure_governance()?;
            params.validate()?;
            self.params = params;
            self.env().emit_event(PoolParamsChanged { params });
            Ok(())
        }

        /// Replaces the oracle (governance).
        #[ink(message)]
        pub fn set_oracle(&mut self, oracle: AccountId) -> Result<(), PoolError> {
            out_of_line(Self::set_oracle_body, self, oracle)
        }

        fn set_oracle_body(&mut self, oracle: AccountId) -> Result<(), PoolError> {
            self.ensure_governance()?;
            self.oracle = oracle;
            self.env().emit_event(OracleChanged { oracle });
            Ok(())
        }

        // ----------------------------------------------------------------------- views

        /// The listed markets' assets, in listing order.
        #[ink(message)]
        pub fn markets(&self) -> Vec<AccountId> {
            self.markets.iter().map(|(asset, _)| *asset).collect()
        }

        /// A market with totals, utilization, rates, caps, configuration and pauses, with
        /// interest accrued to now.
        #[ink(message)]
        pub fn market(&self, asset: AccountId) -> Result<MarketView, PoolError> {
            out_of_line_view(Self::market_body, self, (asset,))
        }

        /// The body of [`Pool::market`].
        fn market_body(&self, (asset,): (AccountId,)) -> Result<MarketView, PoolError> {
            let books = self.load_markets(&[asset])?;
            views::market_view(asset, *books.get(asset)?)
        }

        /// An account's positions, collateral and debt values, borrowing power and health
        /// factor, valued as a liquidation values them: collateral at an `Ok` or
        /// `Emergency` price and as zero otherwise, debt at its last good price
        /// (`prices_ok` says whether all are fresh); a debt without any price refuses
        /// the view with the oracle's error.
        #[ink(message)]
        pub fn account(&self, account: AccountId) -> Result<AccountView, PoolError> {
            out_of_line_view(Self::account_body, self, (account,))
        }

        /// The body of [`Pool::account`].
        fn account_body(&self, (account,): (AccountId,)) -> Result<AccountView, PoolError> {
            let account = self.account_of(account);
            let assets: Vec<AccountId> = account.positions.iter().map(|p| p.asset).collect();
            let books = self.load_markets(&assets)?;
            let prices = self.read_prices(&account.priced_assets())?;
            views::account_view(&account, &books, &prices)
        }

        /// How much of `asset` the account can withdraw and borrow now.
        #[ink(message)]
        pub fn limits(&self, account: AccountId, asset: AccountId) -> Result<Limits, PoolError> {
            out_of_line_view(Self::limits_body, self, (account, asset))
        }

        /// The body of [`Pool::limits`].
        fn limits_body(
            &self,
            (account, asset): (AccountId, AccountId),
        ) -> Result<Limits, PoolError> {
            let account = self.account_of(account);
            let mut assets = account.priced_assets();
            let mut books = self.load_markets(&assets)?;
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

        fn set_collateral(&mut self, (asset, enabled): (AccountId, bool)) -> Result<(), PoolError> {
            let caller = self.env().caller();
            let outcome = actions::set_collateral(self, caller, asset, enabled)?;
            commit(self, outcome)
        }

        /// `liquidate` (`to_supply` false) and `liquidate_to_supply` (true).
        fn liquidate_with(
            &mut self,
            (borrower, request, to_supply): (AccountId, LiquidationRequest, bool),
        ) -> Result<(u128, u128), PoolError> {
            let liquidator = self.env().caller();
            let (outcome, done) = actions::liquidate(
                self,
                &self.params,
                liquidator,
                borrower,
                &request,
                to_supply,
            )?;
            commit(self, outcome)?;
            Ok((done.plan.repay, done.plan.liquidator_collateral))
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

    /// The contract's storage, oracle, tokens and clock, as the rules in
    /// [`crate::actions`] read them.
    impl PoolReads for Pool {
        fn market_record(&self, asset: AccountId) -> Result<Market, PoolError> {
            self.markets
                .iter()
                .find(|(listed, _)| *listed == asset)
                .map(|(_, market)| *market)
                .ok_or(PoolError::UnknownMarket)
        }

        fn listed_assets(&self) -> Vec<AccountId> {
            self.markets()
        }

        fn account_of(&self, owner: AccountId) -> Account {
            self.accounts.get(owner).unwrap_or_default()
        }

        /// The prices of `assets` in one oracle call, one answer per asset, paired with
        /// their assets.
        fn read_prices(&self, assets: &[AccountId]) -> Result<PriceList, PoolError> {
            if assets.is_empty() {
                return Ok(Vec::new());
            }
            let oracle: ink::contract_ref!(PriceOracle) = self.oracle.into();
            let reads = match versioned(oracle.call().prices(assets.to_vec())).try_invoke() {
                Ok(Ok(Ok(reads))) => reads,
                Ok(Ok(Err(err))) => return Err(PoolError::Oracle(err)),
                _ => return Err(PoolError::OracleCallFailed),
            };
            if reads.len() != assets.len() {
                return Err(PoolError::OracleCallFailed);
            }
            Ok(assets.iter().copied().zip(reads).collect())
        }

        /// PSP22Metadata `token_decimals`, asked of the token.
        fn token_decimals(&self, asset: AccountId) -> Result<u8, PoolError> {
            let token: ink::contract_ref!(PSP22Metadata) = asset.into();
            match versioned(token.call().token_decimals()).try_invoke() {
                Ok(Ok(decimals)) => Ok(decimals),
                _ => Err(PoolError::TokenCallFailed),
            }
        }

        fn now_secs(&self) -> u64 {
            // The inherent helper: `self.env()` is only in scope in the contract's impls.
            Pool::now_secs(self)
        }

        fn pool_account(&self) -> AccountId {
            self.env().account_id()
        }
    }

    /// Where [`commit`] applies an outcome: the contract's storage, its events and the
    /// PSP22 tokens.
    /// Runs a message's `body` through a function pointer the optimisers cannot see
    /// through, so it stays out of ink!'s dispatcher. pallet-contracts' wasmi compiles a
    /// function the first time a call runs it; wasm-opt inlines every function with one
    /// caller, whatever its size (`#[inline(never)]` does not reach it), so the bodies of
    /// all messages sat in the dispatcher (`call`, 30 KB) and every call paid to compile
    /// them all (`cost-anatomy-2026-12.md` §7, P2; figures in bench/RESULTS.md).
    ///
    /// It is also where the flash loan lock is checked: while a flash loan's callback
    /// runs, every message run through it is refused (see [`out_of_line_reentrant`]).
    #[inline(always)]
    fn out_of_line<A, T, E: FlashLoanLock>(
        body: fn(&mut Pool, A) -> Result<T, E>,
        pool: &mut Pool,
        args: A,
    ) -> Result<T, E> {
        if pool.flash_loan_active {
            return Err(E::FLASH_LOAN_ACTIVE);
        }
        core::hint::black_box(body)(pool, args)
    }

    /// [`out_of_line`] without the lock, for the messages a flash loan's receiver may
    /// call during its callback: `supply`, `repay`, `liquidate`, `liquidate_to_supply`.
    /// None of them can take cash out except as a liquidation's seized collateral, which
    /// the market's cash (lowered by the loan) bounds.
    #[inline(always)]
    fn out_of_line_reentrant<A, R>(body: fn(&mut Pool, A) -> R, pool: &mut Pool, args: A) -> R {
        core::hint::black_box(body)(pool, args)
    }

    /// The refusal of a message called while a flash loan's callback runs.
    trait FlashLoanLock {
        /// The error it returns.
        const FLASH_LOAN_ACTIVE: Self;
    }

    impl FlashLoanLock for PoolError {
        const FLASH_LOAN_ACTIVE: Self = PoolError::FlashLoanActive;
    }

    impl FlashLoanLock for AdminError {
        const FLASH_LOAN_ACTIVE: Self = AdminError::FlashLoanActive;
    }

    /// [`out_of_line`] for a view.
    #[inline(always)]
    fn out_of_line_view<A, R>(body: fn(&Pool, A) -> R, pool: &Pool, args: A) -> R {
        core::hint::black_box(body)(pool, args)
    }

    /// Emits one event through a function pointer the optimisers cannot see through, so
    /// each event's encoder stays a function of its own and a call compiles only the
    /// encoders of the events it emits (see [`out_of_line`]), not all thirteen.
    #[inline(always)]
    fn emit_one<E: ink::env::Event>(pool: &Pool, event: E) {
        core::hint::black_box(emit_event::<E> as fn(&Pool, E))(pool, event)
    }

    /// [`emit_one`]'s body.
    fn emit_event<E: ink::env::Event>(pool: &Pool, event: E) {
        pool.env().emit_event(event)
    }

    impl Host for Pool {
        fn store_market(&mut self, asset: AccountId, market: &Market) {
            match self.markets.iter_mut().find(|(listed, _)| *listed == asset) {
                Some((_, stored)) => *stored = *market,
                // Only `list_market` writes a market not listed yet; it checked the count.
                None => self.markets.push((asset, *market)),
            }
        }

        fn store_account(&mut self, owner: AccountId, account: &Account) {
            self.accounts.insert(owner, account);
        }

        fn remove_account(&mut self, owner: AccountId) {
            self.accounts.remove(owner);
        }

        // Out of line: one copy of the dispatch over the thirteen events, not one per
        // message; each encoder is out of line as well (`emit_one`).
        #[inline(never)]
        fn emit(&mut self, event: PoolEvent) {
            match event {
                PoolEvent::MarketListed(e) => emit_one(self, e),
                PoolEvent::MarketParamsChanged(e) => emit_one(self, e),
                PoolEvent::InterestAccrued(e) => emit_one(self, e),
                PoolEvent::Supplied(e) => emit_one(self, e),
                PoolEvent::Withdrawn(e) => emit_one(self, e),
                PoolEvent::Borrowed(e) => emit_one(self, e),
                PoolEvent::Repaid(e) => emit_one(self, e),
                PoolEvent::CollateralChanged(e) => emit_one(self, e),
                PoolEvent::Liquidated(e) => emit_one(self, e),
                PoolEvent::SeizedAsSupply(e) => emit_one(self, e),
                PoolEvent::BadDebtWrittenOff(e) => emit_one(self, e),
                PoolEvent::ReservesWithdrawn(e) => emit_one(self, e),
                PoolEvent::PauseChanged(e) => emit_one(self, e),
                PoolEvent::FlashLoan(e) => emit_one(self, e),
            }
        }

        /// `In`: `transfer_from(from, pool, amount)` (needs an allowance); `Out`:
        /// `transfer(to, amount)`.
        #[inline(never)]
        fn transfer(&mut self, transfer: Transfer) -> Result<(), PoolError> {
            let result = match transfer {
                Transfer::In {
                    asset,
                    from,
                    amount,
                } => {
                    let mut token: ink::contract_ref!(PSP22) = asset.into();
                    let pool = self.env().account_id();
                    versioned(
                        token
                            .call_mut()
                            .transfer_from(from, pool, amount, Vec::new()),
                    )
                    .try_invoke()
                }
                Transfer::Out { asset, to, amount } => {
                    let mut token: ink::contract_ref!(PSP22) = asset.into();
                    versioned(token.call_mut().transfer(to, amount, Vec::new())).try_invoke()
                }
            };
            Self::token_result(result)
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
            out_of_line(Self::nominate_body, self, pending)
        }

        #[ink(message)]
        fn accept_governance(&mut self) -> Result<(), AdminError> {
            out_of_line(Self::accept_body, self, ())
        }

        #[ink(message)]
        fn set_guardian(&mut self, guardian: AccountId) -> Result<(), AdminError> {
            out_of_line(Self::set_guardian_body, self, guardian)
        }

        #[ink(message)]
        fn set_code_hash(&mut self, code_hash: Hash) -> Result<(), AdminError> {
            out_of_line(Self::set_code_hash_body, self, code_hash)
        }
    }

    impl Pool {
        fn nominate_body(&mut self, pending: Option<AccountId>) -> Result<(), AdminError> {
            let event = self.roles.nominate(self.env().caller(), pending)?;
            self.env().emit_event(event);
            Ok(())
        }

        fn accept_body(&mut self, (): ()) -> Result<(), AdminError> {
            let event = self.roles.accept(self.env().caller())?;
            self.env().emit_event(event);
            Ok(())
        }

        fn set_guardian_body(&mut self, guardian: AccountId) -> Result<(), AdminError> {
            let event = self.roles.set_guardian(self.env().caller(), guardian)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Replaces the pool's code, keeping every market and position (governance). The
        /// new code must read the same storage layout (`ManualKey`s and root fields).
        fn set_code_hash_body(&mut self, code_hash: Hash) -> Result<(), AdminError> {
            self.roles.ensure_governance(self.env().caller())?;
            self.env()
                .set_code_hash(&code_hash)
                .map_err(|_| AdminError::CodeNotFound)?;
            self.env().emit_event(CodeUpgraded { code_hash });
            Ok(())
        }
    }
}
