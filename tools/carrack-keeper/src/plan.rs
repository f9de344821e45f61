//! Which accounts the keeper should liquidate, and with what: pure functions of the
//! indexed positions and markets, the oracle's prices and the time, computed with the
//! pool's own health math (`carrack_pool::views::account_view` over `carrack-core`), so
//! the keeper's health factor is the pool's. The pool's `account` view confirms it on
//! chain before anything is sent.

use carrack_core::{amount_for_value, value_wad, Rounding, WAD};
use carrack_interfaces::FeedStatus;
use carrack_pool::account::Account;
use carrack_pool::error::PoolError;
use carrack_pool::health::{price_wad, Prices};
use carrack_pool::loaded_markets::LoadedMarkets;
use carrack_pool::market::Market;
use carrack_pool::views::{account_view, AccountView};
use ink::primitives::AccountId;

/// An account below health factor 1 and the pair to liquidate it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub borrower: AccountId,
    pub health_factor_wad: u128,
    /// Its largest debt by value.
    pub debt_asset: AccountId,
    /// Its largest collateral by value among those at a price a liquidation accepts
    /// (`Ok` or `Emergency`).
    pub collateral_asset: AccountId,
    /// What to ask to repay: the debt's tokens worth at most the configured maximum (the
    /// pool caps it by its close factor).
    pub repay_amount: u128,
}

/// Why an account below 1 is not a candidate now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// One of the keeper's own accounts.
    Own,
    /// No collateral at a usable price (nothing to seize: the pool writes such debt off
    /// once the collateral is gone).
    NoUsableCollateral,
    /// The pool's math refused (a missing market or price).
    Refused(PoolError),
}

/// The markets of `account`'s positions, accrued to `now_secs` as the pool would.
pub fn books(
    account: &Account,
    markets: &[(AccountId, Market)],
    now_secs: u64,
) -> Result<LoadedMarkets, PoolError> {
    let mut books = LoadedMarkets::default();
    for position in &account.positions {
        let market = markets
            .iter()
            .find(|(asset, _)| *asset == position.asset)
            .map(|(_, m)| *m)
            .ok_or(PoolError::UnknownMarket)?;
        books.load(position.asset, market, now_secs)?;
    }
    Ok(books)
}

/// An account valued as the pool values it now: its markets accrued to now and its
/// `account` view's figures.
pub struct Valuation {
    pub books: LoadedMarkets,
    pub view: AccountView,
}

/// `account` valued as the pool values it now.
pub fn valuation(
    account: &Account,
    markets: &[(AccountId, Market)],
    prices: &Prices,
    now_secs: u64,
) -> Result<Valuation, PoolError> {
    let books = books(account, markets, now_secs)?;
    let view = account_view(account, &books, prices)?;
    Ok(Valuation { books, view })
}

