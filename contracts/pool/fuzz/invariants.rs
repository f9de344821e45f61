//! Part of the invariant fuzzer (see `mod.rs`): test code only, like the whole `fuzz`
//! module (`#[cfg(test)] mod fuzz;` in `lib.rs`), said here too so each file shows it.
#![cfg(test)]

// ---------------------------------------------------------------------------------------
// Running a step and checking the invariants
// ---------------------------------------------------------------------------------------

use super::*;

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(TestCaseError::fail(format!($($fmt)+)));
        }
    };
}

impl World {
    /// Turns `op` into a message call with concrete amounts, runs it, records whether it
    /// succeeded and checks every invariant.
    pub(super) fn run(&mut self, op: Op, stats: &mut Stats) -> Result<(), TestCaseError> {
        // Every operation lands in a new block.
        self.now += 6;
        self.events.clear();
        let before = self.clone();
        // (borrower, debt asset, collateral asset) of a liquidation.
        let mut liquidated: Option<(AccountId, AccountId, AccountId)> = None;
        let mut health_checked: Option<AccountId> = None;
        // The debts a liquidation wrote off.
        let mut written_off: WriteOffs = Vec::new();
        // Whether the amount is within what `views::limits` says the account can
        // withdraw or borrow now.
        // Some(at the edge): exactly the limit.
        let mut within_view: Option<bool> = None;
        let result: Result<(), PoolError> = match op {
            Op::Supply {
                user,
                market,
                size,
                for_user,
            } => {
                let (payer, token) = (actor(user), asset(market));
                let on_behalf = actor(for_user.unwrap_or(user));
                let amount = resolve(size, self.wallet(payer, market), unit(market));
                let amount = if amount == ALL {
                    self.wallet(payer, market)
                } else {
                    amount
                };
                self.apply(actions::supply(&*self, payer, token, amount, on_behalf))
            }
            Op::Withdraw { user, market, size } => {
                let market = self.pick(actor(user), market, |p| p.scaled_supply != 0);
                let (who, token) = (actor(user), asset(market));
                let max = self.limits(who, token).max_withdraw;
                let amount = resolve(size, max, self.supply_balance(who, market));
                if amount != 0 && amount <= max {
                    within_view = Some(amount == max);
                }
                if let Some(p) = self.account_of(who).position(token) {
                    if p.is_collateral() && self.account_of(who).has_debt() {
                        health_checked = Some(who);
                    }
                }
                self.apply_with(actions::withdraw(&*self, who, token, amount, who))
                    .map(|_| ())
            }
            Op::Borrow { user, market, size } => {
                let (who, token) = (actor(user), asset(market));
                let max = self.limits(who, token).max_borrow;
                let cash = self.markets[&token].state.cash;
                let amount = match resolve(size, max, cash / 100) {
                    ALL if max == 0 => cash / 100,
                    ALL => max,
                    amount => amount,
                };
                if amount != 0 && amount <= max {
                    within_view = Some(amount == max);
                }
                health_checked = Some(who);
                self.apply(actions::borrow(&*self, who, token, amount))
            }
            Op::Repay {
                payer,
                user,
                market,
                size,
            } => {
                let market = self.pick(actor(user), market, |p| p.scaled_debt != 0);
                let (who, token) = (actor(user), asset(market));
                let debt = self.debt_balance(who, market);
                let amount = resolve(size, debt, unit(market));
                self.apply_with(actions::repay(&*self, actor(payer), token, amount, who))
                    .map(|_| ())
            }
            Op::Collateral {
                user,
                market,
                enable,
            } => {
                let who = actor(user);
                let market = self.pick(who, market, |p| p.scaled_supply != 0);
                let account = self.account_of(who);
                let counting = account
                    .position(asset(market))
                    .is_some_and(|p| p.is_collateral());
                // Disabling supply that did not count changes nothing: no check then.
                if !enable && counting && account.has_debt() {
                    health_checked = Some(who);
                }
                self.apply(actions::set_collateral(&*self, who, asset(market), enable))
            }
            Op::Liquidate {
                liquidator,
                pick,
                debt,
                collateral,
                size,
                min_out_bps,
                to_supply,
            } => {
                let borrower = self.borrower(pick);
                let account = self.account_of(actor(borrower));
                let (debts, collaterals) = debts_and_collaterals(&account);
                let debt_asset = debts
                    .get(debt % debts.len().max(1))
                    .copied()
                    .unwrap_or(asset(debt % MARKETS));
                let collateral_asset = collaterals
                    .get(collateral % collaterals.len().max(1))
                    .copied()
                    .unwrap_or(asset(collateral % MARKETS));
                let owed = self.debt_balance(actor(borrower), market_index(debt_asset));
                let repay_amount = resolve(size, owed, unit(market_index(debt_asset)));
                let min_collateral_out = if min_out_bps == 0 {
                    0
                } else {
                    // Around what the same request would give now (a dry run, as a bot
                    // does), so the slippage bound is hit on both sides.
                    let mut dry = self.clone();
                    let request = LiquidationRequest {
                        debt_asset,
                        collateral_asset,
                        repay_amount,
                        min_collateral_out: 0,
                    };
                    let params = dry.params;
                    let (liquidator, borrower) = (actor(liquidator), actor(borrower));
                    let action = actions::liquidate(
                        &dry, &params, liquidator, borrower, &request, to_supply,
                    );
                    match dry.apply_with(action) {
                        Ok(done) => fraction(done.plan.liquidator_collateral, min_out_bps),
                        Err(_) => 1,
                    }
                };
                liquidated = Some((actor(borrower), debt_asset, collateral_asset));
                let request = LiquidationRequest {
                    debt_asset,
                    collateral_asset,
                    repay_amount,
                    min_collateral_out,
                };
                let params = self.params;
                let (liquidator, borrower) = (actor(liquidator), actor(borrower));
                let action =
                    actions::liquidate(&*self, &params, liquidator, borrower, &request, to_supply);
                self.apply_with(action).map(|done| {
                    stats.bad_debt_write_offs += done.bad_debt.len() as u64;
                    written_off = done.bad_debt;
                })
            }
            Op::Wait { secs } => {
                self.pass_time(self.now + secs);
                Ok(())
            }
            Op::Price { market, bps } => {
                self.quotes[market] = Self::bounded(market, fraction(self.quotes[market], bps));
                self.round(market);
                Ok(())
            }
            Op::Shock {
                pick,
                target_bps,
                debt_side,
            } => {
                self.shock(pick, target_bps, debt_side);
                Ok(())
            }
            Op::Feed {
                market,
                status,
                jump_bps,
            } => {
                self.drive_feed(market, status, jump_bps);
                Ok(())
            }
            Op::Pause { market, actions } => {
                self.apply(actions::pause(&*self, governance(), asset(market), actions))
            }
            Op::Unpause { market, actions } => {
                let grace = self.params.liquidation_grace_secs;
                let action = actions::unpause(&*self, governance(), asset(market), actions, grace);
                self.apply(action)
            }
            Op::Switch {
                market,
                collateral_enabled,
                borrowing_enabled,
            } => {
                let token = asset(market);
                let params = MarketParams {
                    collateral_enabled,
                    borrowing_enabled,
                    ..self.markets[&token].params
                };
                self.apply(actions::set_market_params(&*self, token, params))
            }
            Op::WithdrawReserves { market, size } => {
                let token = asset(market);
                let books = self.load_markets(&[token]).unwrap();
                let state = books.get(token).unwrap().state;
                let available = state.reserves.min(state.cash);
                let amount = match resolve(size, available, state.reserves + 1) {
                    ALL => state.reserves,
                    amount => amount,
                };
                self.apply(actions::withdraw_reserves(
                    &*self,
                    token,
                    amount,
                    governance(),
                ))
            }
            Op::FlashLoan {
                user,
                market,
                size,
                inside,
            } => {
                let (who, token) = (actor(user), asset(market));
                let cash = self.markets[&token].state.cash;
                let amount = match resolve(size, cash, unit(market)) {
                    ALL => cash,
                    amount => amount,
                };
                let market_now = self.load_markets(&[token]).unwrap();
                let stored = *market_now.get(token).unwrap();
                let fee = carrack_core::flash_loan_fee(amount, stored.params.flash_loan_fee_wad)
                    .unwrap_or(u128::MAX);
                let wallet = self.wallet(who, market);
                let result = self.flash_loan(who, token, amount, inside);
                // Liveness: a loan of at most the cash, in a market whose flash loans are
                // not paused, that the receiver pays back without doing anything else, is
                // never refused.
                if matches!(inside, Inside::Nothing)
                    && amount != 0
                    && amount <= cash
                    && !stored.paused.flash_loan
                    && wallet >= fee
                {
                    prop_assert!(
                        result.is_ok(),
                        "a flash loan of {amount} (cash {cash}, fee {fee}) was refused: {result:?}"
                    );
                }
                result
            }
            Op::Donate { user, market, size } => {
                let who = actor(user);
                let amount = resolve(size, self.wallet(who, market), 0);
                let balance = self.wallets.entry((who, asset(market))).or_insert(0);
                if *balance >= amount && amount != 0 {
                    *balance -= amount;
                    self.pool_balance[market] += amount;
                    self.donated[market] += amount;
                    Ok(())
                } else {
                    Err(PoolError::Token(PSP22Error::InsufficientBalance))
                }
            }
        };

        if result.is_err() {
            // Harness (7), not a check: ink! reverts every storage write and transfer of a
            // message returning `Err`, and so does the harness, keeping only the clock.
            let mut reverted = before.clone();
            reverted.now = self.now;
            *self = reverted;
        }
        // Time may have taken feeds into `Stale` with no transaction: the harness looks.
        for m in 0..MARKETS {
            self.observe(m, self.now);
            let record = &self.records[m];
            let was = &before.records[m];
            stats.feed_recoveries += u64::from(record.recovered_at != was.recovered_at);
            stats.feed_left_suspect += u64::from(record.left_suspect_at != was.left_suspect_at);
            let status = match self.read(asset(m)) {
                Ok(price) => format!("{:?}", price.status),
                Err(err) => format!("{err:?}"),
            };
            *stats.feed_statuses.entry(status).or_default() += 1;
        }
        stats.record(op.kind(), &result);
        if let (Ok(()), Some(at_edge)) = (&result, within_view) {
            if at_edge {
                stats.view_promises_kept.0 += 1;
            } else {
                stats.view_promises_kept.1 += 1;
            }
        }
        if let (Err(err), Some(at_edge)) = (&result, within_view) {
            let mut edge = if at_edge { "at the limit" } else { "below it" }.to_string();
            if let Op::Withdraw { user, market, .. } = op {
                let m = before.pick(actor(user), market, |p| p.scaled_supply != 0);
                if before.markets[&asset(m)].effective_ltv_wad() == 0 {
                    edge += ", collateral switched off";
                }
            }
            // Invariant 9: the view's figure is a promise. Only a borrow below the limit
            // may still be refused, for leaving the debt under the market's minimum, and a
            // withdrawal below it for a price that is not `Ok` (the limit is then the whole
            // position: the pool lets all of it go, and no part). The view and the message
            // read the same prices, so with every price `Ok` that refusal cannot occur.
            let allowed = !at_edge
                && match op {
                    Op::Borrow { .. } => {
                        matches!(err, PoolError::Core(CoreError::BelowMinimumDebt))
                    }
                    Op::Withdraw { .. } => {
                        matches!(err, PoolError::PriceNotOk(..) | PoolError::Oracle(_))
                    }
                    _ => false,
                };
            ensure!(
                allowed,
                "{op:?} is within views::limits ({edge}) but was refused: {err:?}"
            );
            *stats
                .view_refusals
                .entry((op.kind(), format!("{} ({edge})", reason(err))))
                .or_default() += 1;
            if stats.trace && !at_edge && matches!(err, PoolError::Core(_)) {
                let who = match op {
                    Op::Withdraw { user, .. } | Op::Borrow { user, .. } => actor(user),
                    _ => actor(0),
                };
                let account = self.account_of(who);
                let switches: Vec<_> = self
                    .markets
                    .values()
                    .map(|m| (m.params.collateral_enabled, m.params.borrowing_enabled))
                    .collect();
                println!(
                    "VIEW: {op:?} refused below the view's limit: {err:?}; {account:?}; {:?}; switches {switches:?}",
                    self.health(&account)
                );
            }
        }
        if stats.trace {
            let weakest = (0..USERS)
                .filter_map(|u| {
                    self.accounts
                        .get(&actor(u))
                        .map(|a| (u, self.health(a).0.health_factor_wad()))
                })
                .collect::<Vec<_>>();
            println!(
                "t={} {op:?} -> {result:?}; health factors after: {weakest:?}",
                self.now
            );
        }

        // Invariant 5b: a liquidation that went through was of an account below 1 as the
        // liquidation rule values it, and both assets it moved were ready.
        if let (Ok(()), Some((borrower, debt_asset, collateral_asset))) = (&result, liquidated) {
            let health = before.liquidation_health(&before.account_of(borrower));
            let ready =
                before.liquidation_ready(debt_asset) && before.liquidation_ready(collateral_asset);
            ensure!(
                ready && health.is_some_and(|h| h.is_liquidatable() == Ok(true)),
                "{op:?} liquidated an account that was not liquidatable: {health:?}, pair ready: {ready}"
            );
            if let Some(account) = self.accounts.get(&borrower) {
                if !account.has_collateral() {
                    ensure!(
                        !account.has_debt(),
                        "debt left without collateral after {op:?}"
                    );
                }
            }
        }
        // Invariant 13: a write-off costs no more than the shortfall the account already
        // had at the preceding check (its collateral at the bonus against its debts).
        if let (Ok(()), Some((borrower, ..)), false) = (&result, liquidated, written_off.is_empty())
        {
            let Some(exposure) = before.exposure.get(&borrower).copied() else {
                return Err(TestCaseError::fail(format!(
                    "{op:?} wrote off {written_off:?} of an account that owed nothing at the preceding check"
                )));
            };
            let (mut value, mut to_deficit) = (0u128, 0u128);
            for (token, write_off) in &written_off {
                value += before.debt_value_wad(market_index(*token), write_off.debt);
                to_deficit +=
                    before.debt_value_wad(market_index(*token), write_off.added_to_deficit);
            }
            stats.write_off_liquidations.0 += 1;
            if exposure.liquidatable {
                stats.write_off_liquidations.1 += 1;
                stats.written_off_wad.0 += value;
                stats.written_off_wad.1 += to_deficit;
                stats.written_off_wad.2 += exposure.shortfall_wad();
            }
            let allowance =
                exposure.debt_wad / 100_000 + exposure.units_wad + before.params.dust_value_wad;
            ensure!(
                value <= exposure.shortfall_wad() + allowance,
                "{op:?} wrote off debt worth {value} (WAD; {to_deficit} of it to deficits) but the account's shortfall at the preceding check was {} (debts {}, collateral at the bonus {}, liquidatable: {}; allowance {allowance}): {written_off:?}",
                exposure.shortfall_wad(),
                exposure.debt_wad,
                exposure.cover_wad,
                exposure.liquidatable
            );
        }
        // Invariant 14: every index the step stored was reported, exactly.
        if result.is_ok() {
            for (token, market) in &self.markets {
                let (was, now) = (before.markets[token].state, market.state);
                let indices = (now.borrow_index_ray, now.supply_index_ray);
                let moved = (was.borrow_index_ray, was.supply_index_ray) != indices;
                let reported: Vec<_> = self
                    .events
                    .iter()
                    .flat_map(PoolEvent::accruals)
                    .filter(|(asset, _)| asset == token)
                    .map(|(_, e)| (e.borrow_index_ray, e.supply_index_ray))
                    .collect();
                ensure!(
                    reported == moved.then_some(indices).into_iter().collect::<Vec<_>>(),
                    "{op:?} stored the indices {indices:?} of {} (before {:?}) but reported {reported:?}",
                    NAMES[market_index(*token)],
                    (was.borrow_index_ray, was.supply_index_ray)
                );
            }
        }
        // Invariant 6b: a successful health-checked action leaves the account within its
        // borrowing power at Ok prices.
        if let (Ok(()), Some(who)) = (&result, health_checked) {
            let account = self.account_of(who);
            if account.has_debt() {
                let (health, fresh) = self.health(&account);
                ensure!(
                    fresh && health.is_within_borrowing_power(),
                    "{op:?} succeeded but left the account over its borrowing power or on a non-Ok price: {health:?}, Ok: {fresh}"
                );
            }
        }
        self.check(&before, stats)
    }

