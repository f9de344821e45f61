//! Governance on a real node: the whole lending suite under a votes token, a governor and
//! a timelock that holds every admin role of the pool and the oracle (see
//! `carrack_e2e::governance` for the deployment and the roles).
//!
//! Covers: a parameter change going through propose → vote → queue → delay → execute;
//! batch atomicity; snapshot voting (power acquired after the snapshot does not count,
//! nor can it be counted twice); quorum; the timelock's eta and grace; the guardian's
//! cancel and its limits; who may call every admin message; and a code upgrade through a
//! proposal that keeps every balance.

use carrack_e2e::governance::*;
use carrack_e2e::suite::*;
use carrack_e2e::NodeClient;
use carrack_governor::error::GovernorError;
use carrack_governor::proposal::{ProposalState, VoteType};
use carrack_interfaces::{
    AdminError, AdminRoles, BatchStatus, CodeUpgraded, Governed, OracleError, Timelock as _,
    TimelockError, Votes,
};
use carrack_oracle::feed::{FeedConfig, FeedUpdate};
use carrack_pool::error::PoolError;
use carrack_pool::market::PauseFlags;
use carrack_pool::params::PoolParams;
use ink::primitives::{AccountId, Hash};

async fn deploy(
    client: &mut NodeClient,
    config: GovernanceConfig,
) -> E2EResult<(Suite, Governance)> {
    let mut suite = Suite::deploy(client, SuiteConfig::default()).await?;
    let governance = Governance::deploy(client, &mut suite, config).await?;
    Ok((suite, governance))
}

#[carrack_e2e::test]
async fn a_proposal_lowers_a_market_ltv_after_vote_queue_and_delay(
    mut client: NodeClient,
) -> E2EResult<()> {
    let (mut suite, mut gov) = deploy(&mut client, GovernanceConfig::default()).await?;
    let (alice_keys, bob_keys) = (ink_e2e::alice(), ink_e2e::bob());
    let t6 = suite.t6;
    let mut lower = market_params(6);
    lower.config.ltv_wad = 60 * WAD / 100;
    let change = action(&suite.pool.set_market_params(t6, lower));

    let id = gov
        .propose(
            &mut client,
            &alice_keys,
            vec![change],
            "Lower the TUSD LTV to 60 %",
        )
        .await?;
    assert_eq!(gov.state(&mut client, id).await?, ProposalState::Pending);
    assert_eq!(
        dry(
            &mut client,
            &alice_keys,
            &gov.governor.cast_vote(id, VoteType::For)
        )
        .await?,
        Err(GovernorError::VotingClosed),
        "no vote before the snapshot block has passed"
    );
    assert_eq!(
        dry(&mut client, &alice_keys, &gov.governor.queue(id)).await?,
        Err(GovernorError::NotSucceeded)
    );
    let second = gov
        .governor
        .propose(vec![action(&suite.pool.set_oracle(bob()))], "two".into());
    assert_eq!(
        refused(&mut client, &alice_keys, &second).await?,
        Err(GovernorError::ProposerHasLiveProposal),
        "one live proposal per proposer"
    );

    assert_eq!(
        gov.seal_past(&mut client, id, ProposalState::Pending)
            .await?,
        ProposalState::Active
    );
    let weight = gov
        .vote(&mut client, &alice_keys, id, VoteType::For)
        .await?;
    assert_eq!(
        weight, GOV_SUPPLY,
        "Alice votes with her whole delegated supply"
    );
    assert_eq!(
        dry(
            &mut client,
            &alice_keys,
            &gov.governor.cast_vote(id, VoteType::Against)
        )
        .await?,
        Err(GovernorError::AlreadyVoted)
    );
    assert_eq!(
        dry(
            &mut client,
            &bob_keys,
            &gov.governor.cast_vote(id, VoteType::For)
        )
        .await?,
        Err(GovernorError::NoVotingPower)
    );
    assert_eq!(
        gov.seal_past(&mut client, id, ProposalState::Active)
            .await?,
        ProposalState::Succeeded
    );
    let queued = gov.queue(&mut client, id).await?;
    assert_eq!(gov.state(&mut client, id).await?, ProposalState::Queued);
    assert_eq!(queued.info.status, BatchStatus::Queued);

    // Before the eta the timelock refuses, on chain too, and nothing changes.
    assert_eq!(
        gov.execute_refused(&mut client, &bob_keys, queued.batch_id)
            .await?,
        TimelockError::NotReady
    );
    let before = suite.market(&mut client, t6).await?;
    assert_eq!(before.market.params.config.ltv_wad, 75 * WAD / 100);

    let events = gov.execute(&mut client, &bob_keys, &queued).await?;
    assert!(!events.is_empty());
    let after = suite.market(&mut client, t6).await?;
    assert_eq!(after.market.params, lower, "the pool shows the new LTV");
    assert_eq!(gov.state(&mut client, id).await?, ProposalState::Executed);
    assert_eq!(
        gov.execute_refused(&mut client, &bob_keys, queued.batch_id)
            .await?,
        TimelockError::AlreadyExecuted
    );
    Ok(())
}

