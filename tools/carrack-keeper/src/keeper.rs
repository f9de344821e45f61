//! One keeper pass at the best block: every indexed borrower's health recomputed from its
//! positions, the markets accrued to now and the oracle's prices (`plan`); each account
//! below 1 confirmed with the pool's own `account` view, then dry-run liquidated from the
//! keeper's account, and liquidated for real only when the dry run passes and pays.
//! Refusals it must wait out (a grace period, a pause, no cash, its own lack of tokens)
//! put that account aside for some blocks, with one log line, instead of retrying every
//! pass; a dry run costs nothing on chain, so nothing is sent that would fail.

use crate::api::{Shared, Standing};
use crate::config::Liquidation;
use crate::plan::{self, Candidate, Skip};
use crate::reads;
use crate::store::{ss58, Store};
use anyhow::{Context, Result};
use carrack_client::{Chain, Inclusion, Message, Refusal};
use carrack_core::{CoreError, Rounding, WAD};
use carrack_interfaces::{PSP22Error, PSP22};
use carrack_pool::error::PoolError;
use carrack_pool::health::{price_wad, PriceList};
use carrack_pool::pool::PoolRef;
use ink::codegen::TraitCallBuilder;
use ink::env::call::FromAccountId;
use ink::primitives::AccountId;
use std::collections::HashMap;
use std::time::Duration;
use subxt::utils::{AccountId32, H256};
use subxt_signer::sr25519::Keypair;
use tracing::{info, warn};

/// How long a submitted transaction may take to land.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);

/// What a pass found and did (for logs, metrics and the drills).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassReport {
    /// Accounts with a position, and liquidations, in the index.
    pub accounts: u64,
    pub liquidations_indexed: u64,
    pub borrowers: usize,
    pub below_one: usize,
    pub liquidated: usize,
    pub failed: usize,
    pub waiting: usize,
}

/// The keeper's state between passes.
pub struct Keeper {
    pub pool: AccountId32,
    /// None: report only (no liquidations).
    pub signer: Option<Keypair>,
    /// What the endpoints show.
    pub shared: Shared,
    pub settings: Liquidation,
    /// Account → the block before which it is not tried again, and why.
    waiting: HashMap<AccountId, (u64, String)>,
}

fn pool_ref() -> PoolRef {
    PoolRef::from_account_id([0; 32].into())
}

fn account32(a: &AccountId) -> AccountId32 {
    AccountId32(*a.as_ref())
}

/// Refusals a keeper waits out rather than treating as failures.
fn wait_reason(error: &PoolError) -> Option<&'static str> {
    Some(match error {
        PoolError::LiquidationGracePeriod => "the market's liquidation grace period",
        PoolError::ActionPaused => "liquidations are paused in one of the markets",
        PoolError::CollateralWithdrawPaused => "the collateral market's withdrawals are paused",
        PoolError::Core(CoreError::InsufficientCash) => "the collateral market lacks cash",
        PoolError::PriceNotOk(..) | PoolError::Oracle(_) => "a price is not usable for liquidation",
        PoolError::Token(PSP22Error::InsufficientBalance) => "the keeper lacks the debt token",
        PoolError::Token(PSP22Error::InsufficientAllowance) => "the keeper's allowance is short",
        PoolError::Core(CoreError::NotLiquidatable) => "the pool finds it healthy",
        _ => return None,
    })
}

impl Keeper {
    /// A keeper liquidating in `pool` with `signer`.
    pub fn new(
        pool: AccountId32,
        signer: Option<Keypair>,
        settings: Liquidation,
        shared: Shared,
    ) -> Self {
        Keeper {
            pool,
            signer,
            shared,
            settings,
            waiting: HashMap::new(),
        }
    }

    /// The keeper's account (the dry runs' origin; without a signer, the zero account,
    /// which views need no more than any other).
    fn me(&self) -> AccountId32 {
        self.signer
            .as_ref()
            .map_or(AccountId32([0; 32]), |s| s.public_key().to_account_id())
    }

    fn wait(&mut self, borrower: AccountId, block: u64, why: String) {
        let until = block + self.settings.retry_after_blocks;
        let repeated = self
            .waiting
            .get(&borrower)
            .is_some_and(|(_, before)| *before == why);
        if !repeated {
            info!(borrower = %ss58(&borrower), until_block = until, "waiting: {why}");
        }
        self.waiting.insert(borrower, (until, why));
    }