    /// Invariants 1–6 and 10–12 after every step; records each indebted account's
    /// exposure for invariant 13.
    pub(super) fn check(&mut self, before: &World, stats: &mut Stats) -> Result<(), TestCaseError> {
        for (m, name) in NAMES.iter().enumerate() {
            let token = asset(m);
            let state = self.markets[&token].state;
            let was = before.markets[&token].state;

            // 1. Conservation, and the internal cash is the balance less donations.
            let wallets: u128 = self
                .wallets
                .iter()
                .filter(|((_, t), _)| *t == token)
                .map(|(_, b)| *b)
                .sum();
            ensure!(
                wallets + self.pool_balance[m] == self.minted[m],
                "{}: tokens not conserved: wallets {wallets} + pool {} != minted {}",
                name,
                self.pool_balance[m],
                self.minted[m]
            );
            ensure!(
                self.pool_balance[m] == state.cash + self.donated[m],
                "{}: pool holds {} but cash {} + donations {}",
                name,
                self.pool_balance[m],
                state.cash,
                self.donated[m]
            );

            // 2. Bookkeeping.
            let (mut supply, mut debt) = (self.dead_shares[m], 0u128);
            for account in self.accounts.values() {
                if let Some(p) = account.position(token) {
                    supply += p.scaled_supply;
                    debt += p.scaled_debt;
                }
            }
            ensure!(
                supply == state.total_scaled_supply && debt == state.total_scaled_debt,
                "{}: positions sum to supply {supply} / debt {debt}, totals are {} / {}",
                name,
                state.total_scaled_supply,
                state.total_scaled_debt
            );

            // 3. Solvency, exact and rounded, one unit of tolerance per accrual.
            let k = self.accruals[m];
            let step_accruals = k - before.accruals[m];
            let (assets, liabilities) = exact_sides(&state);
            let (assets_before, liabilities_before) = exact_sides(&was);
            let gained = assets.plus(liabilities_before);
            let lost = assets_before.plus(liabilities);
            ensure!(
                gained.plus(U256::mul(step_accruals, RAY)) > lost || (step_accruals == 0 && gained >= lost),
                "{}: a step lowered the solvency slack by more than its {step_accruals} accruals allow: {was:?} -> {state:?}",
                name
            );
            ensure!(
                (k == 0 && assets >= liabilities) || assets.plus(U256::mul(k, RAY)) > liabilities,
                "{}: exactly insolvent beyond {k} accruals: {state:?}",
                name
            );
            let rounded_assets =
                state.cash + state.total_debt(Rounding::Down).unwrap() + state.deficit;
            let rounded_liabilities = state.total_supply(Rounding::Up).unwrap() + state.reserves;
            ensure!(
                rounded_assets + k + 1 >= rounded_liabilities,
                "{}: insolvent: cash + debt + deficit = {rounded_assets} < claims + reserves = {rounded_liabilities} ({k} accruals): {state:?}",
                name
            );

            // 4. Indices and the accrual clock never decrease.
            ensure!(
                state.supply_index_ray >= was.supply_index_ray
                    && state.borrow_index_ray >= was.borrow_index_ray
                    && state.last_accrual_secs >= was.last_accrual_secs,
                "{}: an index or the clock went back: {was:?} -> {state:?}",
                name
            );
            ensure!(
                state.supply_index_ray >= RAY && state.borrow_index_ray >= RAY,
                "{}: index below one",
                name
            );
        }

        // The probes below run against the same world with every market already accrued
        // to now: loading such a market accrues nothing more, so they see exactly what
        // they would see on the stored world, without recomputing each accrual.
        let view = self.accrued();
        let mut exposures = BTreeMap::new();
        for (who, account) in &self.accounts {
            // 2. Stored accounts are well formed.
            ensure!(
                !account.positions.is_empty()
                    && account.positions.len() <= MAX_ACCOUNT_MARKETS
                    && account
                        .positions
                        .iter()
                        .all(|p| p.scaled_supply != 0 || p.scaled_debt != 0),
                "malformed stored account {account:?}"
            );
            ensure!(
                !account.has_debt() || account.has_collateral(),
                "debt without collateral (not written off): {account:?}"
            );
            let (health, fresh) = view.health(account);

            // 5. No account healthy as the liquidation rule values it (unusable collateral
            //    at zero, debt at its last good price) is liquidatable, by any
            //    liquidator, for any pair; nor one with a debt the oracle has no price for.
            // 10. Liveness: an account below 1 (so valued) whose debts all have a price,
            //    with a debt/collateral pair whose prices are usable, whose markets are
            //    neither paused for liquidation nor in a grace period, and whose
            //    collateral market has the cash to pay the whole collateral out, is
            //    liquidated by at least one such pair (repaying as much as allowed); only
            //    a debt too small to seize one unit of collateral may stop it.
            let valued = view.liquidation_health(account);
            let liquidatable = valued.is_some_and(|h| h.is_liquidatable() == Ok(true));
            if liquidatable && health.is_liquidatable() != Ok(true) {
                stats.liquidatable_by_unusable_collateral += 1;
            }
            let (mut ready_pairs, mut ready_liquidated, mut too_small) = (0u64, 0u64, 0u64);
            let mut refusals = Vec::new();
            // The same for `liquidate_to_supply`, which needs no cash (audit M-4).
            let (mut supply_pairs, mut supply_liquidated) = (0u64, 0u64);
            let mut supply_refusals = Vec::new();
            let (debts, collaterals) = debts_and_collaterals(account);
            for &debt_asset in &debts {
                for &collateral_asset in &collaterals {
                    let request = LiquidationRequest {
                        debt_asset,
                        collateral_asset,
                        repay_amount: ALL,
                        min_collateral_out: 0,
                    };
                    // The liquidator, or another actor when the liquidator is the borrower.
                    let liquidator = if *who == actor(LIQUIDATOR) {
                        actor(0)
                    } else {
                        actor(LIQUIDATOR)
                    };
                    let probe =
                        actions::liquidate(&view, &view.params, liquidator, *who, &request, false);
                    let supply_probe =
                        actions::liquidate(&view, &view.params, liquidator, *who, &request, true);
                    ensure!(
                        liquidatable || supply_probe.is_err(),
                        "a healthy account could be liquidated to supply: {account:?}, {supply_probe:?}"
                    );
                    if liquidatable {
                        if probe.is_ok() {
                            stats.liquidatable_probes.0 += 1;
                        } else {
                            stats.liquidatable_probes.1 += 1;
                        }
                    } else {
                        ensure!(
                            probe.is_err(),
                            "a healthy account (liquidation-valued HF {:?}) could be liquidated: {account:?}, {:?}",
                            valued.map(|h| h.health_factor_wad()),
                            probe
                        );
                    }
                    let balance = view.supply_balance(*who, market_index(collateral_asset));
                    let pair_ready = liquidatable
                        && view.liquidation_ready(debt_asset)
                        && view.liquidation_ready(collateral_asset);
                    if pair_ready {
                        // Per pair: by the harness's own record both feeds are usable
                        // and neither market is paused or in its grace period, so
                        // neither way may be refused for a price or a grace period.
                        for (way, result) in [("in tokens", &probe), ("to supply", &supply_probe)] {
                            if let Err(
                                err @ (PoolError::LiquidationGracePeriod
                                | PoolError::PriceNotOk(..)
                                | PoolError::Oracle(_)),
                            ) = result
                            {
                                let record = |token| view.records[market_index(token)];
                                return Err(TestCaseError::fail(format!(
                                    "a ready pair ({} debt, {} collateral) of an account below 1 ({:?}) was refused {way}: {err:?}; at {} (grace {} s) the harness saw the feeds' last outages end at {} and {} (left Suspect at {:?} and {:?}); {account:?}",
                                    NAMES[market_index(debt_asset)],
                                    NAMES[market_index(collateral_asset)],
                                    valued.map(|h| h.health_factor_wad()),
                                    view.now,
                                    view.params.liquidation_grace_secs,
                                    record(debt_asset).recovered_at,
                                    record(collateral_asset).recovered_at,
                                    record(debt_asset).left_suspect_at,
                                    record(collateral_asset).left_suspect_at,
                                )));
                            }
                        }
                        if view.left_suspect_in_grace(debt_asset)
                            || view.left_suspect_in_grace(collateral_asset)
                        {
                            stats.jump_pairs.0 += 2;
                            stats.jump_pairs.1 +=
                                u64::from(probe.is_ok()) + u64::from(supply_probe.is_ok());
                        }
                        supply_pairs += 1;
                        match supply_probe {
                            Ok(_) => supply_liquidated += 1,
                            Err(PoolError::Core(CoreError::AmountTooSmall)) => {}
                            Err(err) => supply_refusals.push((debt_asset, collateral_asset, err)),
                        }
                    }
                    // Paid in tokens: needs the cash, and withdrawals open in the
                    // collateral market (audit L-5); the supply path above needs neither.
                    let collateral_market = &view.markets[&collateral_asset];
                    let ready = pair_ready
                        && collateral_market.state.cash >= balance
                        && !collateral_market.paused.withdraw;
                    if ready {
                        ready_pairs += 1;
                        match probe {
                            Ok(_) => ready_liquidated += 1,
                            Err(PoolError::Core(CoreError::AmountTooSmall)) => too_small += 1,
                            Err(err) => refusals.push((debt_asset, collateral_asset, err)),
                        }
                    }
                }
            }
            if ready_pairs != 0 {
                ensure!(
                    ready_liquidated != 0 || refusals.is_empty(),
                    "an account below 1 ({:?}) with {ready_pairs} ready pairs could not be liquidated: {refusals:?}; {account:?}",
                    valued.map(|h| h.health_factor_wad())
                );
                stats.liveness.0 += 1;
                if ready_liquidated != 0 {
                    stats.liveness.1 += 1;
                } else if too_small != 0 {
                    stats.liveness.2 += 1;
                }
            }
            if supply_pairs != 0 {
                ensure!(
                    supply_liquidated != 0 || supply_refusals.is_empty(),
                    "an account below 1 ({:?}) with {supply_pairs} ready pairs could not be liquidated to supply: {supply_refusals:?}; {account:?}",
                    valued.map(|h| h.health_factor_wad())
                );
                stats.supply_liveness.0 += 1;
                if supply_liquidated != 0 {
                    stats.supply_liveness.1 += 1;
                }
            }
            if account.has_debt() {
                let liquidatable = ready_liquidated != 0 || supply_liquidated != 0;
                exposures.insert(*who, view.exposure(account, liquidatable));
            }

            // 11. Liveness, repay: the whole of every debt, and one unit of it, can be
            //     repaid whatever the prices, feeds, pauses and cash.
            for p in account.positions.iter().filter(|p| p.scaled_debt != 0) {
                let name = NAMES[market_index(p.asset)];
                // One token unit is often below one scaled unit once the index has grown
                // (`AmountTooSmall`); one scaled unit's worth never is.
                let index = view.markets[&p.asset].state.borrow_index_ray;
                let scaled_unit = carrack_core::ray_mul(1, index, Rounding::Up).unwrap();
                for (amount, what) in [
                    (ALL, "the whole debt"),
                    (1, "one unit"),
                    (scaled_unit, "one scaled unit's worth"),
                ] {
                    stats.repay_probes.0 += 1;
                    match actions::repay(&view, *who, p.asset, amount, *who) {
                        Ok(_) => stats.repay_probes.1 += 1,
                        Err(PoolError::Core(CoreError::AmountTooSmall)) if amount == 1 => {
                            stats.repay_probes.2 += 1
                        }
                        Err(PoolError::Core(CoreError::BelowMinimumDebt)) if amount != ALL => {
                            stats.repay_probes.2 += 1
                        }
                        Err(err) => {
                            return Err(TestCaseError::fail(format!(
                                "repaying {what} ({amount}) of {name} was refused with {err:?}: {account:?}"
                            )))
                        }
                    }
                }
            }

            // 12. Liveness, withdraw: supply that backs no debt leaves as far as the cash
            //     goes, whatever the prices, feeds and other markets.
            for p in account.positions.iter().filter(|p| p.scaled_supply != 0) {
                if p.is_collateral() && account.has_debt() {
                    continue;
                }
                let m = market_index(p.asset);
                let market = &view.markets[&p.asset];
                if market.paused.withdraw {
                    stats.withdraw_probes_skipped.0 += 1;
                    continue;
                }
                let balance = view.supply_balance(*who, m);
                let cash = market.state.cash;
                if cash == 0 {
                    stats.withdraw_probes_skipped.1 += 1;
                    continue;
                }
                let mut amounts = vec![balance.min(cash)];
                if cash >= balance {
                    amounts.push(ALL);
                }
                for amount in amounts {
                    stats.withdraw_probes.0 += 1;
                    let probe = actions::withdraw(&view, *who, p.asset, amount, *who);
                    let what = if amount == ALL {
                        "ALL"
                    } else {
                        "min(balance, cash)"
                    };
                    match probe {
                        Ok((_, paid)) => {
                            ensure!(
                                paid == balance.min(cash),
                                "withdrawing {what} of {} paid {paid}, not {} (balance {balance}, cash {cash})",
                                NAMES[m],
                                balance.min(cash)
                            );
                            stats.withdraw_probes.1 += 1;
                        }
                        Err(err) => {
                            return Err(TestCaseError::fail(format!(
                                "withdrawing {what} = {amount} of {} supply that backs no debt was refused with {err:?} (balance {balance}, cash {cash}): {account:?}",
                                NAMES[m]
                            )))
                        }
                    }
                }
            }

            // 6. Borrowing one unit of any asset, withdrawing one unit of any collateral
            //    and disabling any collateral: refused to an account over its borrowing
            //    power, and, when accepted, the account ends within its power at Ok
            //    prices (an account with a non-Ok price can still act if the action
            //    leaves that asset out of its health).
            if account.has_debt() {
                let over = !health.is_within_borrowing_power();
                let mut probes: Vec<(String, Result<Account, PoolError>)> = Vec::new();
                for (m, name) in NAMES.iter().enumerate() {
                    let result = actions::borrow(&view, *who, asset(m), 1)
                        .map(|outcome| account_after(&outcome, *who));
                    probes.push((format!("borrow 1 unit of {}", name), result));
                }
                for &collateral in &collaterals {
                    let name = NAMES[market_index(collateral)];
                    let result = actions::withdraw(&view, *who, collateral, 1, *who)
                        .map(|(outcome, _)| account_after(&outcome, *who));
                    probes.push((format!("withdraw 1 unit of {name} collateral"), result));
                    let result = actions::set_collateral(&view, *who, collateral, false)
                        .map(|outcome| account_after(&outcome, *who));
                    probes.push((format!("disable {name} as collateral"), result));
                }
                for (what, result) in probes {
                    let Ok(after) = result else {
                        if over || !fresh {
                            stats.unhealthy_probes_refused += 1;
                        }
                        continue;
                    };
                    ensure!(
                        !over,
                        "an account over its borrowing power ({health:?}) could {what}: {account:?}"
                    );
                    let (health_after, fresh_after) = view.health(&after);
                    ensure!(
                        fresh_after && health_after.is_within_borrowing_power(),
                        "{what} was accepted from {account:?} (prices Ok: {fresh}) but leaves {health_after:?}, prices Ok: {fresh_after}"
                    );
                    stats.healthy_probes_accepted += 1;
                }
            }
        }
        self.exposure = exposures;
        Ok(())
    }
}

/// The assets `account` owes and those it holds as collateral, in position order: the
/// pairs a liquidation can name.
fn debts_and_collaterals(account: &Account) -> (Vec<AccountId>, Vec<AccountId>) {
    let assets = |keep: fn(&Position) -> bool| {
        account
            .positions
            .iter()
            .filter(|p| keep(p))
            .map(|p| p.asset)
            .collect()
    };
    (
        assets(|p| p.scaled_debt != 0),
        assets(|p| p.is_collateral()),
    )
}
