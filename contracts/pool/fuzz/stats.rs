//! Part of the invariant fuzzer (see `mod.rs`): test code only, like the whole `fuzz`
//! module (`#[cfg(test)] mod fuzz;` in `lib.rs`), said here too so each file shows it.
#![cfg(test)]

// ---------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------

use super::*;

#[derive(Default)]
pub(super) struct Stats {
    pub(super) ops: u64,
    pub(super) per_kind: BTreeMap<&'static str, (u64, u64)>,
    pub(super) refusals: BTreeMap<(&'static str, String), u64>,
    pub(super) liquidatable_probes: (u64, u64),
    pub(super) unhealthy_probes_refused: u64,
    pub(super) healthy_probes_accepted: u64,
    pub(super) bad_debt_write_offs: u64,
    /// Accounts liquidatable only because a collateral price is not usable (healthy at
    /// the last good prices).
    pub(super) liquidatable_by_unusable_collateral: u64,
    /// Invariant 10: accounts below 1 with a ready pair, those liquidated by some pair,
    /// and those whose only refusal was a debt too small to seize a unit.
    pub(super) liveness: (u64, u64, u64),
    /// The same for `liquidate_to_supply`, whatever the collateral market's cash:
    /// accounts below 1 with a ready pair, and those liquidated by some pair.
    pub(super) supply_liveness: (u64, u64),
    /// Invariant 10's probes of ready pairs with a leg whose feed left `Suspect` into
    /// `Ok` less than the grace period ago (where audit M-1's oracle still held
    /// liquidations): run (in tokens and to supply), and accepted.
    pub(super) jump_pairs: (u64, u64),
    /// Feed statuses at the end of each step, one count per market (`NoPrice` and
    /// `UnknownFeed`: the oracle's error).
    pub(super) feed_statuses: BTreeMap<String, u64>,
    /// Steps in which a feed became `Ok` after an outage, and in which one left
    /// `Suspect` into `Ok` without an outage.
    pub(super) feed_recoveries: u64,
    pub(super) feed_left_suspect: u64,
    /// Invariant 11: repay probes (whole debt, one unit, one scaled unit's worth): run,
    /// accepted, and partial probes refused as too small or for leaving less than the
    /// minimum debt.
    pub(super) repay_probes: (u64, u64, u64),
    /// Invariant 12: withdrawal probes of supply not backing a debt: run and accepted;
    /// positions skipped because withdrawals were paused or the market had no cash.
    pub(super) withdraw_probes: (u64, u64),
    pub(super) withdraw_probes_skipped: (u64, u64),
    /// Invariant 13: liquidations that wrote debt off, and those of them whose account a
    /// ready pair could liquidate at the preceding check.
    pub(super) write_off_liquidations: (u64, u64),
    /// For the latter: value written off, of it added to a deficit, and the shortfall
    /// the account already had at the preceding check (WAD).
    pub(super) written_off_wad: (u128, u128, u128),
    /// Withdrawals and borrows within `views::limits` accepted: (at the limit, below it).
    pub(super) view_promises_kept: (u64, u64),
    /// Withdrawals and borrows within `views::limits` that were refused, by reason.
    pub(super) view_refusals: BTreeMap<(&'static str, String), u64>,
    /// `CARRACK_FUZZ_TRACE`: print every operation and its result.
    pub(super) trace: bool,
}

impl Stats {
    pub(super) fn record(&mut self, kind: &'static str, result: &Result<(), PoolError>) {
        self.ops += 1;
        let entry = self.per_kind.entry(kind).or_default();
        match result {
            Ok(()) => entry.0 += 1,
            Err(err) => {
                entry.1 += 1;
                *self.refusals.entry((kind, reason(err))).or_default() += 1;
            }
        }
    }

    pub(super) fn report(&self) -> String {
        let mut out = format!("{} operations\n", self.ops);
        let (mut ok_all, mut all) = (0, 0);
        for (kind, (ok, refused)) in &self.per_kind {
            let total = ok + refused;
            ok_all += ok;
            all += total;
            out += &format!(
                "  {kind:<20} {total:>9} run, {ok:>9} succeeded ({:5.1} %)\n",
                100.0 * *ok as f64 / total.max(1) as f64
            );
        }
        out += &format!(
            "  {:<20} {all:>9} run, {ok_all:>9} succeeded ({:5.1} %)\n",
            "all",
            100.0 * ok_all as f64 / all.max(1) as f64
        );
        out += &format!(
            "liquidatable-account probes (HF < 1): {} liquidated, {} refused (prices not Ok, pause, grace, dust, cash); bad-debt write-offs: {}\n",
            self.liquidatable_probes.0, self.liquidatable_probes.1, self.bad_debt_write_offs
        );
        out += &format!(
            "liveness: {} accounts below 1 with a ready pair, {} liquidatable by some pair, {} only too small; {} liquidatable only because a collateral price is not usable\n",
            self.liveness.0,
            self.liveness.1,
            self.liveness.2,
            self.liquidatable_by_unusable_collateral
        );
        out += &format!(
            "liveness to supply (any cash): {} accounts below 1 with a ready pair, {} liquidatable by some pair\n",
            self.supply_liveness.0, self.supply_liveness.1
        );
        out += &format!(
            "liveness after a jump: {} probes of ready pairs with a leg that left Suspect less than the grace period ago, {} liquidated\n",
            self.jump_pairs.0, self.jump_pairs.1
        );
        out += &format!(
            "oracle: {} recoveries from outages, {} returns from Suspect to Ok; feed statuses at step ends:",
            self.feed_recoveries, self.feed_left_suspect
        );
        for (status, n) in &self.feed_statuses {
            out += &format!(" {status} {n},");
        }
        out.pop();
        out += "\n";
        out += &format!(
            "repay liveness: {} probes (whole debt, one unit, one scaled unit's worth), {} accepted, {} partial probes too small or under the minimum debt\n",
            self.repay_probes.0, self.repay_probes.1, self.repay_probes.2
        );
        out += &format!(
            "withdraw liveness: {} probes of supply not backing a debt, {} accepted; {} positions skipped (withdrawals paused), {} (no cash)\n",
            self.withdraw_probes.0,
            self.withdraw_probes.1,
            self.withdraw_probes_skipped.0,
            self.withdraw_probes_skipped.1
        );
        let usd = |wad: u128| wad as f64 / WAD as f64;
        out += &format!(
            "bad debt: {} liquidations wrote debt off, {} of accounts liquidatable at the preceding check: {:.2} USD written off ({:.2} USD to deficits) against a shortfall of {:.2} USD at those checks\n",
            self.write_off_liquidations.0,
            self.write_off_liquidations.1,
            usd(self.written_off_wad.0),
            usd(self.written_off_wad.1),
            usd(self.written_off_wad.2)
        );
        out += &format!(
            "borrow/withdraw/disable probes: {} refused to accounts over their power or on a non-Ok price, {} accepted (each left the account within its power)\n",
            self.unhealthy_probes_refused, self.healthy_probes_accepted
        );
        out += &format!(
            "withdrawals and borrows within views::limits: {} accepted at the limit, {} below it; refused (by kind and reason):\n",
            self.view_promises_kept.0, self.view_promises_kept.1
        );
        for ((kind, why), n) in &self.view_refusals {
            out += &format!("  {kind:<20} {why:<45} {n}\n");
        }
        out += "refusals by kind and reason:\n";
        for ((kind, why), n) in &self.refusals {
            out += &format!("  {kind:<20} {why:<45} {n}\n");
        }
        out
    }
}
