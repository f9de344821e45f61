//! An account's health from its positions, the loaded markets and the oracle's prices,
//! and the price policy (the README's pool section states it for users):
//!
//! - borrowing, withdrawing or disabling collateral while owing (actions that can lower
//!   health) and enabling collateral need every price they use to be `Ok`; an
//!   `Emergency` price is not enough;
//! - a liquidation needs a *usable* price only for the debt it repays and the collateral
//!   it seizes: `Ok` for at least the grace period, or a governance `Emergency` price
//!   ([`require_usable_for_liquidation`]). Every other leg is valued so that it can only
//!   make the liquidation easier ([`account_health`]): other collateral counts only at an
//!   `Ok` or `Emergency` price and as zero otherwise (`Stale`, `Suspect`, `Frozen`, no
//!   price at all); other debt counts at its last good price whatever its status. The
//!   views use the same valuation.

use crate::account::Account;
use crate::error::PoolError;
use crate::loaded_markets::LoadedMarkets;
use carrack_core::{price_to_wad, AccountHealth, Rounding};
use carrack_interfaces::{FeedStatus, OracleError, PriceData};
use ink::primitives::AccountId;

/// One asset's answer from the oracle: its price, or why it has none.
pub type PriceRead = Result<PriceData, OracleError>;
/// Prices as read from the oracle, paired with their assets.
pub type Prices = [(AccountId, PriceRead)];
/// An owned [`Prices`].
pub type PriceList = ink::prelude::vec::Vec<(AccountId, PriceRead)>;

/// The oracle's answer for `asset` among `prices`, or [`PoolError::OracleCallFailed`]
/// if it was not read at all.
fn read_of(prices: &Prices, asset: AccountId) -> Result<&PriceRead, PoolError> {
    prices
        .iter()
        .find(|(a, _)| *a == asset)
        .map(|(_, read)| read)
        .ok_or(PoolError::OracleCallFailed)
}

/// The price of `asset` among `prices`: the oracle's error if it has none,
/// [`PoolError::OracleCallFailed`] if it was not read at all.
pub fn price_of(prices: &Prices, asset: AccountId) -> Result<&PriceData, PoolError> {
    read_of(prices, asset)?
        .as_ref()
        .map_err(|err| PoolError::Oracle(*err))
}

/// The price as WAD per whole token, rounded as asked: down for collateral, up for debt.
pub fn price_wad(data: &PriceData, rounding: Rounding) -> Result<u128, PoolError> {
    Ok(price_to_wad(data.value, data.decimals, rounding)?)
}

/// Refuses unless every asset has a price and every price is `Ok`.
pub fn require_ok(prices: &Prices) -> Result<(), PoolError> {
    for (asset, read) in prices {
        let data = read.as_ref().map_err(|err| PoolError::Oracle(*err))?;
        if data.status != FeedStatus::Ok {
            return Err(PoolError::PriceNotOk(*asset, data.status));
        }
    }
    Ok(())
}

/// The price of `asset` if a liquidation may repay or seize it: `Ok` since at least
/// `grace_secs` before `now_secs`, or an `Emergency` price set by governance (public for
/// the timelock's delay before it took effect, so it needs no grace period).
pub fn require_usable_for_liquidation(
    prices: &Prices,
    asset: AccountId,
    now_secs: u64,
    grace_secs: u64,
) -> Result<&PriceData, PoolError> {
    let data = price_of(prices, asset)?;
    match data.status {
        // Saturating: a grace period reaching past u64::MAX simply never ends.
        FeedStatus::Ok if now_secs < data.ok_since_secs.saturating_add(grace_secs) => {
            Err(PoolError::LiquidationGracePeriod)
        }
        FeedStatus::Ok | FeedStatus::Emergency => Ok(data),
        status => Err(PoolError::PriceNotOk(asset, status)),
    }
}