#[carrack_e2e::test]
async fn a_failing_action_undoes_the_whole_batch_and_the_guardian_cancels(
    mut client: NodeClient,
) -> E2EResult<()> {
    let (mut suite, mut gov) = deploy(&mut client, GovernanceConfig::default()).await?;
    let (bob_keys, ferdie_keys) = (ink_e2e::bob(), ink_e2e::ferdie());
    let new_params = PoolParams {
        liquidation_grace_secs: 1_234,
        dust_value_wad: 2 * WAD,
    };
    let unlisted = AccountId::from([7u8; 32]);
    let first_ok = action(&suite.pool.set_pool_params(new_params));
    let second_fails = action(&suite.oracle.update_feed(unlisted, FeedUpdate::Remove));
    let queued = gov
        .pass(
            &mut client,
            vec![first_ok.clone(), second_fails],
            "half-good batch",
        )
        .await?;
    wait_until(&mut client, queued.info.eta_secs).await;
    assert_eq!(
        gov.execute_refused(&mut client, &bob_keys, queued.batch_id)
            .await?,
        TimelockError::ActionFailed(1)
    );
    let (_, params) = dry(&mut client, &bob_keys, &suite.pool.settings()).await?;
    assert_eq!(
        params,
        SuiteConfig::default().pool_params,
        "the first action was undone with the second"
    );
    let info = gov
        .batch_info(&mut client, queued.batch_id)
        .await?
        .ok_or("batch")?;
    assert_eq!(
        info.status,
        BatchStatus::Queued,
        "still queued, nothing ran"
    );

    // Nobody but the governor or the guardian cancels; the guardian does.
    assert_eq!(
        refused(
            &mut client,
            &bob_keys,
            &gov.timelock.cancel(queued.batch_id)
        )
        .await?,
        Err(TimelockError::NotGovernorOrGuardian)
    );
    send(
        &mut client,
        &ferdie_keys,
        &gov.timelock.cancel(queued.batch_id),
    )
    .await?
    .0
    .map_err(describe)?;
    assert_eq!(
        gov.state(&mut client, queued.proposal_id).await?,
        ProposalState::Canceled
    );
    assert_eq!(
        gov.execute_refused(&mut client, &bob_keys, queued.batch_id)
            .await?,
        TimelockError::BatchCanceled
    );

    // The same first action alone goes through: the batch runs in order.
    let queued = gov
        .pass(&mut client, vec![first_ok], "the good half")
        .await?;
    gov.execute(&mut client, &bob_keys, &queued).await?;
    let (_, params) = dry(&mut client, &bob_keys, &suite.pool.settings()).await?;
    assert_eq!(params, new_params);
    Ok(())
}

