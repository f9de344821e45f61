//! Markets for the keeper's unit tests.

use carrack_core::{MarketConfig, RateModel, WAD};
use carrack_pool::market::{Market, MarketParams};

/// The tests' clock.
pub const NOW: u64 = 1_000_000;

/// A market like Comet's WETH listed at [`NOW`] with 1,000 tokens of cash: LTV 75 %,
/// liquidation threshold 80 %, bonus 5 %.
pub fn market(decimals: u8) -> Market {
    let params = MarketParams {
        config: MarketConfig {
            decimals,
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
        },
        collateral_enabled: true,
        borrowing_enabled: true,
        flash_loan_fee_wad: 0,
    };
    Market::list(params, 1_000 * 10u128.pow(u32::from(decimals)), NOW).unwrap() // allow-panic: test fixture
}
