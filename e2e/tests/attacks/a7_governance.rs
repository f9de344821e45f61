//! # A7: governance capture
//!
//! **The attack.** Whoever passes a proposal controls every admin message: the timelock
//! holds the pool's and the oracle's governance. An attacker borrows voting power for
//! one block (a flash loan of the votes token) and votes with it, or rushes a proposal
//! through before holders notice, or relies on a batch half-executing: the harmless
//! first action sticks while the one that failed can be retried later.
//!
//! **Precedents.** Beanstalk, April 2022 (about 182 M USD: flash-loaned votes passed and
//! executed an emergency proposal in one transaction); Compound proposal 289, July 2024
//! (the "Golden Boys" proposal moving 24 M USD of COMP to a vault they controlled,
//! passed with a late vote swing); Sonne Finance, May 2024 (timelocked listing actions
//! executable one by one, so the market went live without its safety steps).
//!
//! **Why it fails here.** Votes are read at a snapshot block before the vote opens, so
//! power acquired afterwards counts for nothing; a proposal needs the voting delay, the
//! voting period and the quorum, then waits out the timelock's delay, during which the
//! guardian can cancel it; and a batch runs all its actions in order or none. (The
//! guardian cannot cancel a batch that replaces a guardian, or a rogue guardian could
//! block its own replacement; the worst a captured vote makes of that is a hostile
//! guardian, who can pause and freeze but not move funds, and whom the next proposal
//! replaces.)

use carrack_e2e::governance::*;
use carrack_e2e::suite::*;
use carrack_governor::error::GovernorError;
use carrack_governor::proposal::{ProposalState, VoteType};
use carrack_interfaces::{
    AdminError, BatchStatus, Governed, Timelock as _, TimelockError, Votes, PSP22,
};
use carrack_pool::error::PoolError;