#[carrack_e2e::test]
async fn votes_acquired_after_the_snapshot_do_not_count_and_quorum_decides(
    mut client: NodeClient,
) -> E2EResult<()> {
    let (mut suite, mut gov) = deploy(&mut client, GovernanceConfig::default()).await?;
    let (bob_keys, charlie_keys, dave_keys) = (ink_e2e::bob(), ink_e2e::charlie(), ink_e2e::dave());
    // Charlie holds 1 % before any proposal and votes with it himself.
    let one_per_cent = GOV_SUPPLY / 100;
    gov.transfer_votes(&mut client, charlie(), one_per_cent)
        .await?;
    send(
        &mut client,
        &charlie_keys,
        &gov.token.delegate(Some(charlie())),
    )
    .await?
    .0
    .map_err(describe)?;

    let change = action(&suite.pool.set_oracle(dave()));
    let id = gov
        .propose(
            &mut client,
            &charlie_keys,
            vec![change],
            "Charlie's proposal",
        )
        .await?;
    assert_eq!(
        gov.seal_past(&mut client, id, ProposalState::Pending)
            .await?,
        ProposalState::Active
    );
    // After the snapshot, Bob buys 10 % and delegates to himself: worth nothing here.
    gov.transfer_votes(&mut client, bob(), 10 * one_per_cent)
        .await?;
    send(&mut client, &bob_keys, &gov.token.delegate(Some(bob())))
        .await?
        .0
        .map_err(describe)?;
    assert_eq!(
        dry(&mut client, &bob_keys, &gov.token.get_votes(bob())).await?,
        10 * one_per_cent,
        "Bob's power is real now"
    );
    assert_eq!(
        refused(
            &mut client,
            &bob_keys,
            &gov.governor.cast_vote(id, VoteType::For)
        )
        .await?,
        Err(GovernorError::NoVotingPower)
    );
    // Charlie votes, then passes his tokens to Dave, who cannot vote them again.
    assert_eq!(
        gov.vote(&mut client, &charlie_keys, id, VoteType::For)
            .await?,
        one_per_cent
    );
    let message = {
        use carrack_interfaces::PSP22;
        gov.token.transfer(dave(), one_per_cent, Vec::new())
    };
    send(&mut client, &charlie_keys, &message)
        .await?
        .0
        .map_err(describe)?;
    send(&mut client, &dave_keys, &gov.token.delegate(Some(dave())))
        .await?
        .0
        .map_err(describe)?;
    assert_eq!(
        refused(
            &mut client,
            &dave_keys,
            &gov.governor.cast_vote(id, VoteType::For)
        )
        .await?,
        Err(GovernorError::NoVotingPower)
    );
    // 1 % For against a 4 % quorum: Defeated, and it cannot be queued.
    assert_eq!(
        gov.seal_past(&mut client, id, ProposalState::Active)
            .await?,
        ProposalState::Defeated
    );
    let proposal = dry(&mut client, &bob_keys, &gov.governor.proposal(id))
        .await?
        .ok_or("proposal")?;
    assert_eq!(proposal.tally.for_votes, one_per_cent);
    assert_eq!(proposal.quorum_votes, Some(4 * one_per_cent));
    assert_eq!(
        refused(&mut client, &bob_keys, &gov.governor.queue(id)).await?,
        Err(GovernorError::NotSucceeded)
    );
    let (oracle, _) = dry(&mut client, &bob_keys, &suite.pool.settings()).await?;
    assert_eq!(oracle, suite.oracle_id);

    // Below the threshold (Ferdie holds no votes) nobody proposes.
    let ferdie_keys = ink_e2e::ferdie();
    let proposal = gov
        .governor
        .propose(vec![action(&suite.pool.set_oracle(dave()))], "x".into());
    assert_eq!(
        refused(&mut client, &ferdie_keys, &proposal).await?,
        Err(GovernorError::BelowProposalThreshold)
    );
    Ok(())
}

#[carrack_e2e::test]
async fn a_batch_not_executed_within_the_grace_period_expires(
    mut client: NodeClient,
) -> E2EResult<()> {
    let config = GovernanceConfig {
        grace_secs: 4,
        ..GovernanceConfig::default()
    };
    let (mut suite, mut gov) = deploy(&mut client, config).await?;
    let change = action(&suite.pool.set_oracle(dave()));
    let queued = gov.pass(&mut client, vec![change], "too late").await?;
    assert_eq!(
        queued.info.expires_at_secs,
        queued.info.eta_secs + 4,
        "executable in [eta, eta + grace)"
    );
    wait_until(&mut client, queued.info.expires_at_secs).await;
    assert_eq!(
        gov.execute_refused(&mut client, &ink_e2e::bob(), queued.batch_id)
            .await?,
        TimelockError::BatchExpired
    );
    assert_eq!(
        gov.state(&mut client, queued.proposal_id).await?,
        ProposalState::Expired
    );
    let (oracle, _) = dry(&mut client, &ink_e2e::bob(), &suite.pool.settings()).await?;
    assert_eq!(oracle, suite.oracle_id);
    Ok(())
}

