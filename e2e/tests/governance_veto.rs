//! The guardian's veto on a real node (audit H-1 and second pass N-1): the whole lending
//! suite under governance as in `governance.rs` (Ferdie guards the pool, the oracle and
//! the timelock; Alice holds the votes).
//!
//! - H-1: a captured vote cannot switch the veto off by adding a no-op `set_guardian`
//!   beside a harmful action: the guardian cancels such a mixed batch during the delay.
//!   A pure replacement (every action makes another account guardian of a contract the
//!   timelock governs) is the one batch it cannot cancel, so governance can still replace
//!   a rogue guardian.
//! - N-1: once a proposal passed, a delegator moving its votes away from the proposer
//!   cannot have it canceled through the governor; before the vote ends it still can.

use carrack_e2e::governance::*;
use carrack_e2e::suite::*;
use carrack_e2e::NodeClient;
use carrack_governor::error::GovernorError;
use carrack_governor::params::GovernorParams;
use carrack_governor::proposal::{ProposalState, VoteType};
use carrack_interfaces::{
    Action, BatchStatus, Governed, Timelock as _, TimelockError, Votes, PSP22,
};
use ink_e2e::Keypair;

/// A delay long enough for the guardian to act between queueing and the eta, and a
/// voting period (also the time left to queue a passed proposal) long enough for the
/// refused cancels in between.
fn config() -> GovernanceConfig {
    let default = GovernanceConfig::default();
    GovernanceConfig {
        delay_secs: 20,
        params: GovernorParams {
            voting_period_blocks: 16,
            ..default.params
        },
        ..default
    }
}

async fn deploy(client: &mut NodeClient) -> E2EResult<(Suite, Governance)> {
    let mut suite = Suite::deploy(client, SuiteConfig::default()).await?;
    let governance = Governance::deploy(client, &mut suite, config()).await?;
    Ok((suite, governance))
}

/// `who` cancels the batch in the timelock.
async fn cancel_batch(
    client: &mut NodeClient,
    gov: &mut Governance,
    who: &Keypair,
    batch_id: u32,
) -> E2EResult<Result<(), TimelockError>> {
    let message = gov.timelock.cancel(batch_id);
    let answer = dry(client, who, &message).await?;
    if answer.is_ok() {
        send(client, who, &message).await?.0.map_err(describe)?;
        return Ok(answer);
    }
    refused(client, who, &message).await
}

/// The guardians of the pool, the oracle and the timelock, in that order.
async fn guardians(
    client: &mut NodeClient,
    suite: &Suite,
    gov: &Governance,
) -> E2EResult<[ink::primitives::AccountId; 3]> {
    let who = ink_e2e::alice();
    let pool = dry(client, &who, &suite.pool.admin_roles()).await?.guardian;
    let oracle = dry(client, &who, &suite.oracle.admin_roles())
        .await?
        .guardian;
    let timelock = dry(client, &who, &gov.timelock.settings()).await?.guardian;
    Ok([pool, oracle, timelock])
}

/// Alice passes three batches. The audit's attack, a no-op `set_guardian(Ferdie)` beside
/// `set_oracle(Eve's oracle)`, and a no-op replacement alone: Ferdie cancels both during
/// the delay, and the pool keeps its oracle. Then the replacement of Ferdie by Dave on
/// the pool, the oracle and the timelock: Ferdie's cancel is refused, the batch executes
/// after the eta, and from then on Dave holds the veto and Ferdie nothing.
#[carrack_e2e::test]
async fn the_guardian_cancels_a_mixed_batch_but_not_its_replacement(
    mut client: NodeClient,
) -> E2EResult<()> {
    let (mut suite, mut gov) = deploy(&mut client).await?;
    let ferdie_keys = ink_e2e::ferdie();
    let no_op = action(&suite.pool.set_guardian(ferdie()));
    let grab_oracle = action(&suite.pool.set_oracle(eve()));

    for (actions, what) in [
        (
            vec![no_op.clone(), grab_oracle],
            "no-op guardian change beside set_oracle",
        ),
        (vec![no_op], "no-op guardian change alone"),
    ] {
        let queued = gov.pass(&mut client, actions, what).await?;
        // Still inside the delay.
        assert_eq!(
            gov.execute_refused(&mut client, &ferdie_keys, queued.batch_id)
                .await?,
            TimelockError::NotReady,
            "{what}"
        );
        assert_eq!(
            cancel_batch(&mut client, &mut gov, &ferdie_keys, queued.batch_id).await?,
            Ok(()),
            "{what}"
        );
        let info = gov
            .batch_info(&mut client, queued.batch_id)
            .await?
            .ok_or("the batch is unknown")?;
        assert_eq!(info.status, BatchStatus::Canceled, "{what}");
        assert_eq!(
            gov.state(&mut client, queued.proposal_id).await?,
            ProposalState::Canceled
        );
        wait_until(&mut client, queued.info.eta_secs).await;
        assert_eq!(
            gov.execute_refused(&mut client, &ferdie_keys, queued.batch_id)
                .await?,
            TimelockError::BatchCanceled
        );
    }
    let (oracle, _) = dry(&mut client, &ferdie_keys, &suite.pool.settings()).await?;
    assert_eq!(oracle, suite.oracle_id, "the pool kept its oracle");

    // The replacement travels alone: Ferdie cannot cancel it.
    let replace: Vec<Action> = vec![
        action(&suite.pool.set_guardian(dave())),
        action(&suite.oracle.set_guardian(dave())),
        action(&gov.timelock.set_guardian(dave())),
    ];
    let queued = gov
        .pass(&mut client, replace, "replace the guardian by Dave")
        .await?;
    assert_eq!(
        cancel_batch(&mut client, &mut gov, &ferdie_keys, queued.batch_id).await?,
        Err(TimelockError::GuardianChangeNotCancelable)
    );
    assert_eq!(
        guardians(&mut client, &suite, &gov).await?,
        [ferdie(); 3],
        "nothing changed before the eta"
    );
    gov.execute(&mut client, &ink_e2e::bob(), &queued).await?;
    assert_eq!(guardians(&mut client, &suite, &gov).await?, [dave(); 3]);

    // Dave now holds the veto; Ferdie none.
    let queued = gov
        .pass(
            &mut client,
            vec![action(&suite.pool.set_oracle(eve()))],
            "set_oracle again",
        )
        .await?;
    assert_eq!(
        cancel_batch(&mut client, &mut gov, &ferdie_keys, queued.batch_id).await?,
        Err(TimelockError::NotGovernorOrGuardian)
    );
    assert_eq!(
        cancel_batch(&mut client, &mut gov, &ink_e2e::dave(), queued.batch_id).await?,
        Ok(())
    );
    Ok(())
}