/// Eve, holding 10 % of the votes, proposes to point the pool at an oracle of her own and
/// take the TUSD reserves. The 30 % she borrows from Bob after the snapshot does not vote,
/// nor can she vote twice; she cannot skip the vote or the delay; her batch fails as a
/// whole when its second action does; and the guardian cancels it for good. The pool's
/// oracle and reserves end as they began.
#[carrack_e2e::test]
async fn borrowed_votes_rushed_and_partial_batches_capture_nothing(
    mut client: NodeClient,
) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(flat_rate_model(WAD));
    let mut suite = Suite::deploy(&mut client, config).await?;
    let mut gov = Governance::deploy(&mut client, &mut suite, GovernanceConfig::default()).await?;
    let usd = suite.t6;
    let (attacker, holder) = (ink_e2e::eve(), ink_e2e::bob());

    // Interest so that there are reserves worth stealing.
    suite
        .fund_and_supply(&mut client, &ink_e2e::dave(), suite.t18, unit(18))
        .await?;
    suite
        .borrow(&mut client, &ink_e2e::dave(), usd, 500 * unit(6))
        .await?;

    // Eve's own stake (10 %), and Bob's 30 % that she will borrow later.
    let ten_per_cent = GOV_SUPPLY / 10;
    gov.transfer_votes(&mut client, eve(), ten_per_cent).await?;
    gov.transfer_votes(&mut client, bob(), 3 * ten_per_cent)
        .await?;
    for (keys, who) in [(&attacker, eve()), (&holder, bob())] {
        send(&mut client, keys, &gov.token.delegate(Some(who)))
            .await?
            .0
            .map_err(describe)?;
    }

    // The malicious batch: the pool's oracle replaced by one of hers (any price she
    // likes), then more reserves than exist (so that it fails now and could be retried
    // once they grow, were batches not atomic).
    let grab_oracle = action(&suite.pool.set_oracle(eve()));
    let drain = action(&suite.pool.withdraw_reserves(usd, u128::MAX / 2, eve()));
    let id = gov
        .propose(
            &mut client,
            &attacker,
            vec![grab_oracle, drain],
            "routine upkeep",
        )
        .await?;

    // Rushing: nothing can be queued or called before the vote.
    assert_eq!(
        refused(&mut client, &attacker, &gov.governor.queue(id)).await?,
        Err(GovernorError::NotSucceeded)
    );
    assert_eq!(
        refused(&mut client, &attacker, &suite.pool.set_guardian(eve())).await?,
        Err(AdminError::NotGovernance)
    );
    let schedule = gov
        .timelock
        .queue(vec![action(&suite.pool.set_guardian(eve()))]);
    assert_eq!(
        refused(&mut client, &attacker, &schedule).await?,
        Err(TimelockError::NotGovernor)
    );
    assert_eq!(
        gov.seal_past(&mut client, id, ProposalState::Pending)
            .await?,
        ProposalState::Active
    );

    // The flash loan: Bob's 30 % moves to Eve after the snapshot and votes nothing.
    let lend = gov.token.transfer(eve(), 3 * ten_per_cent, Vec::new());
    send(&mut client, &holder, &lend)
        .await?
        .0
        .map_err(describe)?;
    assert_eq!(
        dry(&mut client, &attacker, &gov.token.get_votes(eve())).await?,
        4 * ten_per_cent,
        "her power now is real"
    );
    assert_eq!(
        gov.vote(&mut client, &attacker, id, VoteType::For).await?,
        ten_per_cent,
        "only what she held at the snapshot counts"
    );
    assert_eq!(
        refused(
            &mut client,
            &attacker,
            &gov.governor.cast_vote(id, VoteType::For)
        )
        .await?,
        Err(GovernorError::AlreadyVoted)
    );
    let give_back = gov.token.transfer(bob(), 3 * ten_per_cent, Vec::new());
    send(&mut client, &attacker, &give_back)
        .await?
        .0
        .map_err(describe)?;

    // Nobody else votes (Bob could still vote his snapshot 30 % against; he does not):
    // 10 % For clears the 4 % quorum. Queued, it waits for the timelock's delay.
    assert_eq!(
        gov.seal_past(&mut client, id, ProposalState::Active)
            .await?,
        ProposalState::Succeeded
    );
    let queued = gov.queue(&mut client, id).await?;
    assert_eq!(
        gov.execute_refused(&mut client, &attacker, queued.batch_id)
            .await?,
        TimelockError::NotReady
    );

    // After the delay: the second action fails, and the first is undone with it.
    wait_until(&mut client, queued.info.eta_secs).await;
    assert_eq!(
        gov.execute_refused(&mut client, &attacker, queued.batch_id)
            .await?,
        TimelockError::ActionFailed(1)
    );
    let (oracle, _) = dry(&mut client, &attacker, &suite.pool.settings()).await?;
    assert_eq!(
        oracle, suite.oracle_id,
        "the first action was undone with the second"
    );

    // The guardian cancels it before the reserves could ever cover it.
    send(
        &mut client,
        &ink_e2e::ferdie(),
        &gov.timelock.cancel(queued.batch_id),
    )
    .await?
    .0
    .map_err(describe)?;
    let info = gov
        .batch_info(&mut client, queued.batch_id)
        .await?
        .ok_or("the batch is unknown")?;
    assert_eq!(info.status, BatchStatus::Canceled);
    assert_eq!(
        gov.execute_refused(&mut client, &attacker, queued.batch_id)
            .await?,
        TimelockError::BatchCanceled
    );
    assert_eq!(gov.state(&mut client, id).await?, ProposalState::Canceled);

    // Nothing moved to Eve: no oracle, no tokens, and the reserves are still there.
    assert_eq!(balance(&mut client, usd, eve()).await?, 0);
    let reserves = suite.market(&mut client, usd).await?.market.state.reserves;
    assert!(reserves > 0, "the reserves accrued and stayed");
    let direct = suite.pool.withdraw_reserves(usd, reserves, eve());
    assert_eq!(
        refused(&mut client, &attacker, &direct).await?,
        Err(PoolError::NotGovernance)
    );
    Ok(())
}
