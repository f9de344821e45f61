//! What the keeper's drills on a real node share (`tests/drills.sh` starts the node,
//! deploys and sets the `CARRACK_DRILL_*` variables): the deployment and the actions
//! borrowers, lenders and reporters take, the pool's events, the keeper's process and its
//! API. Each drill uses a part of it.
#![allow(dead_code)]

use carrack_client::manifest::Deployment;
use carrack_client::{send, Chain, ContractEvent, Inclusion, Message};
use carrack_interfaces::{PSP22Error, PSP22};
use carrack_oracle::oracle::OracleRef;
use carrack_pool::events::{BadDebtWrittenOff, Liquidated, SeizedAsSupply};
use carrack_pool::pool::PoolRef;
use carrack_pool::views::AccountView;
use ink::codegen::TraitCallBuilder;
use ink::env::call::FromAccountId;
use ink::env::Event;
use ink::primitives::AccountId;
use scale::DecodeAll;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::str::FromStr;
use std::time::{Duration, Instant};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

pub const WAD: u128 = 1_000_000_000_000_000_000;
pub const PRICE_UNIT: u128 = 100_000_000; // the feeds' 8 decimals
pub const TIMEOUT: Duration = Duration::from_secs(60);
/// The most blocks from a crash to the keeper's last liquidation the drill accepts.
pub const MAX_BLOCKS_TO_LIQUIDATE: u64 = 60;
pub const REPORTERS: [&str; 5] = ["//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"];
/// The keeper's signing key in every drill.
pub const KEEPER: &str = "//Ferdie//stash";

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set (run tests/drills.sh)"))
    // allow-panic: drill set-up
}

pub fn key(uri: &str) -> Keypair {
    Keypair::from_uri(&SecretUri::from_str(uri).unwrap()).unwrap() // allow-panic: fixed dev URIs
}

pub fn id(k: &Keypair) -> AccountId {
    AccountId::from(k.public_key().to_account_id().0)
}

pub fn addr(a: AccountId) -> AccountId32 {
    AccountId32(*a.as_ref())
}

/// The deployment a drill acts on.
pub struct World {
    pub chain: Chain,
    pub pool: AccountId,
    pub oracle: AccountId,
}

impl World {
    /// Connects to the drill's node and reads the deployment's pool and oracle.
    pub async fn connect() -> (World, Deployment) {
        let deployment = Deployment::load(&PathBuf::from(env("CARRACK_DRILL_MANIFEST"))).unwrap(); // allow-panic: drill set-up
        let chain = Chain::connect(&env("CARRACK_DRILL_URL"), Duration::from_secs(20))
            .await
            .unwrap(); // allow-panic: drill set-up
        let w = World {
            pool: address(&deployment, "pool"),
            oracle: address(&deployment, "oracle"),
            chain,
        };
        (w, deployment)
    }

    /// Sends `message` to `contract` as `who`; the reply of a transaction that succeeded.
    pub async fn act<R: scale::Decode + std::fmt::Debug>(
        &self,
        who: &Keypair,
        contract: AccountId,
        message: Message<R>,
    ) -> R {
        match send(&self.chain, who, &addr(contract), &message, TIMEOUT).await {
            Ok((reply, Inclusion::Success { .. })) => reply,
            other => panic!("{other:?}"), // allow-panic: a drill step failed
        }
    }

    pub async fn transfer(&self, from: &Keypair, token: AccountId, to: AccountId, amount: u128) {
        let mut t: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = token.into();
        let r: Result<(), PSP22Error> = self
            .act(
                from,
                token,
                Message::new(t.call_mut().transfer(to, amount, Vec::new())),
            )
            .await;
        r.unwrap(); // allow-panic: a drill step failed
    }

