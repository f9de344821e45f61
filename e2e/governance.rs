//! Puts the deployed lending suite under governance, the way a production deployment
//! ends: a votes token, a timelock and a governor, then the pool's and the oracle's
//! governance handed to the timelock in two steps. Helpers drive proposals through their
//! whole life.
//!
//! Roles after [`Governance::deploy`]:
//!
//! | who | role |
//! |---|---|
//! | the timelock | governance of the pool and the oracle; governs the governor and itself |
//! | Ferdie | guardian of the pool, the oracle and the timelock |
//! | Alice | holds the votes token's supply, delegated to herself; deployer |
//!
//! Timing: voting is counted in blocks and the dev node seals one block per extrinsic, so
//! the helpers seal blocks until a dry run reports the state wanted (a dry run executes at
//! the latest block, the transaction that follows in the next one; the voting period is
//! long enough for both to fall inside it). The timelock counts seconds of block time.

use crate::suite::*;
use crate::NodeClient;
use carrack_gov_token::gov_token::{GovToken, GovTokenRef};
use carrack_governor::governor::{Governor, GovernorRef};
use carrack_governor::params::{Bounds, GovernorLimits, GovernorParams};
use carrack_governor::proposal::{ProposalState, VoteType};
use carrack_interfaces::{
    Action, BatchInfo, Governed, Timelock as TimelockApi, TimelockError, Votes,
};
use carrack_timelock::timelock::{Timelock, TimelockRef};
use ink::codegen::ContractCallBuilder;
use ink::primitives::AccountId;
use ink::scale::Encode;
use ink_e2e::{ChainBackend, ContractsBackend, Keypair};

/// The votes token's call builder.
pub type GovTokenCalls = <GovToken as ContractCallBuilder>::Type;
/// The governor's call builder.
pub type GovernorCalls = <Governor as ContractCallBuilder>::Type;
/// The timelock's call builder.
pub type TimelockCalls = <Timelock as ContractCallBuilder>::Type;

/// Decimals of the votes token.
pub const GOV_DECIMALS: u8 = 18;
/// Alice's supply of the votes token, in token units (1,000,000 whole tokens).
pub const GOV_SUPPLY: u128 = 1_000_000 * 10u128.pow(GOV_DECIMALS as u32);

/// What a test may change about governance.
#[derive(Debug, Clone, Copy)]
pub struct GovernanceConfig {
    /// The timelock's delay.
    pub delay_secs: u64,
    /// How long a batch stays executable after its eta.
    pub grace_secs: u64,
    /// The governor's parameters.
    pub params: GovernorParams,
}

impl Default for GovernanceConfig {
    /// Delay 3 s, grace 60 s; voting delay 1 block, voting period 8 blocks, threshold
    /// 1,000 tokens, quorum 4 % of the supply.
    fn default() -> Self {
        Self {
            delay_secs: 3,
            grace_secs: 60,
            params: GovernorParams {
                voting_delay_blocks: 1,
                voting_period_blocks: 8,
                proposal_threshold: GOV_SUPPLY / 1_000,
                quorum_bps: 400,
            },
        }
    }
}

/// Devnet bounds: anything from one block / one second up.
pub fn devnet_limits() -> GovernorLimits {
    GovernorLimits {
        voting_delay_blocks: Bounds {
            min: 1,
            max: 100_800,
        },
        voting_period_blocks: Bounds {
            min: 1,
            max: 201_600,
        },
        proposal_threshold: Bounds {
            min: 0,
            max: GOV_SUPPLY,
        },
        quorum_bps: Bounds {
            min: 1,
            max: 10_000,
        },
    }
}

/// Longest timelock delay the test deployments allow (one day).
pub const MAX_DELAY_SECS: u64 = 86_400;

/// The deployed governance.
pub struct Governance {
    /// The votes token's account.
    pub token_id: AccountId,
    /// The votes token's call builder.
    pub token: GovTokenCalls,
    /// The timelock's account.
    pub timelock_id: AccountId,
    /// The timelock's call builder.
    pub timelock: TimelockCalls,
    /// The governor's account.
    pub governor_id: AccountId,
    /// The governor's call builder.
    pub governor: GovernorCalls,
}

/// A proposal that went through: its id, its batch and the batch's schedule.
#[derive(Debug, Clone, Copy)]
pub struct Queued {
    /// The proposal.
    pub proposal_id: u32,
    /// Its timelock batch.
    pub batch_id: u32,
    /// The batch's schedule.
    pub info: BatchInfo,
}

