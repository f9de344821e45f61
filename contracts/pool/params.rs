//! Pool-wide parameters and their bounds.

use crate::error::PoolError;
use carrack_core::WAD;

/// Longest liquidation grace period accepted: one day.
pub const MAX_LIQUIDATION_GRACE_SECS: u64 = 86_400;
/// Largest dust threshold accepted: 1,000 quote units.
pub const MAX_DUST_VALUE_WAD: u128 = 1_000 * WAD;

/// Rules that apply to every market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct PoolParams {
    /// After an unpause, or after a price feed returns to `Ok`, liquidations wait this
    /// long, so borrowers can react first (Aave v3.1's grace period).
    pub liquidation_grace_secs: u64,
    /// A liquidation may not leave debt or collateral worth less than this (quote
    /// units, WAD), so no position is left too small to be worth liquidating.
    pub dust_value_wad: u128,
}

impl PoolParams {
    /// Accepts the parameters or refuses them with [`PoolError::InvalidPoolParams`].
    pub fn validate(&self) -> Result<(), PoolError> {
        if self.liquidation_grace_secs > MAX_LIQUIDATION_GRACE_SECS
            || self.dust_value_wad > MAX_DUST_VALUE_WAD
        {
            return Err(PoolError::InvalidPoolParams);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let ok = PoolParams {
            liquidation_grace_secs: MAX_LIQUIDATION_GRACE_SECS,
            dust_value_wad: MAX_DUST_VALUE_WAD,
        };
        assert_eq!(ok.validate(), Ok(()));
        let long = PoolParams {
            liquidation_grace_secs: MAX_LIQUIDATION_GRACE_SECS + 1,
            ..ok
        };
        assert_eq!(long.validate(), Err(PoolError::InvalidPoolParams));
        let dusty = PoolParams {
            dust_value_wad: MAX_DUST_VALUE_WAD + 1,
            ..ok
        };
        assert_eq!(dusty.validate(), Err(PoolError::InvalidPoolParams));
    }
}