/// The second pass's N-1 scenario. Bob holds 600 votes tokens and Charlie delegates 400
/// more to him: exactly the 1,000 threshold. While a proposal of Bob's is still Pending,
/// Charlie's re-delegation lets anyone cancel it (as designed: the proposer no longer
/// meets the threshold). Bob's next proposal, replacing the guardian Ferdie by Dave,
/// passes with Alice's votes; Charlie then re-delegates again, and now neither Ferdie nor
/// Bob can cancel it through the governor, before or after it is queued; Ferdie cannot
/// cancel it in the timelock either; it executes.
#[carrack_e2e::test]
async fn a_passed_proposal_survives_a_re_delegation(mut client: NodeClient) -> E2EResult<()> {
    let (mut suite, mut gov) = deploy(&mut client).await?;
    let (alice_keys, bob_keys, charlie_keys, ferdie_keys) = (
        ink_e2e::alice(),
        ink_e2e::bob(),
        ink_e2e::charlie(),
        ink_e2e::ferdie(),
    );
    let threshold = GOV_SUPPLY / 1_000;
    gov.transfer_votes(&mut client, bob(), threshold * 6 / 10)
        .await?;
    gov.transfer_votes(&mut client, charlie(), threshold * 4 / 10)
        .await?;
    send(&mut client, &bob_keys, &gov.token.delegate(Some(bob())))
        .await?
        .0
        .map_err(describe)?;
    send(&mut client, &charlie_keys, &gov.token.delegate(Some(bob())))
        .await?
        .0
        .map_err(describe)?;
    assert_eq!(
        dry(&mut client, &bob_keys, &gov.token.get_votes(bob())).await?,
        threshold
    );

    // Before the vote: the cancel rule is unchanged.
    let harmless = vec![action(&suite.pool.set_guardian(ferdie()))];
    let early = gov
        .propose(&mut client, &bob_keys, harmless, "early")
        .await?;
    assert_eq!(
        refused(&mut client, &ferdie_keys, &gov.governor.cancel(early)).await?,
        Err(GovernorError::NotProposer)
    );
    send(
        &mut client,
        &charlie_keys,
        &gov.token.delegate(Some(charlie())),
    )
    .await?
    .0
    .map_err(describe)?;
    seal_block(&mut client).await;
    send(&mut client, &ferdie_keys, &gov.governor.cancel(early))
        .await?
        .0
        .map_err(describe)?;
    assert_eq!(
        gov.state(&mut client, early).await?,
        ProposalState::Canceled
    );

    // The guardian replacement passes.
    send(&mut client, &charlie_keys, &gov.token.delegate(Some(bob())))
        .await?
        .0
        .map_err(describe)?;
    let replace = vec![action(&suite.pool.set_guardian(dave()))];
    let id = gov
        .propose(&mut client, &bob_keys, replace, "replace Ferdie by Dave")
        .await?;
    assert_eq!(
        gov.seal_past(&mut client, id, ProposalState::Pending)
            .await?,
        ProposalState::Active
    );
    gov.vote(&mut client, &alice_keys, id, VoteType::For)
        .await?;
    assert_eq!(
        gov.seal_past(&mut client, id, ProposalState::Active)
            .await?,
        ProposalState::Succeeded
    );

    // Charlie moves his 400 away: Bob is below the threshold, yet nobody cancels.
    send(
        &mut client,
        &charlie_keys,
        &gov.token.delegate(Some(charlie())),
    )
    .await?
    .0
    .map_err(describe)?;
    seal_block(&mut client).await;
    for who in [&ferdie_keys, &bob_keys] {
        assert_eq!(
            refused(&mut client, who, &gov.governor.cancel(id)).await?,
            Err(GovernorError::NotCancelable)
        );
    }
    let queued = gov.queue(&mut client, id).await?;
    for who in [&ferdie_keys, &charlie_keys, &bob_keys] {
        assert_eq!(
            refused(&mut client, who, &gov.governor.cancel(id)).await?,
            Err(GovernorError::NotCancelable)
        );
    }
    assert_eq!(
        cancel_batch(&mut client, &mut gov, &ferdie_keys, queued.batch_id).await?,
        Err(TimelockError::GuardianChangeNotCancelable)
    );
    gov.execute(&mut client, &bob_keys, &queued).await?;
    assert_eq!(gov.state(&mut client, id).await?, ProposalState::Executed);
    let roles = dry(&mut client, &alice_keys, &suite.pool.admin_roles()).await?;
    assert_eq!(roles.guardian, dave());
    // Bob's own votes stayed as they were; only Charlie's moved.
    assert_eq!(
        dry(&mut client, &bob_keys, &gov.token.balance_of(bob())).await?,
        threshold * 6 / 10
    );
    Ok(())
}