/// The account's collateral value, borrowing power, liquidation capacity and debt value,
/// valued so that a position whose price nobody vouches for can only lower its health:
/// collateral counts at an `Ok` or `Emergency` price and as zero otherwise (`Stale`,
/// `Suspect`, `Frozen`, no price), debt at its last good price whatever its status.
/// Collateral is valued rounding down and debt rounding up. Actions that can lower
/// health call it only once every price is `Ok` ([`require_ok`]), where all of this is
/// the plain valuation; a liquidation calls it as it is. A debt without any price
/// refuses (the oracle's error): only governance can create one (a borrow needs an `Ok`
/// price, and an oracle loses a price only when governance removes the feed or replaces
/// the oracle), and anyone can still repay that debt for the borrower (repay needs no
/// price) to make the rest liquidatable.
pub fn account_health(
    account: &Account,
    books: &LoadedMarkets,
    prices: &Prices,
) -> Result<AccountHealth, PoolError> {
    let mut health = AccountHealth::default();
    for position in account.positions.iter().filter(|p| p.needs_price()) {
        let market = books.get(position.asset)?;
        let config = market.config();
        // Not read at all is the caller's mistake, never a zero.
        let read = read_of(prices, position.asset)?;
        match read {
            Ok(data)
                if position.is_collateral()
                    && matches!(data.status, FeedStatus::Ok | FeedStatus::Emergency) =>
            {
                health.add_collateral(
                    market.state.supply_balance(position.scaled_supply)?,
                    config.decimals,
                    price_wad(data, Rounding::Down)?,
                    market.effective_ltv_wad(),
                    config.liquidation_threshold_wad,
                )?;
            }
            // Not collateral, not usable, or the oracle has no price for it: zero.
            _ => {}
        }
        if position.scaled_debt != 0 {
            let data = read.as_ref().map_err(|err| PoolError::Oracle(*err))?;
            health.add_debt(
                market.state.debt_balance(position.scaled_debt)?,
                config.decimals,
                price_wad(data, Rounding::Up)?,
            )?;
        }
    }
    Ok(health)
}