    /// One pass at the best block.
    pub async fn pass(&mut self, chain: &Chain, store: &Store) -> Result<PassReport> {
        let (block, number) = chain.best_block().await?;
        let now_secs = chain.now_secs(block).await?;
        let (_, oracle, _, markets, _) = reads::root(chain, block, &self.pool).await?;
        let borrowers = store.borrowers().await?;
        let assets: Vec<AccountId> = markets.iter().map(|(a, _)| *a).collect();
        let prices = reads::prices(chain, block, &self.me(), &oracle, &assets).await?;
        let mut excluded: Vec<AccountId> = self
            .settings
            .own_accounts
            .iter()
            .map(|a| AccountId::from(a.0))
            .collect();
        excluded.push(AccountId::from(self.me().0));
        let mut report = PassReport {
            accounts: store.account_count().await?,
            liquidations_indexed: store.liquidation_count().await?,
            borrowers: borrowers.len(),
            ..Default::default()
        };
        self.waiting.retain(|_, (until, _)| *until > number);
        let mut standings = Vec::with_capacity(borrowers.len());
        for (borrower, account) in &borrowers {
            // Each borrower is valued once: for the endpoints' standings and the choice.
            let valued = plan::valuation(account, &markets, &prices, now_secs);
            if let Ok(plan::Valuation { view, .. }) = &valued {
                standings.push(Standing {
                    account: ss58(borrower),
                    health_factor_wad: view.health_factor_wad.to_string(),
                    debt_value_wad: view.debt_value_wad.to_string(),
                    collateral_value_wad: view.collateral_value_wad.to_string(),
                    prices_ok: view.prices_ok,
                    health_factor: view.health_factor_wad,
                });
            }
            let candidate = match valued.map_err(Skip::Refused).and_then(|valued| {
                plan::candidate(
                    *borrower,
                    &valued,
                    &prices,
                    self.settings.max_repay_value_wad,
                    &excluded,
                )
            }) {
                Ok(None) => continue,
                Ok(Some(c)) => c,
                Err(Skip::Own) => continue,
                Err(skip) => {
                    report.below_one += 1;
                    self.wait(*borrower, number, format!("cannot liquidate: {skip:?}"));
                    report.waiting += 1;
                    continue;
                }
            };
            report.below_one += 1;
            if self.waiting.contains_key(borrower) {
                report.waiting += 1;
                continue;
            }
            if !self.settings.enabled || self.signer.is_none() {
                info!(borrower = %ss58(borrower), health_factor = %ratio(candidate.health_factor_wad), "liquidatable (liquidation disabled)");
                continue;
            }
            let Some(signer) = self.signer.clone() else {
                continue;
            };
            match self
                .liquidate(
                    &signer,
                    chain,
                    (block, number),
                    &candidate,
                    &markets,
                    &prices,
                )
                .await
            {
                Ok(true) => report.liquidated += 1,
                Ok(false) => report.waiting += 1,
                Err(e) => {
                    report.failed += 1;
                    warn!(borrower = %ss58(borrower), "liquidation failed: {e:#}");
                    self.wait(*borrower, number, format!("failed: {e}"));
                }
            }
        }
        standings.sort_by_key(|s| s.health_factor);
        let now_unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.shared.update(|s| {
            s.accounts = report.accounts;
            s.borrowers = report.borrowers;
            s.below_one = report.below_one;
            s.waiting = report.waiting;
            s.liquidations_indexed = report.liquidations_indexed;
            s.liquidations_done += report.liquidated as u64;
            s.liquidations_failed += report.failed as u64;
            s.last_pass_unix_secs = now_unix;
            s.at_risk = standings;
        });
        Ok(report)
    }