/// Whether `borrower`, valued as `valued`, can be liquidated and how: `Ok(None)` when
/// healthy.
pub fn candidate(
    borrower: AccountId,
    valued: &Valuation,
    prices: &Prices,
    max_repay_value_wad: u128,
    excluded: &[AccountId],
) -> Result<Option<Candidate>, Skip> {
    let Valuation { books, view } = valued;
    if view.health_factor_wad >= WAD {
        return Ok(None);
    }
    if excluded.contains(&borrower) {
        return Err(Skip::Own);
    }
    let mut best_debt: Option<(u128, AccountId, u128, u8, u128)> = None; // value, asset, amount, decimals, price
    let mut best_collateral: Option<(u128, AccountId)> = None;
    for p in &view.positions {
        let asset = p.position.asset;
        let market = books.get(asset).map_err(Skip::Refused)?;
        let decimals = market.config().decimals;
        let Some((_, Ok(price))) = prices.iter().find(|(a, _)| *a == asset) else {
            continue;
        };
        if p.debt != 0 {
            let price_up = price_wad(price, Rounding::Up).map_err(Skip::Refused)?;
            let value = value_wad(p.debt, decimals, price_up, Rounding::Up)
                .map_err(|e| Skip::Refused(e.into()))?;
            if best_debt.is_none_or(|(v, ..)| value > v) {
                best_debt = Some((value, asset, p.debt, decimals, price_up));
            }
        }
        if p.position.is_collateral()
            && p.supply != 0
            && matches!(price.status, FeedStatus::Ok | FeedStatus::Emergency)
        {
            let value = value_wad(
                p.supply,
                decimals,
                price_wad(price, Rounding::Down).map_err(Skip::Refused)?,
                Rounding::Down,
            )
            .map_err(|e| Skip::Refused(e.into()))?;
            if best_collateral.is_none_or(|(v, _)| value > v) {
                best_collateral = Some((value, asset));
            }
        }
    }
    let (Some((_, debt_asset, debt, decimals, price)), Some((_, collateral_asset))) =
        (best_debt, best_collateral)
    else {
        return Err(Skip::NoUsableCollateral);
    };
    let cap = amount_for_value(max_repay_value_wad, decimals, price, Rounding::Down)
        .map_err(|e| Skip::Refused(e.into()))?;
    Ok(Some(Candidate {
        borrower,
        health_factor_wad: view.health_factor_wad,
        debt_asset,
        collateral_asset,
        repay_amount: debt.min(cap).max(1),
    }))
}

/// The least collateral to accept: the dry run's, less `slippage_bps`, rounded down.
pub fn min_collateral_out(dry_run_out: u128, slippage_bps: u32) -> u128 {
    let kept = 10_000u128.saturating_sub(u128::from(slippage_bps));
    // dry_run_out * kept / 10_000 without overflow: split into quotient and remainder.
    (dry_run_out / 10_000) * kept + (dry_run_out % 10_000) * kept / 10_000
}

