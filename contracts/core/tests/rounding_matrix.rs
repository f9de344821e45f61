//! One test per cell of the rounding matrix in the crate docs, each at an index or price
//! where the exact result is fractional, so the wrong direction would fail.

use carrack_core::config::MarketConfig;
use carrack_core::*;

const T0: u64 = 1_700_000_000;

fn config() -> MarketConfig {
    MarketConfig {
        decimals: 6,
        ltv_wad: 75 * WAD / 100,
        liquidation_threshold_wad: 80 * WAD / 100,
        liquidation_bonus_wad: 105 * WAD / 100,
        liquidation_protocol_fee_wad: WAD / 10,
        reserve_factor_wad: WAD / 10,
        rate_model: RateModel {
            base_rate_wad: WAD / 100,
            slope_low_wad: 4 * WAD / 100,
            slope_high_wad: 75 * WAD / 100,
            optimal_utilization_wad: 8 * WAD / 10,
        },
        supply_cap: u128::MAX,
        borrow_cap: u128::MAX,
        min_debt: 0,
    }
}

/// A market whose indices are both 1.5: 10 units are 6.67 scaled units.
fn market_at_index_one_and_a_half() -> MarketState {
    let mut state = MarketState::list(&config(), 1_000_000, T0).unwrap();
    state.supply_index_ray = 3 * RAY / 2;
    state.borrow_index_ray = 3 * RAY / 2;
    state
}

#[test]
fn supply_mints_scaled_rounding_down() {
    let mut state = market_at_index_one_and_a_half();
    assert_eq!(state.supply(&config(), 10), Ok(6), "6.67 -> 6");
}

#[test]
fn withdraw_burns_scaled_rounding_up() {
    let mut state = market_at_index_one_and_a_half();
    assert_eq!(state.withdraw(100, 10), Ok((10, 7)), "6.67 -> 7");
}

#[test]
fn borrow_mints_scaled_debt_rounding_up() {
    let mut state = market_at_index_one_and_a_half();
    assert_eq!(state.borrow(&config(), 0, 10), Ok(7), "6.67 -> 7");
}

#[test]
fn repay_burns_scaled_debt_rounding_down() {
    let mut state = market_at_index_one_and_a_half();
    state.total_scaled_debt = 100;
    assert_eq!(state.repay(&config(), 100, 10), Ok((10, 6)), "6.67 -> 6");
}

#[test]
fn displayed_supply_rounds_down() {
    let state = market_at_index_one_and_a_half();
    assert_eq!(state.supply_balance(7), Ok(10), "10.5 -> 10");
}

#[test]
fn displayed_debt_rounds_up() {
    let state = market_at_index_one_and_a_half();
    assert_eq!(state.debt_balance(7), Ok(11), "10.5 -> 11");
}

#[test]
fn collateral_value_rounds_down() {
    let mut health = AccountHealth::default();
    // 1e6 units of a 24-decimal token at 1.5 per whole token: 1.5 WAD units -> 1.
    health
        .add_collateral(1_000_000, 24, 3 * WAD / 2, WAD / 2, WAD / 2 + 1)
        .unwrap();
    assert_eq!(health.collateral_value_wad, 1);
}

#[test]
fn debt_value_rounds_up() {
    let mut health = AccountHealth::default();
    health.add_debt(1_000_000, 24, 3 * WAD / 2).unwrap();
    assert_eq!(health.debt_value_wad, 2, "1.5 -> 2");
}

#[test]
fn borrow_rate_rounds_up_and_supply_rate_down() {
    let model = config().rate_model;
    // 1 %/yr per second = 317_097_919_837_645_865.38 RAY -> ...866
    assert_eq!(
        model.borrow_rate_per_second_ray(0),
        Ok(317_097_919_837_645_866)
    );
    // 317_097_919_837_645_866 * 0.5 * 0.9 = 142_694_063_926_940_639.7 -> ...639
    assert_eq!(
        supply_rate(317_097_919_837_645_866, WAD / 2, WAD / 10),
        Ok(142_694_063_926_940_639)
    );
}

#[test]
fn liquidation_seizure_rounds_down_and_recomputed_repay_up() {
    let base = LiquidationInput {
        health_factor_wad: 9 * WAD / 10,
        debt_balance: 1_000,
        debt_decimals: 0,
        debt_price_wad: WAD,
        collateral_balance: 1_000_000,
        collateral_decimals: 0,
        collateral_price_wad: 3 * WAD,
        liquidation_bonus_wad: 105 * WAD / 100,
        protocol_fee_wad: 0,
        requested_repay: 10,
        min_collateral_out: 0,
        dust_value_wad: 0,
    };
    // 10 * 1.05 / 3 = 3.5 -> 3
    assert_eq!(plan_liquidation(&base).unwrap().collateral_seized, 3);
    // Only 1 unit of collateral: repay = 3 / 1.05 = 2.857 -> 3
    let scarce = LiquidationInput {
        collateral_balance: 1,
        ..base
    };
    assert_eq!(plan_liquidation(&scarce).unwrap().repay, 3);
}

#[test]
fn liquidation_protocol_fee_rounds_up_within_the_bonus() {
    let input = LiquidationInput {
        health_factor_wad: 9 * WAD / 10,
        debt_balance: 1_000,
        debt_decimals: 0,
        debt_price_wad: WAD,
        collateral_balance: 1_000_000,
        collateral_decimals: 0,
        collateral_price_wad: WAD,
        liquidation_bonus_wad: 110 * WAD / 100,
        protocol_fee_wad: WAD / 3,
        requested_repay: 100,
        min_collateral_out: 0,
        dust_value_wad: 0,
    };
    // seized 110, bonus part 10, fee 10 / 3 = 3.33 -> 4
    let plan = plan_liquidation(&input).unwrap();
    assert_eq!((plan.collateral_seized, plan.protocol_fee), (110, 4));
}

#[test]
fn reserve_share_rounds_down() {
    let config = config();
    let mut state = MarketState::list(&config, 1_000_000, T0).unwrap();
    state.borrow(&config, 0, 500_000).unwrap();
    let accrual = state.accrue(&config, T0 + 86_400).unwrap();
    assert_eq!(
        accrual.reserve_share,
        accrual.interest / 10,
        "floor of a tenth"
    );
    assert_ne!(
        accrual.interest % 10,
        0,
        "the case must be fractional to mean anything"
    );
}
