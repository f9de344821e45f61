//! Part of the invariant fuzzer (see `mod.rs`): test code only, like the whole `fuzz`
//! module (`#[cfg(test)] mod fuzz;` in `lib.rs`), said here too so each file shows it.
#![cfg(test)]

// ---------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------

use super::*;

/// An amount, resolved against the state when the operation runs.
#[derive(Debug, Clone, Copy)]
pub(super) enum Size {
    /// `u128::MAX`: everything (withdraw, repay, liquidate).
    All,
    /// A fraction, in basis points, of the relevant limit (above 10,000: an overshoot).
    Bps(u32),
    /// A few smallest units: rounding edges.
    Units(u128),
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Op {
    Supply {
        user: usize,
        market: usize,
        size: Size,
        for_user: Option<usize>,
    },
    Withdraw {
        user: usize,
        market: usize,
        size: Size,
    },
    Borrow {
        user: usize,
        market: usize,
        size: Size,
    },
    Repay {
        payer: usize,
        user: usize,
        market: usize,
        size: Size,
    },
    Collateral {
        user: usize,
        market: usize,
        enable: bool,
    },
    Liquidate {
        liquidator: usize,
        pick: usize,
        debt: usize,
        collateral: usize,
        size: Size,
        min_out_bps: u32,
        /// `liquidate_to_supply`: the collateral is credited as the liquidator's supply.
        to_supply: bool,
    },
    Wait {
        secs: u64,
    },
    /// A price move against a borrower (`pick` as for a liquidation): one of its
    /// collateral prices falls, or one of its debt prices rises, to bring its health
    /// factor to about `target_bps` / 10,000 (just below, at or just above 1 included).
    /// The reporters report the new level; a move beyond the deviation limit is held
    /// (`Suspect`) and confirmed by a second round a second later.
    Shock {
        pick: usize,
        target_bps: u32,
        debt_side: bool,
    },
    /// The market's quote moves by `bps` / 10,000 and its reporters report it in one
    /// round (beyond the deviation limit it is held: `Suspect`).
    Price {
        market: usize,
        bps: u32,
    },
    /// Drives the feed towards `status` through the oracle's own transitions (see
    /// [`World::drive_feed`]); `None`: governance removes the feed (`UnknownFeed`), or
    /// lists a removed one again without a price (`NoPrice`). `jump_bps` is the quote's
    /// jump for `Suspect`.
    Feed {
        market: usize,
        status: Option<FeedStatus>,
        jump_bps: u32,
    },
    Pause {
        market: usize,
        actions: PauseFlags,
    },
    Unpause {
        market: usize,
        actions: PauseFlags,
    },
    Switch {
        market: usize,
        collateral_enabled: bool,
        borrowing_enabled: bool,
    },
    WithdrawReserves {
        market: usize,
        size: Size,
    },
    Donate {
        user: usize,
        market: usize,
        size: Size,
    },
    /// `flash_loan` by `user`, its own receiver, of `size` of the market's cash: during
    /// the callback (the market's cash lowered by the loan) it does `inside`, then owes
    /// the loan and its fee back from its wallet (a wallet that cannot pay reverts it all).
    FlashLoan {
        user: usize,
        market: usize,
        size: Size,
        inside: Inside,
    },
}

/// What a flash loan's receiver does during its callback, through the pool's messages it
/// may call then (a refused one is reverted alone, as ink! reverts a nested message).
#[derive(Debug, Clone, Copy)]
pub(super) enum Inside {
    /// Nothing: it just pays the loan back.
    Nothing,
    /// Repays all of its own debt in `market` (`pick` as for `World::pick`).
    Repay { market: usize },
    /// Supplies half of the loan on its own behalf.
    SupplyHalf,
    /// Liquidates a borrower (`pick` as for `Op::Liquidate`), paid in tokens or to
    /// supply: a flash-loan liquidation.
    Liquidate {
        pick: usize,
        debt: usize,
        collateral: usize,
        to_supply: bool,
    },
}

impl Op {
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Op::Supply { for_user: None, .. } => "supply",
            Op::Supply { .. } => "supply on behalf",
            Op::Withdraw { .. } => "withdraw",
            Op::Borrow { .. } => "borrow",
            Op::Repay { .. } => "repay",
            Op::Collateral { enable: true, .. } => "enable collateral",
            Op::Collateral { .. } => "disable collateral",
            Op::Liquidate {
                to_supply: true, ..
            } => "liquidate to supply",
            Op::Liquidate { .. } => "liquidate",
            Op::Wait { .. } => "time passes",
            Op::Price { .. } => "price move",
            Op::Shock { .. } => "price shock",
            Op::Feed { .. } => "feed status",
            Op::Pause { .. } => "pause",
            Op::Unpause { .. } => "unpause",
            Op::Switch { .. } => "set market params",
            Op::WithdrawReserves { .. } => "withdraw reserves",
            Op::Donate { .. } => "donation",
            Op::FlashLoan {
                inside: Inside::Nothing,
                ..
            } => "flash loan",
            Op::FlashLoan {
                inside: Inside::Repay { .. },
                ..
            } => "flash loan, repaying inside",
            Op::FlashLoan {
                inside: Inside::SupplyHalf,
                ..
            } => "flash loan, supplying inside",
            Op::FlashLoan {
                inside: Inside::Liquidate { .. },
                ..
            } => "flash loan, liquidating inside",
        }
    }
}