/// Refuses unless the account's debt stays within its borrowing power.
pub fn require_within_borrowing_power(health: &AccountHealth) -> Result<(), PoolError> {
    if health.is_within_borrowing_power() {
        Ok(())
    } else {
        Err(carrack_core::CoreError::InsufficientCollateral.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Collateral;
    use crate::test_fixtures::*;
    use carrack_core::WAD;

    #[test]
    fn collateral_switched_off_keeps_its_threshold_but_loses_its_power() {
        let mut books = books();
        let account = borrower(&mut books, 1, 1_000);
        books.get_mut(ETH).unwrap().params.collateral_enabled = false;
        let health = account_health(&account, &books, &prices(2_000)).unwrap();
        assert_eq!(health.borrowing_power_wad, 0);
        assert_eq!(health.liquidation_capacity_wad, 1_600 * WAD);
        assert_eq!(
            health.health_factor_wad(),
            Ok(16 * WAD / 10),
            "not liquidatable by the switch"
        );
    }

    #[test]
    fn ok_means_every_asset_has_an_ok_price() {
        let mut list = prices(2_000);
        assert_eq!(require_ok(&list), Ok(()));
        for status in [FeedStatus::Stale, FeedStatus::Emergency] {
            list[0].1 = Ok(PriceData { status, ..price(1) });
            assert_eq!(require_ok(&list), Err(PoolError::PriceNotOk(USD, status)));
        }
        list[0].1 = Err(OracleError::NoPrice);
        assert_eq!(
            require_ok(&list),
            Err(PoolError::Oracle(OracleError::NoPrice))
        );
        assert_eq!(
            price_of(&list, USD),
            Err(PoolError::Oracle(OracleError::NoPrice))
        );
        assert_eq!(
            price_of(&list, AccountId([9; 32])),
            Err(PoolError::OracleCallFailed)
        );
    }

    #[test]
    fn usable_for_liquidation_means_ok_past_the_grace_period_or_emergency() {
        let mut list = prices(2_000);
        let usable =
            |list: &Prices, grace| require_usable_for_liquidation(list, ETH, NOW, grace).copied();
        assert_eq!(
            usable(&list, 86_400),
            Ok(price(2_000)),
            "the boundary passes"
        );
        assert_eq!(
            usable(&list, 86_401),
            Err(PoolError::LiquidationGracePeriod)
        );
        list[1].1 = Ok(PriceData {
            status: FeedStatus::Emergency,
            ok_since_secs: NOW,
            ..price(2_000)
        });
        assert!(
            usable(&list, 86_400).is_ok(),
            "an emergency price waits for no grace"
        );
        for status in [FeedStatus::Stale, FeedStatus::Suspect, FeedStatus::Frozen] {
            list[1].1 = Ok(PriceData {
                status,
                ..price(2_000)
            });
            assert_eq!(usable(&list, 0), Err(PoolError::PriceNotOk(ETH, status)));
        }
        list[1].1 = Err(OracleError::UnknownFeed);
        assert_eq!(
            usable(&list, 0),
            Err(PoolError::Oracle(OracleError::UnknownFeed))
        );
    }

    #[test]
    fn unusable_collateral_counts_zero_and_debt_counts_at_its_last_price() {
        let mut books = books();
        // 1 ETH of collateral owing 1,000 USD, and 10 USD supplied as collateral.
        let mut account = borrower(&mut books, 1, 1_000);
        let usd_config = *books.get(USD).unwrap().config();
        books
            .get_mut(USD)
            .unwrap()
            .state
            .supply(&usd_config, 10_000_000)
            .unwrap();
        let usd = account.position_mut(USD).unwrap();
        usd.scaled_supply = 10_000_000;
        usd.collateral = Collateral::On;
        let mut list = prices(2_000);
        let all = account_health(&account, &books, &list).unwrap();
        assert_eq!(all.liquidation_capacity_wad, 1_608 * WAD);
        list[0].1 = Ok(PriceData {
            status: FeedStatus::Emergency,
            ..price(1)
        });
        assert_eq!(account_health(&account, &books, &list), Ok(all));
        for status in [FeedStatus::Stale, FeedStatus::Suspect, FeedStatus::Frozen] {
            // USD both as collateral (now zero) and as debt (its last good price).
            list[0].1 = Ok(PriceData { status, ..price(1) });
            let health = account_health(&account, &books, &list).unwrap();
            assert_eq!(health.liquidation_capacity_wad, 1_600 * WAD, "{status:?}");
            assert_eq!(health.debt_value_wad, 1_000 * WAD, "{status:?}");
        }
        // A debt with no price at all cannot be valued.
        list[0].1 = Err(OracleError::UnknownFeed);
        assert_eq!(
            account_health(&account, &books, &list),
            Err(PoolError::Oracle(OracleError::UnknownFeed))
        );
        // Collateral with no price counts zero.
        let mut lender = borrower(&mut books, 1, 1_000);
        let btc_config = *books.get(BTC).unwrap().config();
        books
            .get_mut(BTC)
            .unwrap()
            .state
            .supply(&btc_config, 1)
            .unwrap();
        let btc = lender.open(BTC).unwrap();
        btc.scaled_supply = 1;
        btc.collateral = Collateral::On;
        let mut list = prices(2_000);
        list.push((BTC, Err(OracleError::NoPrice)));
        let health = account_health(&lender, &books, &list).unwrap();
        assert_eq!(health.liquidation_capacity_wad, 1_600 * WAD);
        // Nor does a collateral left unread: that is a caller's mistake, not a zero.
        assert_eq!(
            account_health(&lender, &books, &prices(2_000)),
            Err(PoolError::OracleCallFailed)
        );
    }

    #[test]
    fn prices_convert_with_their_decimals_and_rounding() {
        let data = PriceData {
            value: 123_456_789,
            decimals: 20,
            ..price(1)
        };
        assert_eq!(price_wad(&data, Rounding::Down), Ok(1_234_567));
        assert_eq!(price_wad(&data, Rounding::Up), Ok(1_234_568));
    }
}