/// The action that makes the call `message` would make.
pub fn action<Args: Encode + Clone, R: Clone>(message: &Message<Args, R>) -> Action {
    let params = message.clone().params();
    let encoded = params.exec_input().encode();
    let (selector, input) = encoded.split_at(4);
    Action {
        callee: *params.callee(),
        selector: selector.try_into().expect("a 4-byte selector"),
        input: input.to_vec(),
        transferred_value: 0,
    }
}

impl Governance {
    /// Deploys the votes token (supply to Alice, self-delegated), the timelock (guardian
    /// Ferdie) and the governor, binds them, and hands the pool's and the oracle's
    /// governance to the timelock.
    pub async fn deploy(
        client: &mut NodeClient,
        suite: &mut Suite,
        config: GovernanceConfig,
    ) -> E2EResult<Governance> {
        let alice_keys = ink_e2e::alice();
        let mut constructor = GovTokenRef::new(
            GOV_SUPPLY,
            Some("Carrack governance".into()),
            Some("CGOV".into()),
            GOV_DECIMALS,
            None,
        );
        let token = client
            .instantiate("carrack_gov_token", &alice_keys, &mut constructor)
            .submit()
            .await?;
        let mut constructor = TimelockRef::new(
            ferdie(),
            config.delay_secs,
            config.grace_secs,
            1,
            MAX_DELAY_SECS,
        );
        let timelock = client
            .instantiate("carrack_timelock", &alice_keys, &mut constructor)
            .submit()
            .await?;
        let mut constructor = GovernorRef::new(
            token.account_id,
            timelock.account_id,
            config.params,
            devnet_limits(),
        );
        let governor = client
            .instantiate("carrack_governor", &alice_keys, &mut constructor)
            .submit()
            .await?;
        let mut governance = Governance {
            token_id: token.account_id,
            token: token.call_builder::<GovToken>(),
            timelock_id: timelock.account_id,
            timelock: timelock.call_builder::<Timelock>(),
            governor_id: governor.account_id,
            governor: governor.call_builder::<Governor>(),
        };
        let governor_id = governance.governor_id;
        let timelock_id = governance.timelock_id;
        send(
            client,
            &alice_keys,
            &governance.timelock.bind_governor(governor_id),
        )
        .await?
        .0
        .map_err(describe)?;
        send(
            client,
            &alice_keys,
            &governance.token.delegate(Some(alice())),
        )
        .await?
        .0
        .map_err(describe)?;
        send(
            client,
            &alice_keys,
            &suite.pool.nominate_governance(Some(timelock_id)),
        )
        .await?
        .0
        .map_err(describe)?;
        send(
            client,
            &alice_keys,
            &suite.oracle.nominate_governance(Some(timelock_id)),
        )
        .await?
        .0
        .map_err(describe)?;
        // Anyone may make the timelock accept a role it was nominated for.
        for target in [suite.pool_id, suite.oracle_id] {
            send(
                client,
                &ink_e2e::bob(),
                &governance.timelock.accept_governance_of(target),
            )
            .await?
            .0
            .map_err(describe)?;
        }
        Ok(governance)
    }

    /// `who` proposes `actions`; returns the proposal id. Seals a block first: the
    /// threshold counts votes at the block before the proposal's, and the dry run that
    /// sizes the gas runs one block earlier still, so votes delegated in the latest block
    /// would be missed by the dry run (which then underestimates the gas).
    pub async fn propose(
        &mut self,
        client: &mut NodeClient,
        who: &Keypair,
        actions: Vec<Action>,
        description: &str,
    ) -> E2EResult<u32> {
        seal_block(client).await;
        let message = self.governor.propose(actions, description.into());
        send(client, who, &message).await?.0.map_err(describe)
    }

    /// The proposal's state at the latest block.
    pub async fn state(
        &self,
        client: &mut NodeClient,
        proposal_id: u32,
    ) -> E2EResult<ProposalState> {
        dry(client, &ink_e2e::alice(), &self.governor.state(proposal_id))
            .await?
            .map_err(describe)
    }

    /// Seals blocks until the proposal is no longer in `state` (at most 64 blocks);
    /// returns the state it reached.
    pub async fn seal_past(
        &self,
        client: &mut NodeClient,
        proposal_id: u32,
        state: ProposalState,
    ) -> E2EResult<ProposalState> {
        for _ in 0..64 {
            let now = self.state(client, proposal_id).await?;
            if now != state {
                return Ok(now);
            }
            seal_block(client).await;
        }
        Err(format!("proposal {proposal_id} stayed {state:?} for 64 blocks").into())
    }