    /// Confirms, dry-runs and sends one liquidation; `Ok(false)` when it waits.
    async fn liquidate(
        &mut self,
        signer: &Keypair,
        chain: &Chain,
        (block, number): (H256, u64),
        c: &Candidate,
        markets: &[(AccountId, carrack_pool::market::Market)],
        prices: &PriceList,
    ) -> Result<bool> {
        let me = self.me();
        // The pool's own view first: the index may be a few blocks behind the best block.
        let view = Message::new(pool_ref().call().account(c.borrower));
        let dry = chain
            .dry_run(block, &me, &self.pool, view.input().to_vec())
            .await?;
        let view = view
            .dry_run_value(&dry)
            .map_err(|e| anyhow::anyhow!("the pool's account view: {e}"))?;
        if view.health_factor_wad >= WAD {
            self.wait(
                c.borrower,
                number,
                "the pool's own view finds it healthy (the index is behind)".into(),
            );
            return Ok(false);
        }
        let debt_now = view
            .positions
            .iter()
            .find(|p| p.position.asset == c.debt_asset)
            .map_or(0, |p| p.debt);
        // Ask for everything the close factor allows when the cap covers the whole debt
        // (the pool then applies its dust rules itself); else for the cap.
        let (request, needed) = if c.repay_amount >= debt_now {
            (
                u128::MAX,
                debt_now.saturating_add(debt_now / 100).saturating_add(1),
            )
        } else {
            (c.repay_amount, c.repay_amount)
        };
        let balance = self.balance_of(chain, block, &c.debt_asset).await?;
        if balance == 0 {
            self.wait(
                c.borrower,
                number,
                format!(
                    "the keeper holds none of the debt token {}",
                    ss58(&c.debt_asset)
                ),
            );
            return Ok(false);
        }
        let (request, needed) = if balance < needed {
            (balance, balance)
        } else {
            (request, needed)
        };
        self.ensure_allowance(signer, chain, block, &c.debt_asset, needed)
            .await?;
        let (block, number) = chain.best_block().await?;

        let mut to_supply = false;
        let mut message = Message::new(pool_ref().call_mut().liquidate(
            c.borrower,
            c.debt_asset,
            c.collateral_asset,
            request,
            0,
        ));
        let mut dry = chain
            .dry_run(block, &me, &self.pool, message.input().to_vec())
            .await?;
        let mut outcome = message.dry_run_value(&dry);
        if self.settings.to_supply_fallback
            && matches!(
                outcome,
                Err(Refusal::Contract(
                    PoolError::CollateralWithdrawPaused
                        | PoolError::Core(CoreError::InsufficientCash)
                ))
            )
        {
            to_supply = true;
            message = Message::new(pool_ref().call_mut().liquidate_to_supply(
                c.borrower,
                c.debt_asset,
                c.collateral_asset,
                request,
                0,
            ));
            dry = chain
                .dry_run(block, &me, &self.pool, message.input().to_vec())
                .await?;
            outcome = message.dry_run_value(&dry);
        }
        let (repaid, received) = match outcome {
            Ok(done) => done,
            Err(Refusal::Contract(error)) => {
                let why = wait_reason(&error).map_or_else(
                    || format!("refused: {error:?}"),
                    |w| format!("{w} ({error:?})"),
                );
                self.wait(c.borrower, number, why);
                return Ok(false);
            }
            Err(Refusal::Call(e)) => anyhow::bail!("the liquidation's dry run: {e}"),
        };
        let price_of = |asset: &AccountId, rounding| {
            prices
                .iter()
                .find(|(a, _)| a == asset)
                .and_then(|(_, r)| r.as_ref().ok())
                .map(|p| price_wad(p, rounding))
        };
        let decimals_of = |asset: &AccountId| {
            markets
                .iter()
                .find(|(a, _)| a == asset)
                .map(|(_, m)| m.config().decimals)
        };
        let (Some(Ok(debt_price)), Some(Ok(coll_price)), Some(debt_dec), Some(coll_dec)) = (
            price_of(&c.debt_asset, Rounding::Up),
            price_of(&c.collateral_asset, Rounding::Down),
            decimals_of(&c.debt_asset),
            decimals_of(&c.collateral_asset),
        ) else {
            anyhow::bail!("no price or market for the pair it would liquidate");
        };
        let (profit, gain, cost) =
            plan::profit_wad(repaid, debt_dec, debt_price, received, coll_dec, coll_price)
                .map_err(|e| anyhow::anyhow!("valuing the liquidation: {e:?}"))?;
        if profit < self.settings.min_profit_value_wad || gain <= cost {
            self.wait(
                c.borrower,
                number,
                format!(
                    "does not pay: receives {} for {} (quote units)",
                    ratio(gain),
                    ratio(cost)
                ),
            );
            return Ok(false);
        }
        let min_out = plan::min_collateral_out(received, self.settings.slippage_bps);
        let message = if to_supply {
            Message::new(pool_ref().call_mut().liquidate_to_supply(
                c.borrower,
                c.debt_asset,
                c.collateral_asset,
                request,
                min_out,
            ))
        } else {
            Message::new(pool_ref().call_mut().liquidate(
                c.borrower,
                c.debt_asset,
                c.collateral_asset,
                request,
                min_out,
            ))
        };
        let inclusion = chain
            .call(
                signer,
                &self.pool,
                message.input().to_vec(),
                carrack_client::gas_limit(dry.gas_required),
                dry.storage_charge
                    .saturating_add(dry.storage_charge / 2)
                    .saturating_add(1_000_000_000_000),
                INCLUSION_TIMEOUT,
            )
            .await?;
        match inclusion {
            Inclusion::Success { block } => {
                info!(
                    borrower = %ss58(&c.borrower),
                    debt_asset = %ss58(&c.debt_asset),
                    collateral_asset = %ss58(&c.collateral_asset),
                    health_factor = %ratio(view.health_factor_wad),
                    repaid_expected = repaid,
                    collateral_expected = received,
                    min_collateral_out = min_out,
                    as_supply = to_supply,
                    profit_quote = %ratio(profit),
                    gas_ref_time = dry.gas_required.ref_time,
                    gas_proof_size = dry.gas_required.proof_size,
                    block = ?block,
                    "liquidated"
                );
                Ok(true)
            }
            Inclusion::Failed { error, .. } => anyhow::bail!("included but failed: {error}"),
            Inclusion::Refused(why) => anyhow::bail!("the transaction pool refused it: {why}"),
        }
    }