/// Every admin message of the pool, the oracle, the governor and the timelock, and who may
/// call it. After the handover, Alice (the deployer and former governance), Bob (a user)
/// and Ferdie (the guardian) are refused every governance message; the guardian may
/// pause and freeze, never unpause or unfreeze.
#[carrack_e2e::test]
async fn only_the_timelock_administers_and_the_guardian_only_stops(
    mut client: NodeClient,
) -> E2EResult<()> {
    let (mut suite, mut gov) = deploy(&mut client, GovernanceConfig::default()).await?;
    let (t6, timelock) = (suite.t6, gov.timelock_id);
    let (alice_keys, bob_keys, ferdie_keys) = (ink_e2e::alice(), ink_e2e::bob(), ink_e2e::ferdie());
    assert_eq!(
        dry(&mut client, &bob_keys, &suite.pool.admin_roles()).await?,
        AdminRoles::new(timelock, ferdie())
    );
    assert_eq!(
        dry(&mut client, &bob_keys, &suite.oracle.admin_roles()).await?,
        AdminRoles::new(timelock, ferdie())
    );
    let not_gov = Err(PoolError::NotGovernance);
    let not_admin = Err(AdminError::NotGovernance);
    let not_oracle_gov = Err(OracleError::NotGovernance);
    let code = Hash::from([9u8; 32]);
    let unlisted = AccountId::from([7u8; 32]);
    for who in [&alice_keys, &bob_keys, &ferdie_keys] {
        let pool = &mut suite.pool;
        // pool: governance (the timelock) only
        let listing = pool.list_market(unlisted, market_params(6), 1);
        assert_eq!(dry(&mut client, who, &listing).await?, not_gov);
        let params = pool.set_market_params(t6, market_params(6));
        assert_eq!(dry(&mut client, who, &params).await?, not_gov);
        let unpause = pool.unpause(t6, PauseFlags::ALL);
        assert_eq!(dry(&mut client, who, &unpause).await?, not_gov);
        let reserves = pool.withdraw_reserves(t6, 1, bob());
        assert_eq!(dry(&mut client, who, &reserves).await?, not_gov);
        let pool_params = pool.set_pool_params(SuiteConfig::default().pool_params);
        assert_eq!(dry(&mut client, who, &pool_params).await?, not_gov);
        assert_eq!(
            dry(&mut client, who, &pool.set_oracle(bob())).await?,
            not_gov
        );
        let nominate = pool.nominate_governance(Some(bob()));
        assert_eq!(dry(&mut client, who, &nominate).await?, not_admin);
        assert_eq!(
            dry(&mut client, who, &pool.set_guardian(bob())).await?,
            not_admin
        );
        assert_eq!(
            dry(&mut client, who, &pool.set_code_hash(code)).await?,
            not_admin
        );
        // pool: the pending nominee only
        assert_eq!(
            dry(&mut client, who, &pool.accept_governance()).await?,
            Err(AdminError::NotPendingGovernance)
        );
        // oracle: governance only
        let oracle = &mut suite.oracle;
        let add = oracle.add_feed(unlisted, feed_config(60), vec![eve()]);
        assert_eq!(dry(&mut client, who, &add).await?, not_oracle_gov);
        assert_eq!(
            dry(
                &mut client,
                who,
                &oracle.update_feed(t6, FeedUpdate::Remove)
            )
            .await?,
            not_oracle_gov
        );
        let config: FeedConfig = feed_config(60);
        let set = oracle.update_feed(t6, FeedUpdate::Config(config));
        assert_eq!(dry(&mut client, who, &set).await?, not_oracle_gov);
        let add = oracle.update_feed(
            t6,
            FeedUpdate::Reporter {
                reporter: bob(),
                active: true,
            },
        );
        assert_eq!(dry(&mut client, who, &add).await?, not_oracle_gov);
        let remove = oracle.update_feed(
            t6,
            FeedUpdate::Reporter {
                reporter: eve(),
                active: false,
            },
        );
        assert_eq!(dry(&mut client, who, &remove).await?, not_oracle_gov);
        assert_eq!(
            dry(
                &mut client,
                who,
                &oracle.update_feed(t6, FeedUpdate::Frozen(false))
            )
            .await?,
            not_oracle_gov
        );
        let emergency = oracle.update_feed(t6, FeedUpdate::EmergencyPrice(DOLLAR));
        assert_eq!(dry(&mut client, who, &emergency).await?, not_oracle_gov);
        let nominate = oracle.nominate_governance(Some(bob()));
        assert_eq!(dry(&mut client, who, &nominate).await?, not_admin);
        assert_eq!(
            dry(&mut client, who, &oracle.set_guardian(bob())).await?,
            not_admin
        );
        assert_eq!(
            dry(&mut client, who, &oracle.set_code_hash(code)).await?,
            not_admin
        );
        assert_eq!(
            dry(&mut client, who, &oracle.accept_governance()).await?,
            Err(AdminError::NotPendingGovernance)
        );
        // governor: the timelock only
        let governor = &mut gov.governor;
        let params = governor.set_params(GovernanceConfig::default().params);
        assert_eq!(
            dry(&mut client, who, &params).await?,
            Err(GovernorError::NotTimelock)
        );
        assert_eq!(
            dry(&mut client, who, &governor.set_code_hash(code)).await?,
            Err(GovernorError::NotTimelock)
        );
        // timelock: itself (through an executed batch), the governor, the deployer once
        let timelock_calls = &mut gov.timelock;
        let not_self = Err(TimelockError::NotTimelock);
        assert_eq!(
            dry(&mut client, who, &timelock_calls.set_delay(10)).await?,
            not_self
        );
        let guardian = timelock_calls.set_guardian(bob());
        assert_eq!(dry(&mut client, who, &guardian).await?, not_self);
        let governor = timelock_calls.set_governor(bob());
        assert_eq!(dry(&mut client, who, &governor).await?, not_self);
        let upgrade = timelock_calls.set_code_hash(code);
        assert_eq!(dry(&mut client, who, &upgrade).await?, not_self);
        let queue = timelock_calls.queue(vec![action(&suite.pool.set_oracle(bob()))]);
        assert_eq!(
            dry(&mut client, who, &queue).await?,
            Err(TimelockError::NotGovernor)
        );
        let bind = timelock_calls.bind_governor(bob());
        assert!(
            matches!(
                dry(&mut client, who, &bind).await?,
                Err(TimelockError::NotDeployer | TimelockError::GovernorAlreadyBound)
            ),
            "the governor was bound once, at deployment"
        );
    }
    // On chain as well, for one message of each contract.
    assert_eq!(
        refused(&mut client, &alice_keys, &suite.pool.set_oracle(bob())).await?,
        not_gov
    );
    assert_eq!(
        refused(
            &mut client,
            &alice_keys,
            &suite.oracle.update_feed(t6, FeedUpdate::Remove)
        )
        .await?,
        not_oracle_gov
    );

    // The guardian stops: pauses a market and freezes a feed, on chain.
    send(
        &mut client,
        &ferdie_keys,
        &suite.pool.pause(t6, PauseFlags::ALL),
    )
    .await?
    .0
    .map_err(describe)?;
    send(
        &mut client,
        &ferdie_keys,
        &suite.oracle.update_feed(t6, FeedUpdate::Frozen(true)),
    )
    .await?
    .0
    .map_err(describe)?;
    // ... but cannot start again, and users cannot either.
    assert_eq!(
        refused(
            &mut client,
            &ferdie_keys,
            &suite.pool.unpause(t6, PauseFlags::ALL)
        )
        .await?,
        not_gov
    );
    assert_eq!(
        refused(
            &mut client,
            &ferdie_keys,
            &suite.oracle.update_feed(t6, FeedUpdate::Frozen(false))
        )
        .await?,
        not_oracle_gov
    );
    assert_eq!(
        refused(
            &mut client,
            &bob_keys,
            &suite.pool.pause(t6, PauseFlags::ALL)
        )
        .await?,
        Err(PoolError::NotGuardian)
    );
    assert_eq!(
        suite.market(&mut client, t6).await?.market.paused,
        PauseFlags::ALL
    );

    // Governance restarts both through one proposal.
    let restart = vec![
        action(&suite.pool.unpause(t6, PauseFlags::ALL)),
        action(&suite.oracle.update_feed(t6, FeedUpdate::Frozen(false))),
    ];
    let queued = gov.pass(&mut client, restart, "restart TUSD").await?;
    gov.execute(&mut client, &bob_keys, &queued).await?;
    assert_eq!(
        suite.market(&mut client, t6).await?.market.paused,
        PauseFlags::default()
    );
    Ok(())
}