pub(super) fn size() -> impl Strategy<Value = Size> {
    prop_oneof![
        2 => Just(Size::All),
        10 => (1u32..=10_000).prop_map(Size::Bps),
        3 => (9_000u32..=10_000).prop_map(Size::Bps),
        2 => Just(Size::Bps(10_000)),
        1 => (10_001u32..=12_000).prop_map(Size::Bps),
        1 => (1u128..=1_000).prop_map(Size::Units),
    ]
}

fn actions_set() -> impl Strategy<Value = PauseFlags> {
    (any::<[bool; 6]>()).prop_map(|f| PauseFlags {
        supply: f[0],
        withdraw: f[1],
        borrow: f[2],
        liquidate: f[3],
        collateral: f[4],
        flash_loan: f[5],
    })
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    let user = 0..ACTORS;
    let market = 0..MARKETS;
    // Withdraw, repay and collateral switches pick among the account's positions
    // (`World::pick`); 7 means any market.
    let position = 0..8usize;
    prop_oneof![
        20 => (user.clone(), market.clone(), size(), proptest::option::weighted(0.1, 0..ACTORS))
            .prop_map(|(user, market, size, for_user)| Op::Supply { user, market, size, for_user }),
        10 => (user.clone(), position.clone(), size())
            .prop_map(|(user, market, size)| Op::Withdraw { user, market, size }),
        18 => (user.clone(), market.clone(), size())
            .prop_map(|(user, market, size)| Op::Borrow { user, market, size }),
        10 => (user.clone(), prop_oneof![9 => Just(None), 1 => (0..ACTORS).prop_map(Some)], position.clone(), size())
            .prop_map(|(user, other, market, size)| Op::Repay { payer: other.unwrap_or(user), user, market, size }),
        4 => (user.clone(), position, any::<bool>())
            .prop_map(|(user, market, enable)| Op::Collateral { user, market, enable }),
        10 => (0..10 * ACTORS, prop_oneof![3 => Just(0), 1 => 0..USERS], 0..MAX_ACCOUNT_MARKETS, 0..MAX_ACCOUNT_MARKETS, size(),
               prop_oneof![4 => Just(0u32), 1 => 9_000u32..=10_100], proptest::bool::weighted(0.25))
            .prop_map(|(liquidator, pick, debt, collateral, size, min_out_bps, to_supply)| {
                // Mostly the dedicated liquidator; one time in ten anyone (itself too).
                let liquidator = if liquidator < ACTORS { liquidator } else { LIQUIDATOR };
                Op::Liquidate { liquidator, pick, debt, collateral, size, min_out_bps, to_supply }
            }),
        8 => prop_oneof![
                3 => 1u64..=60,
                3 => 60u64..=86_400,
                2 => 86_400u64..=30 * 86_400,
            ].prop_map(|secs| Op::Wait { secs }),
        10 => (market.clone(), prop_oneof![
                6 => 9_000u32..=11_000,
                3 => 7_000u32..=13_000,
                1 => 2_000u32..=7_000,
            ]).prop_map(|(market, bps)| Op::Price { market, bps }),
        8 => (prop_oneof![3 => Just(0), 1 => 0..USERS], prop_oneof![
                2 => 9_900u32..=10_050,
                2 => 8_000u32..=9_900,
                1 => 1_000u32..=8_000,
            ], any::<bool>()).prop_map(|(pick, target_bps, debt_side)| Op::Shock { pick, target_bps, debt_side }),
        3 => (market.clone(), prop_oneof![
                3 => Just(Some(FeedStatus::Ok)),
                1 => Just(Some(FeedStatus::Stale)),
                1 => Just(Some(FeedStatus::Suspect)),
                1 => Just(Some(FeedStatus::Frozen)),
                1 => Just(Some(FeedStatus::Emergency)),
                1 => Just(None),
            ], prop_oneof![12_000u32..=30_000, 3_000u32..=8_800])
            .prop_map(|(market, status, jump_bps)| Op::Feed { market, status, jump_bps }),
        1 => (market.clone(), actions_set()).prop_map(|(market, actions)| Op::Pause { market, actions }),
        3 => (market.clone(), prop_oneof![1 => actions_set(), 2 => Just(PauseFlags::ALL)])
            .prop_map(|(market, actions)| Op::Unpause { market, actions }),
        2 => (market.clone(), prop_oneof![4 => Just(true), 1 => Just(false)], prop_oneof![4 => Just(true), 1 => Just(false)])
            .prop_map(|(market, collateral_enabled, borrowing_enabled)| Op::Switch { market, collateral_enabled, borrowing_enabled }),
        2 => (market.clone(), size()).prop_map(|(market, size)| Op::WithdrawReserves { market, size }),
        1 => (0..ACTORS, market.clone(), (1u32..=100).prop_map(Size::Bps))
            .prop_map(|(user, market, size)| Op::Donate { user, market, size }),
        6 => (0..ACTORS, market, size(), prop_oneof![
                3 => Just(Inside::Nothing),
                2 => (0..8usize).prop_map(|market| Inside::Repay { market }),
                1 => Just(Inside::SupplyHalf),
                3 => (prop_oneof![3 => Just(0), 1 => 0..USERS], 0..MAX_ACCOUNT_MARKETS, 0..MAX_ACCOUNT_MARKETS, any::<bool>())
                    .prop_map(|(pick, debt, collateral, to_supply)| Inside::Liquidate { pick, debt, collateral, to_supply }),
            ]).prop_map(|(user, market, size, inside)| Op::FlashLoan { user, market, size, inside }),
    ]
}

#[derive(Debug, Clone)]
pub(super) struct Scenario {
    pub(super) params: PoolParams,
    pub(super) ops: Vec<Op>,
}

pub(super) fn scenario(ops: usize) -> impl Strategy<Value = Scenario> {
    (
        prop_oneof![Just(0u64), Just(600), Just(3_600)],
        prop_oneof![Just(0u128), Just(WAD), Just(50 * WAD)],
        proptest::collection::vec(op(), 1..=ops),
    )
        .prop_map(|(grace, dust, ops)| Scenario {
            params: PoolParams {
                liquidation_grace_secs: grace,
                dust_value_wad: dust,
            },
            ops,
        })
}