    async fn balance_of(&self, chain: &Chain, block: H256, asset: &AccountId) -> Result<u128> {
        let token: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = (*asset).into();
        let message = Message::new(token.call().balance_of(AccountId::from(self.me().0)));
        let dry = chain
            .dry_run(
                block,
                &self.me(),
                &account32(asset),
                message.input().to_vec(),
            )
            .await?;
        message
            .dry_run_reply(&dry)
            .map_err(|e| anyhow::anyhow!("the balance of {}: {e}", ss58(asset)))
    }

    /// Approves the pool for `needed` of `asset` unless its allowance covers it already.
    async fn ensure_allowance(
        &self,
        signer: &Keypair,
        chain: &Chain,
        block: H256,
        asset: &AccountId,
        needed: u128,
    ) -> Result<()> {
        let me = self.me();
        let pool = AccountId::from(self.pool.0);
        let mut token: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = (*asset).into();
        let allowance = Message::new(token.call().allowance(AccountId::from(me.0), pool));
        let dry = chain
            .dry_run(block, &me, &account32(asset), allowance.input().to_vec())
            .await?;
        let current = allowance
            .dry_run_reply(&dry)
            .map_err(|e| anyhow::anyhow!("the allowance of {}: {e}", ss58(asset)))?;
        if current >= needed {
            return Ok(());
        }
        let approve = Message::new(token.call_mut().approve(pool, needed));
        let what = || format!("approving the pool for {needed} of {}", ss58(asset));
        match carrack_client::send(
            chain,
            signer,
            &account32(asset),
            &approve,
            INCLUSION_TIMEOUT,
        )
        .await
        .with_context(what)?
        {
            (Ok(()), Inclusion::Success { .. }) => Ok(()),
            (Err(e), _) => anyhow::bail!("{}: the token refused: {e:?}", what()),
            (_, Inclusion::Failed { error, .. }) => anyhow::bail!("{}: {error}", what()),
            (_, Inclusion::Refused(why)) => {
                anyhow::bail!("{}: refused by the transaction pool: {why}", what())
            }
        }
    }
}

/// A WAD as a decimal with 4 places (for logs).
pub fn ratio(wad: u128) -> String {
    if wad == u128::MAX {
        return "∞".into();
    }
    let whole = wad / WAD;
    let frac = (wad % WAD) / 100_000_000_000_000;
    format!("{whole}.{frac:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_for_what_passes_by_itself() {
        assert!(wait_reason(&PoolError::LiquidationGracePeriod).is_some());
        assert!(wait_reason(&PoolError::Core(CoreError::InsufficientCash)).is_some());
        assert!(wait_reason(&PoolError::ActionPaused).is_some());
        assert!(wait_reason(&PoolError::SelfLiquidation).is_none());
        assert_eq!(ratio(WAD / 2), "0.5000");
        assert_eq!(ratio(u128::MAX), "∞");
        assert_eq!(ratio(12_345 * WAD / 10_000), "1.2345");
    }
}
