//! The governor's parameters and the bounds they must stay within.
//!
//! The bounds are fixed at instantiation (production and devnet deployments pick
//! different ones); the parameters change only through a proposal executed by the
//! timelock, and always within the bounds.

use crate::error::GovernorError;

/// Basis points in one whole (100 %).
pub const BPS: u16 = 10_000;

/// An inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Bounds<T> {
    /// Smallest allowed value.
    pub min: T,
    /// Largest allowed value.
    pub max: T,
}

impl<T: PartialOrd + Copy> Bounds<T> {
    fn contains(&self, value: T) -> bool {
        self.min <= value && value <= self.max
    }

    fn is_ordered(&self) -> bool {
        self.min <= self.max
    }
}

/// How proposals are made and decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct GovernorParams {
    /// Blocks between a proposal and its snapshot block; voting opens the block after.
    pub voting_delay_blocks: u32,
    /// Blocks during which votes are accepted, after the snapshot block.
    pub voting_period_blocks: u32,
    /// Votes (at the previous block) an account needs to propose, in token units.
    pub proposal_threshold: u128,
    /// Share of the snapshot total supply that must vote For or Abstain, in basis points.
    pub quorum_bps: u16,
}

/// The bounds every parameter must respect, fixed at instantiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct GovernorLimits {
    /// Bounds of `voting_delay_blocks`; the minimum is at least 1.
    pub voting_delay_blocks: Bounds<u32>,
    /// Bounds of `voting_period_blocks`; the minimum is at least 1.
    pub voting_period_blocks: Bounds<u32>,
    /// Bounds of `proposal_threshold`.
    pub proposal_threshold: Bounds<u128>,
    /// Bounds of `quorum_bps`; within 1..=10 000.
    pub quorum_bps: Bounds<u16>,
}

impl GovernorLimits {
    /// Checks the bounds themselves: ordered, a voting delay and period of at least one
    /// block (so no vote can read the current block's power), a quorum above zero and
    /// at most 100 %.
    pub fn validate(&self) -> Result<(), GovernorError> {
        let ordered = self.voting_delay_blocks.is_ordered()
            && self.voting_period_blocks.is_ordered()
            && self.proposal_threshold.is_ordered()
            && self.quorum_bps.is_ordered();
        if !ordered
            || self.voting_delay_blocks.min == 0
            || self.voting_period_blocks.min == 0
            || self.quorum_bps.min == 0
            || self.quorum_bps.max > BPS
        {
            return Err(GovernorError::InvalidLimits);
        }
        Ok(())
    }

    /// Checks `params` against the bounds.
    pub fn check(&self, params: &GovernorParams) -> Result<(), GovernorError> {
        let within = self
            .voting_delay_blocks
            .contains(params.voting_delay_blocks)
            && self
                .voting_period_blocks
                .contains(params.voting_period_blocks)
            && self.proposal_threshold.contains(params.proposal_threshold)
            && self.quorum_bps.contains(params.quorum_bps);
        if !within {
            return Err(GovernorError::InvalidParams);
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Production-like bounds (6-second blocks): delay 1 block–1 week, period
    /// 1 day–2 weeks, quorum 1–20 %.
    pub fn limits() -> GovernorLimits {
        GovernorLimits {
            voting_delay_blocks: Bounds {
                min: 1,
                max: 100_800,
            },
            voting_period_blocks: Bounds {
                min: 14_400,
                max: 201_600,
            },
            proposal_threshold: Bounds {
                min: 1,
                max: 1_000_000,
            },
            quorum_bps: Bounds {
                min: 100,
                max: 2_000,
            },
        }
    }

    pub fn params() -> GovernorParams {
        GovernorParams {
            voting_delay_blocks: 10,
            voting_period_blocks: 14_400,
            proposal_threshold: 1_000,
            quorum_bps: 400,
        }
    }

    #[test]
    fn parameters_stay_within_the_bounds_at_both_edges() {
        let limits = limits();
        assert_eq!(limits.validate(), Ok(()));
        assert_eq!(limits.check(&params()), Ok(()));
        let edges = [
            GovernorParams {
                voting_delay_blocks: 1,
                voting_period_blocks: 14_400,
                proposal_threshold: 1,
                quorum_bps: 100,
            },
            GovernorParams {
                voting_delay_blocks: 100_800,
                voting_period_blocks: 201_600,
                proposal_threshold: 1_000_000,
                quorum_bps: 2_000,
            },
        ];
        for edge in edges {
            assert_eq!(limits.check(&edge), Ok(()));
        }
        let outside = [
            GovernorParams {
                voting_delay_blocks: 0,
                ..params()
            },
            GovernorParams {
                voting_delay_blocks: 100_801,
                ..params()
            },
            GovernorParams {
                voting_period_blocks: 14_399,
                ..params()
            },
            GovernorParams {
                proposal_threshold: 1_000_001,
                ..params()
            },
            GovernorParams {
                quorum_bps: 99,
                ..params()
            },
            GovernorParams {
                quorum_bps: 2_001,
                ..params()
            },
        ];
        for bad in outside {
            assert_eq!(limits.check(&bad), Err(GovernorError::InvalidParams));
        }
    }

    #[test]
    fn inconsistent_bounds_are_refused() {
        let zero_delay = GovernorLimits {
            voting_delay_blocks: Bounds { min: 0, max: 10 },
            ..limits()
        };
        let zero_period = GovernorLimits {
            voting_period_blocks: Bounds { min: 0, max: 10 },
            ..limits()
        };
        let inverted = GovernorLimits {
            proposal_threshold: Bounds { min: 2, max: 1 },
            ..limits()
        };
        let zero_quorum = GovernorLimits {
            quorum_bps: Bounds { min: 0, max: 10 },
            ..limits()
        };
        let over_full = GovernorLimits {
            quorum_bps: Bounds {
                min: 1,
                max: BPS + 1,
            },
            ..limits()
        };
        for bad in [zero_delay, zero_period, inverted, zero_quorum, over_full] {
            assert_eq!(bad.validate(), Err(GovernorError::InvalidLimits));
        }
    }
}