    /// `who` votes; returns the weight counted.
    pub async fn vote(
        &mut self,
        client: &mut NodeClient,
        who: &Keypair,
        proposal_id: u32,
        support: VoteType,
    ) -> E2EResult<u128> {
        let message = self.governor.cast_vote(proposal_id, support);
        send(client, who, &message).await?.0.map_err(describe)
    }

    /// Queues a Succeeded proposal; returns its batch and schedule.
    pub async fn queue(&mut self, client: &mut NodeClient, proposal_id: u32) -> E2EResult<Queued> {
        let message = self.governor.queue(proposal_id);
        let batch_id = send(client, &ink_e2e::bob(), &message)
            .await?
            .0
            .map_err(describe)?;
        let info = self
            .batch_info(client, batch_id)
            .await?
            .ok_or("the queued batch is unknown to the timelock")?;
        Ok(Queued {
            proposal_id,
            batch_id,
            info,
        })
    }

    /// Alice (who holds every vote) proposes `actions`, votes For, and queues the
    /// proposal once it succeeded.
    pub async fn pass(
        &mut self,
        client: &mut NodeClient,
        actions: Vec<Action>,
        description: &str,
    ) -> E2EResult<Queued> {
        let alice_keys = ink_e2e::alice();
        let proposal_id = self
            .propose(client, &alice_keys, actions, description)
            .await?;
        let reached = self
            .seal_past(client, proposal_id, ProposalState::Pending)
            .await?;
        if reached != ProposalState::Active {
            return Err(format!("proposal went from Pending to {reached:?}").into());
        }
        self.vote(client, &alice_keys, proposal_id, VoteType::For)
            .await?;
        let reached = self
            .seal_past(client, proposal_id, ProposalState::Active)
            .await?;
        if reached != ProposalState::Succeeded {
            return Err(format!("proposal went from Active to {reached:?}").into());
        }
        self.queue(client, proposal_id).await
    }

    /// A batch's schedule and status at the latest block.
    pub async fn batch_info(
        &self,
        client: &mut NodeClient,
        batch_id: u32,
    ) -> E2EResult<Option<BatchInfo>> {
        dry(
            client,
            &ink_e2e::alice(),
            &self.timelock.batch_info(batch_id),
        )
        .await
    }

    /// Waits for the batch's eta, then `who` executes it. Returns the events.
    pub async fn execute(
        &mut self,
        client: &mut NodeClient,
        who: &Keypair,
        queued: &Queued,
    ) -> E2EResult<Emitted> {
        wait_until(client, queued.info.eta_secs).await;
        let message = self.timelock.execute(queued.batch_id);
        let (result, events) = send(client, who, &message).await?;
        result.map_err(describe)?;
        Ok(events)
    }

    /// Executes the batch as `who` expecting a refusal: returns the timelock's error.
    pub async fn execute_refused(
        &mut self,
        client: &mut NodeClient,
        who: &Keypair,
        batch_id: u32,
    ) -> E2EResult<TimelockError> {
        let message = self.timelock.execute(batch_id);
        match refused(client, who, &message).await? {
            Ok(()) => Err("execution was expected to be refused".into()),
            Err(err) => Ok(err),
        }
    }

    /// Alice transfers votes tokens to `to`.
    pub async fn transfer_votes(
        &mut self,
        client: &mut NodeClient,
        to: AccountId,
        amount: u128,
    ) -> E2EResult<()> {
        use carrack_interfaces::PSP22;
        let message = self.token.transfer(to, amount, Vec::new());
        send(client, &ink_e2e::alice(), &message)
            .await?
            .0
            .map_err(describe)
    }
}

/// Uploads a `.wasm` file's code as Alice through `Contracts::upload_code` (for code the
/// client was not loaded with, such as an upgrade) and returns its code hash.
pub async fn upload_wasm(client: &mut NodeClient, wasm: &[u8]) -> E2EResult<ink::primitives::Hash> {
    use ink_e2e::subxt::dynamic::Value;
    client
        .runtime_call(
            &ink_e2e::alice(),
            "Contracts",
            "upload_code",
            vec![
                Value::from_bytes(wasm),
                Value::unnamed_variant("None", []),
                Value::unnamed_variant("Enforced", []),
            ],
        )
        .await
        .map_err(describe)?;
    Ok(blake2b_256(wasm).into())
}

fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(data, &mut out);
    out
}