    pub async fn supply(&self, who: &Keypair, token: AccountId, amount: u128) {
        let mut t: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = token.into();
        let r: Result<(), PSP22Error> = self
            .act(
                who,
                token,
                Message::new(t.call_mut().approve(self.pool, amount)),
            )
            .await;
        r.unwrap(); // allow-panic: a drill step failed
        let mut pool = PoolRef::from_account_id(self.pool);
        self.act(
            who,
            self.pool,
            Message::new(pool.call_mut().supply(token, amount, id(who))),
        )
        .await
        .unwrap(); // allow-panic: a drill step failed
    }

    pub async fn borrow(&self, who: &Keypair, token: AccountId, amount: u128) {
        let mut pool = PoolRef::from_account_id(self.pool);
        self.act(
            who,
            self.pool,
            Message::new(pool.call_mut().borrow(token, amount)),
        )
        .await
        .unwrap(); // allow-panic: a drill step failed
    }

    /// Every reporter submits `price` (the feeds' 8 decimals) for `asset`; returns the
    /// block number after the round closed.
    pub async fn set_price(&self, asset: AccountId, price: u128) -> u64 {
        let (block, _) = self.chain.best_block().await.unwrap(); // allow-panic: a drill step failed
        let now = self.chain.now_secs(block).await.unwrap(); // allow-panic: a drill step failed
        for r in REPORTERS {
            let mut oracle = OracleRef::from_account_id(self.oracle);
            self.act(
                &key(r),
                self.oracle,
                Message::new(oracle.call_mut().submit(asset, price, now)),
            )
            .await
            .unwrap(); // allow-panic: a drill step failed
        }
        self.chain.best_block().await.unwrap().1 // allow-panic: a drill step failed
    }

    /// `who` repays `amount` of its `token` debt (`u128::MAX`: all of it).
    pub async fn repay(&self, who: &Keypair, token: AccountId, amount: u128) {
        let mut t: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = token.into();
        let r: Result<(), PSP22Error> = self
            .act(
                who,
                token,
                Message::new(t.call_mut().approve(self.pool, u128::MAX)),
            )
            .await;
        r.unwrap(); // allow-panic: a drill step failed
        let mut pool = PoolRef::from_account_id(self.pool);
        self.act(
            who,
            self.pool,
            Message::new(pool.call_mut().repay(token, amount, id(who))),
        )
        .await
        .unwrap(); // allow-panic: a drill step failed
    }

    pub async fn view(&self, who: AccountId) -> AccountView {
        let pool = PoolRef::from_account_id(self.pool);
        let message = Message::new(pool.call().account(who));
        let (block, _) = self.chain.best_block().await.unwrap(); // allow-panic: a drill step failed
        let dry = self
            .chain
            .dry_run(
                block,
                &addr(who),
                &addr(self.pool),
                message.input().to_vec(),
            )
            .await
            .unwrap(); // allow-panic: a drill step failed
        message.dry_run_value(&dry).unwrap() // allow-panic: a drill step failed
    }

    /// The cash of `asset`'s market (the pool's `market` view).
    pub async fn market_cash(&self, asset: AccountId) -> u128 {
        let pool = PoolRef::from_account_id(self.pool);
        let message = Message::new(pool.call().market(asset));
        let (block, _) = self.chain.best_block().await.unwrap(); // allow-panic: a drill step failed
        let dry = self
            .chain
            .dry_run(
                block,
                &addr(self.pool),
                &addr(self.pool),
                message.input().to_vec(),
            )
            .await
            .unwrap(); // allow-panic: a drill step failed
        message.dry_run_value(&dry).unwrap().market.state.cash // allow-panic: a drill step failed
    }

    /// The pool's events in blocks `from..=to`, with their block numbers.
    pub async fn pool_events_in(&self, from: u64, to: u64) -> Vec<(u64, ContractEvent)> {
        let mut events = Vec::new();
        for number in from..=to {
            let hash = self.chain.block_hash(number).await;
            let hash = hash.unwrap().unwrap(); // allow-panic: a drill step failed
            let emitted = self.chain.contract_events(hash).await;
            let emitted = emitted.unwrap(); // allow-panic: a drill step failed
            events.extend(
                emitted
                    .into_iter()
                    .filter(|e| e.contract == addr(self.pool))
                    .map(|e| (number, e)),
            );
        }
        events
    }

