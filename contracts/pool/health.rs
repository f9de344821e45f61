//! An account's health from its positions, the loaded markets and the oracle's prices,
//! and the price policy: actions that can lower health need every price they use to be
//! `Ok`, and liquidation also waits out a grace period after a feed recovers.

use crate::account::Account;
use crate::books::Books;
use crate::error::PoolError;
use carrack_core::{price_to_wad, AccountHealth, Rounding};
use carrack_interfaces::{FeedStatus, PriceData};
use ink::primitives::AccountId;

/// Prices as read from the oracle, paired with their assets.
pub type Prices = [(AccountId, PriceData)];
/// An owned [`Prices`].
pub type PriceList = ink::prelude::vec::Vec<(AccountId, PriceData)>;

/// The price of `asset` among `prices`.
pub fn price_of(prices: &Prices, asset: AccountId) -> Result<&PriceData, PoolError> {
    prices
        .iter()
        .find(|(a, _)| *a == asset)
        .map(|(_, data)| data)
        .ok_or(PoolError::OracleCallFailed)
}

/// The price as WAD per whole token, rounded as asked: down for collateral, up for debt.
pub fn price_wad(data: &PriceData, rounding: Rounding) -> Result<u128, PoolError> {
    Ok(price_to_wad(data.value, data.decimals, rounding)?)
}

/// Refuses unless every price is `Ok`; with `grace_secs`, also unless every feed has
/// been `Ok` for at least that long.
pub fn require_fresh(
    prices: &Prices,
    now_secs: u64,
    grace_secs: Option<u64>,
) -> Result<(), PoolError> {
    for (asset, data) in prices {
        if data.status != FeedStatus::Ok {
            return Err(PoolError::PriceNotOk(*asset, data.status));
        }
        if let Some(grace) = grace_secs {
            // Saturating: a grace period reaching past u64::MAX simply never ends.
            if now_secs < data.ok_since_secs.saturating_add(grace) {
                return Err(PoolError::LiquidationGracePeriod);
            }
        }
    }
    Ok(())
}

/// The account's collateral value, borrowing power, liquidation capacity and debt value.
/// Collateral is valued rounding down and debt rounding up.
pub fn account_health(
    account: &Account,
    books: &Books,
    prices: &Prices,
) -> Result<AccountHealth, PoolError> {
    let mut health = AccountHealth::default();
    for position in account.positions.iter().filter(|p| p.needs_price()) {
        let market = books.get(position.asset)?;
        let config = market.config();
        let price = price_of(prices, position.asset)?;
        if position.is_collateral() {
            health.add_collateral(
                market.state.supply_balance(position.scaled_supply)?,
                config.decimals,
                price_wad(price, Rounding::Down)?,
                market.effective_ltv_wad(),
                config.liquidation_threshold_wad,
            )?;
        }
        if position.scaled_debt != 0 {
            health.add_debt(
                market.state.debt_balance(position.scaled_debt)?,
                config.decimals,
                price_wad(price, Rounding::Up)?,
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
    fn fresh_means_ok_and_past_the_grace_period() {
        let mut list = prices(2_000);
        assert_eq!(require_fresh(&list, NOW, None), Ok(()));
        assert_eq!(
            require_fresh(&list, NOW, Some(86_400)),
            Ok(()),
            "the boundary passes"
        );
        assert_eq!(
            require_fresh(&list, NOW, Some(86_401)),
            Err(PoolError::LiquidationGracePeriod)
        );
        list[0].1.status = FeedStatus::Frozen;
        assert_eq!(
            require_fresh(&list, NOW, None),
            Err(PoolError::PriceNotOk(USD, FeedStatus::Frozen))
        );
        assert_eq!(
            price_of(&list, AccountId([9; 32])),
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