/// The profit of a liquidation in quote units (WAD): the collateral received at its
/// price (down) less the debt repaid at its price (up); negative as zero.
pub fn profit_wad(
    repaid: u128,
    debt_decimals: u8,
    debt_price_wad: u128,
    received: u128,
    collateral_decimals: u8,
    collateral_price_wad: u128,
) -> Result<(u128, u128, u128), PoolError> {
    let cost = value_wad(repaid, debt_decimals, debt_price_wad, Rounding::Up)?;
    let gain = value_wad(
        received,
        collateral_decimals,
        collateral_price_wad,
        Rounding::Down,
    )?;
    Ok((gain.saturating_sub(cost), gain, cost))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{market, NOW};

    /// Values `account` then asks [`super::candidate`], as a keeper pass does.
    fn candidate(
        borrower: AccountId,
        account: &Account,
        markets: &[(AccountId, Market)],
        prices: &Prices,
        now_secs: u64,
        max_repay_value_wad: u128,
        excluded: &[AccountId],
    ) -> Result<Option<Candidate>, Skip> {
        let valued = valuation(account, markets, prices, now_secs).map_err(Skip::Refused)?;
        super::candidate(borrower, &valued, prices, max_repay_value_wad, excluded)
    }
    use carrack_interfaces::PriceData;
    use carrack_pool::account::{Collateral, Position};

    const USD: AccountId = AccountId([1; 32]);
    const ETH: AccountId = AccountId([2; 32]);
    const ALICE: AccountId = AccountId([9; 32]);

    fn price(
        value: u128,
        status: FeedStatus,
    ) -> Result<PriceData, carrack_interfaces::OracleError> {
        Ok(PriceData {
            value,
            decimals: 8,
            updated_at_secs: NOW,
            status,
            ok_since_secs: 0,
        })
    }

    fn account(eth_supply: u128, usd_debt: u128) -> Account {
        Account {
            positions: vec![
                Position {
                    asset: ETH,
                    scaled_supply: eth_supply,
                    scaled_debt: 0,
                    collateral: Collateral::On,
                },
                Position {
                    asset: USD,
                    scaled_supply: 0,
                    scaled_debt: usd_debt,
                    collateral: Collateral::Off,
                },
            ],
        }
    }

    fn markets() -> Vec<(AccountId, Market)> {
        vec![(USD, market(6)), (ETH, market(18))]
    }

    #[test]
    fn healthy_accounts_are_left_alone_and_unhealthy_ones_get_their_largest_pair() {
        let acct = account(10u128.pow(18), 1_000 * 10u128.pow(6)); // 1 ETH against 1,000 USD
        let prices = |eth: u128| {
            vec![
                (ETH, price(eth * 10u128.pow(8), FeedStatus::Ok)),
                (USD, price(10u128.pow(8), FeedStatus::Ok)),
            ]
        };
        let healthy = candidate(
            ALICE,
            &acct,
            &markets(),
            &prices(3_000),
            NOW,
            100_000 * WAD,
            &[],
        );
        assert_eq!(healthy, Ok(None));
        let crashed = candidate(
            ALICE,
            &acct,
            &markets(),
            &prices(1_000),
            NOW,
            100_000 * WAD,
            &[],
        )
        .unwrap()
        .expect("1 ETH at $1,000 does not carry $1,000 of debt");
        assert!(crashed.health_factor_wad < WAD);
        assert_eq!((crashed.debt_asset, crashed.collateral_asset), (USD, ETH));
        assert_eq!(crashed.repay_amount, 1_000 * 10u128.pow(6));
        // The per-transaction maximum caps what is asked.
        let capped = candidate(
            ALICE,
            &acct,
            &markets(),
            &prices(1_000),
            NOW,
            250 * WAD,
            &[],
        )
        .unwrap()
        .unwrap();
        assert_eq!(capped.repay_amount, 250 * 10u128.pow(6));
        // Its own accounts: never.
        assert_eq!(
            candidate(ALICE, &acct, &markets(), &prices(1_000), NOW, WAD, &[ALICE]),
            Err(Skip::Own)
        );
    }

    #[test]
    fn collateral_without_a_usable_price_is_not_seized() {
        let acct = account(10u128.pow(18), 1_000 * 10u128.pow(6));
        let prices = vec![
            (ETH, price(500 * 10u128.pow(8), FeedStatus::Suspect)),
            (USD, price(10u128.pow(8), FeedStatus::Ok)),
        ];
        // A suspect price values the collateral at zero: below 1, but nothing to take.
        assert_eq!(
            candidate(ALICE, &acct, &markets(), &prices, NOW, WAD, &[]),
            Err(Skip::NoUsableCollateral)
        );
        // A market the index does not know is the pool's error, not a guess.
        assert!(matches!(
            candidate(ALICE, &acct, &[(USD, market(6))], &prices, NOW, WAD, &[]),
            Err(Skip::Refused(PoolError::UnknownMarket))
        ));
    }

    #[test]
    fn slippage_and_profit() {
        assert_eq!(min_collateral_out(1_000_000, 100), 990_000);
        assert_eq!(min_collateral_out(u128::MAX, 0), u128::MAX);
        assert_eq!(min_collateral_out(u128::MAX, 10_000), 0);
        assert_eq!(min_collateral_out(9_999, 1), 9_998);
        // Repay 100 USD (6 decimals) at $1, receive 0.105 ETH at $1,000: $5 profit.
        let (profit, gain, cost) = profit_wad(
            100 * 10u128.pow(6),
            6,
            WAD,
            105 * 10u128.pow(15),
            18,
            1_000 * WAD,
        )
        .unwrap();
        assert_eq!((profit, gain, cost), (5 * WAD, 105 * WAD, 100 * WAD));
        assert_eq!(
            profit_wad(100 * 10u128.pow(6), 6, WAD, 0, 18, WAD)
                .unwrap()
                .0,
            0
        );
    }
}