    /// How many `SeizedAsSupply` events credited `liquidator` in blocks `from..=to`.
    pub async fn seized_as_supply(&self, from: u64, to: u64, liquidator: AccountId) -> usize {
        let mut count = 0;
        for (_, e) in self.pool_events_in(from, to).await {
            if e.topics.first().copied() == SeizedAsSupply::SIGNATURE_TOPIC {
                let seized = SeizedAsSupply::decode_all(&mut e.data.as_slice());
                let seized = seized.unwrap(); // allow-panic: a drill step failed
                count += usize::from(seized.liquidator == liquidator);
            }
        }
        count
    }

    /// The pool's `Liquidated` and `BadDebtWrittenOff` events in blocks `from..=to`:
    /// (block, borrower) each, and the number of write-offs.
    pub async fn pool_events(&self, from: u64, to: u64) -> (Vec<(u64, AccountId)>, usize) {
        let (mut liquidated, mut bad_debt) = (Vec::new(), 0);
        for (number, e) in self.pool_events_in(from, to).await {
            match e.topics.first().copied() {
                t if t == Liquidated::SIGNATURE_TOPIC => {
                    let l = Liquidated::decode_all(&mut e.data.as_slice());
                    let l = l.unwrap(); // allow-panic: a drill step failed
                    liquidated.push((number, l.borrower));
                }
                t if t == BadDebtWrittenOff::SIGNATURE_TOPIC => bad_debt += 1,
                _ => {}
            }
        }
        (liquidated, bad_debt)
    }
}

pub fn ss58(a: AccountId) -> String {
    addr(a).to_string()
}

/// The body of `GET path` on the keeper's API.
pub async fn api(path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = format!("127.0.0.1:{}", env("CARRACK_DRILL_API_PORT"));
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap(); // allow-panic: drill step
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nhost: keeper\r\n\r\n").as_bytes())
        .await
        .unwrap(); // allow-panic: drill step
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap(); // allow-panic: drill step
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    assert!(head.starts_with("HTTP/1.1 200 OK"), "GET {path}: {head}");
    body.to_string()
}

/// Starts the keeper with `config` (in `work`), its output in `log`.
pub fn start_keeper(work: &Path, config: &str, log: &str) -> Child {
    let log = std::fs::File::create(work.join(log)).unwrap(); // allow-panic: drill set-up
    Command::new(env("CARRACK_KEEPER_BIN"))
        .args(["--config", work.join(config).to_str().unwrap()]) // allow-panic: drill set-up
        .stdout(log.try_clone().unwrap()) // allow-panic: drill set-up
        .stderr(log)
        .spawn()
        .unwrap() // allow-panic: drill set-up
}

/// Waits until every account in `expected` is at health factor 1 or above and has been
/// liquidated at least once since `from`; returns the liquidations seen.
pub async fn wait_for_liquidations(
    w: &World,
    from: u64,
    expected: &[AccountId],
) -> (Vec<(u64, AccountId)>, usize, u64) {
    let started = Instant::now();
    loop {
        let (_, to) = w.chain.best_block().await.unwrap(); // allow-panic: a drill step failed
        let (liquidated, bad_debt) = w.pool_events(from, to).await;
        let mut done = true;
        for who in expected {
            let hf = w.view(*who).await.health_factor_wad;
            done &= hf >= WAD && liquidated.iter().any(|(_, b)| b == who);
        }
        if done {
            return (liquidated, bad_debt, to);
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the keeper did not liquidate within 3 minutes: {liquidated:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The address the deployment records as `name` (`pool`, `token:TUSD`).
pub fn address(deployment: &Deployment, name: &str) -> AccountId {
    AccountId::from(deployment.address(name).unwrap().0) // allow-panic: drill set-up
}