#[carrack_e2e::test]
async fn a_code_upgrade_through_a_proposal_keeps_every_balance(
    mut client: NodeClient,
) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(&mut client, config).await?;
    let mut gov = Governance::deploy(&mut client, &mut suite, GovernanceConfig::default()).await?;
    let (t6, t18) = (suite.t6, suite.t18);
    let (bob_keys, charlie_keys) = (ink_e2e::bob(), ink_e2e::charlie());
    suite.fund(&mut client, t18, bob(), 10 * unit(18)).await?;
    suite
        .supply(&mut client, &bob_keys, t18, 10 * unit(18))
        .await?;
    suite
        .borrow(&mut client, &bob_keys, t6, 1_000 * unit(6))
        .await?;
    suite
        .fund(&mut client, t6, charlie(), 5_000 * unit(6))
        .await?;
    suite
        .supply(&mut client, &charlie_keys, t6, 5_000 * unit(6))
        .await?;

    let before = books(&suite, &mut client).await?;

    // New code with the same storage layout: the pool's release bundle (the code the suite
    // runs) with a custom section appended, so its code hash differs.
    let wasm_path = carrack_e2e::bundles::artifact("carrack_pool", "wasm")?;
    let wasm = std::fs::read(&wasm_path).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    let wasm = with_custom_section(wasm, "carrack-upgrade-test", b"v2");
    let code_hash = upload_wasm(&mut client, &wasm).await?;
    let upgrade = action(&suite.pool.set_code_hash(code_hash));
    let queued = gov
        .pass(&mut client, vec![upgrade], "pool code upgrade")
        .await?;
    let events = gov.execute(&mut client, &ink_e2e::dave(), &queued).await?;
    let upgraded: Vec<CodeUpgraded> = pool_events(&events, suite.pool_id);
    assert_eq!(upgraded.len(), 1);
    assert_eq!(upgraded[0].code_hash, code_hash);

    let after = books(&suite, &mut client).await?;
    assert_eq!(
        before, after,
        "every cash balance and position survives the upgrade"
    );
    // The new code reads the old storage: users carry on.
    suite
        .repay(&mut client, &bob_keys, t6, u128::MAX, 2_000 * unit(6))
        .await?;
    suite
        .withdraw(&mut client, &charlie_keys, t6, 5_000 * unit(6))
        .await?;
    assert_eq!(balance(&mut client, t6, charlie()).await?, 5_000 * unit(6));
    Ok(())
}

/// The pool's cash in every token and Bob's and Charlie's positions (scaled amounts).
async fn books(
    suite: &Suite,
    client: &mut NodeClient,
) -> E2EResult<(Vec<u128>, Vec<Vec<carrack_pool::account::Position>>)> {
    let mut cash = Vec::new();
    for token in suite.tokens() {
        cash.push(balance(client, token, suite.pool_id).await?);
    }
    let mut positions = Vec::new();
    for who in [bob(), charlie()] {
        let view = suite.account(client, who).await?;
        positions.push(view.positions.into_iter().map(|p| p.position).collect());
    }
    Ok((cash, positions))
}

/// `wasm` with a custom section `name` holding `payload` appended: the same program under
/// another code hash (custom sections carry no code).
fn with_custom_section(mut wasm: Vec<u8>, name: &str, payload: &[u8]) -> Vec<u8> {
    fn leb128(mut value: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let mut body = Vec::new();
    leb128(name.len(), &mut body);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    wasm.push(0); // section id 0: custom
    leb128(body.len(), &mut wasm);
    wasm.extend_from_slice(&body);
    wasm
}
