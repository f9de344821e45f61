//! Delegation and voting power as a plain data structure (the model of OpenZeppelin
//! `Votes` / `ERC20Votes` and Compound `Comp`).
//!
//! Tokens vote only once delegated: an account's balance counts for its delegate (itself
//! after `delegate(Some(self))`) and for nobody while it has none. A delegate's voting
//! power is the sum of the balances delegated to it; every balance change and every
//! change of delegate moves power between delegates and records it in per-block
//! [`crate::checkpoints`], next to a history of the total supply.
//!
//! Nothing here touches `env()`: every method takes the current block and the acting
//! account as arguments and hands the events the contract must emit, in order, to an
//! `emit` callback (the contract emits them, tests collect them), which spares the
//! contract an event buffer.
//!
//! Invariant: each delegate's power equals the sum of the balances delegated to it, so the
//! powers sum to at most the total supply and no power can overflow `u128`. The checked
//! arithmetic turns a broken invariant into `VotesOverflow` instead of a wrong count.

use crate::checkpoints::{self, Change, Checkpoint, History, HistoryMut};
use carrack_interfaces::{DelegateChanged, DelegateVotesChanged, Transfer, VotesError};
use carrack_psp22::PSP22Event;
use ink::primitives::AccountId;
use ink::storage::{traits::ManualKey, Mapping};

/// Storage key of the delegates.
pub const DELEGATES_KEY: u32 = 0x6776_0001;
/// Storage key of the checkpoints, by `(owner, index)`.
pub const CHECKPOINTS_KEY: u32 = 0x6776_0002;
/// Storage key of the checkpoint counts, by owner.
pub const CHECKPOINT_COUNTS_KEY: u32 = 0x6776_0003;

/// Whose history: `Some(account)` for an account's voting power, `None` for the total
/// supply.
pub type Owner = Option<AccountId>;

/// An event produced by the votes logic, to be emitted by the contract.
#[derive(Debug, PartialEq, Eq, Clone)]
pub enum VotesEvent {
    /// An account changed its delegate.
    DelegateChanged(DelegateChanged),
    /// A delegate's voting power changed.
    DelegateVotesChanged(DelegateVotesChanged),
}

/// Delegates, the delegates' voting power and the total supply, with their histories.
///
/// A history belongs to an owner: `Some(account)` for an account's voting power, `None`
/// for the total supply, so both kinds share one shape and one copy of the code. Each is
/// stored entry by entry under `(owner, index)` next to its count, never as one vector, so
/// recording or looking up a checkpoint costs the same however long the history has grown.
/// The storage keys are fixed ([`ManualKey`]) so the layout cannot shift with the code.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct VotesData {
    delegates: Mapping<AccountId, AccountId, ManualKey<DELEGATES_KEY>>,
    checkpoints: Mapping<(Owner, u32), Checkpoint, ManualKey<CHECKPOINTS_KEY>>,
    checkpoint_counts: Mapping<Owner, u32, ManualKey<CHECKPOINT_COUNTS_KEY>>,
}

/// One history, read only. One type for accounts and the total supply keeps a single copy
/// of the search in the contract's code.
struct Trace<'a> {
    data: &'a VotesData,
    owner: Owner,
}

/// One history, writable; see [`Trace`].
struct TraceMut<'a> {
    data: &'a mut VotesData,
    owner: Owner,
}

impl History for Trace<'_> {
    fn count(&self) -> u32 {
        self.data
            .checkpoint_counts
            .get(self.owner)
            .unwrap_or_default()
    }

    fn get(&self, index: u32) -> Option<Checkpoint> {
        self.data.checkpoints.get((self.owner, index))
    }
}

impl TraceMut<'_> {
    fn read(&self) -> Trace<'_> {
        Trace {
            data: self.data,
            owner: self.owner,
        }
    }
}

impl History for TraceMut<'_> {
    fn count(&self) -> u32 {
        self.read().count()
    }

    fn get(&self, index: u32) -> Option<Checkpoint> {
        self.read().get(index)
    }
}

impl HistoryMut for TraceMut<'_> {
    fn set(&mut self, index: u32, checkpoint: Checkpoint) {
        self.data
            .checkpoints
            .insert((self.owner, index), &checkpoint);
    }

    fn set_count(&mut self, count: u32) {
        self.data.checkpoint_counts.insert(self.owner, &count);
    }
}

impl VotesData {
    /// Whom `account` delegates its votes to, if anyone.
    pub fn delegates(&self, account: AccountId) -> Option<AccountId> {
        self.delegates.get(account)
    }

    /// `account`'s current voting power.
    pub fn get_votes(&self, account: AccountId) -> u128 {
        checkpoints::value_at(
            &Trace {
                data: self,
                owner: Some(account),
            },
            u32::MAX,
        )
    }

    /// `account`'s voting power at the end of `block`, which must be before
    /// `current_block` (`FutureLookup` otherwise).
    pub fn get_past_votes(
        &self,
        account: AccountId,
        block: u32,
        current_block: u32,
    ) -> Result<u128, VotesError> {
        checkpoints::past_value(
            &Trace {
                data: self,
                owner: Some(account),
            },
            block,
            current_block,
        )
    }

    /// The total supply at the end of `block`, which must be before `current_block`
    /// (`FutureLookup` otherwise).
    pub fn get_past_total_supply(
        &self,
        block: u32,
        current_block: u32,
    ) -> Result<u128, VotesError> {
        checkpoints::past_value(
            &Trace {
                data: self,
                owner: None,
            },
            block,
            current_block,
        )
    }

    /// How many checkpoints `owner`'s history holds (`None`: the total supply's).
    pub fn num_checkpoints(&self, owner: Owner) -> u32 {
        Trace { data: self, owner }.count()
    }

    /// `delegator`, holding `balance`, delegates to `delegatee` (`None`: to nobody) in
    /// `block`: its whole balance of votes moves from the previous delegate to the new one.
    /// Re-delegating to the current delegate is a silent no-op.
    pub fn delegate(
        &mut self,
        block: u32,
        delegator: AccountId,
        delegatee: Option<AccountId>,
        balance: u128,
        emit: &mut dyn FnMut(VotesEvent),
    ) -> Result<(), VotesError> {
        let previous = self.delegates(delegator);
        if previous == delegatee {
            return Ok(());
        }
        emit(VotesEvent::DelegateChanged(DelegateChanged {
            delegator,
            from: previous,
            to: delegatee,
        }));
        self.move_votes(block, previous, delegatee, balance, emit)?;
        if let Some(delegatee) = delegatee {
            self.delegates.insert(delegator, &delegatee);
        } else {
            self.delegates.remove(delegator);
        }
        Ok(())
    }

    /// Follows the balance changes a PSP22 operation reported (its `Transfer` events) in
    /// `block`: mints raise and burns lower the total supply, and every movement moves
    /// votes from the sender's delegate to the recipient's.
    pub fn track(
        &mut self,
        block: u32,
        psp22_events: &[PSP22Event],
        emit: &mut dyn FnMut(VotesEvent),
    ) -> Result<(), VotesError> {
        for event in psp22_events {
            if let PSP22Event::Transfer(Transfer { from, to, value }) = *event {
                self.transfer_voting_units(block, from, to, value, emit)?;
            }
        }
        Ok(())
    }

    /// `amount` tokens moved from `from` to `to` (`None`: minted or burned).
    fn transfer_voting_units(
        &mut self,
        block: u32,
        from: Option<AccountId>,
        to: Option<AccountId>,
        amount: u128,
        emit: &mut dyn FnMut(VotesEvent),
    ) -> Result<(), VotesError> {
        if amount == 0 {
            return Ok(());
        }
        if from.is_none() {
            self.update(block, None, Change::Add(amount))?;
        }
        if to.is_none() {
            self.update(block, None, Change::Subtract(amount))?;
        }
        let from_delegate = from.and_then(|account| self.delegates(account));
        let to_delegate = to.and_then(|account| self.delegates(account));
        self.move_votes(block, from_delegate, to_delegate, amount, emit)
    }

    /// Moves `amount` votes from delegate `from` to delegate `to` (`None`: nobody).
    fn move_votes(
        &mut self,
        block: u32,
        from: Option<AccountId>,
        to: Option<AccountId>,
        amount: u128,
        emit: &mut dyn FnMut(VotesEvent),
    ) -> Result<(), VotesError> {
        if from == to || amount == 0 {
            return Ok(());
        }
        if let Some(delegate) = from {
            self.change_votes(block, delegate, Change::Subtract(amount), emit)?;
        }
        if let Some(delegate) = to {
            self.change_votes(block, delegate, Change::Add(amount), emit)?;
        }
        Ok(())
    }

    /// Applies `change` to `delegate`'s voting power in `block`.
    fn change_votes(
        &mut self,
        block: u32,
        delegate: AccountId,
        change: Change,
        emit: &mut dyn FnMut(VotesEvent),
    ) -> Result<(), VotesError> {
        let (previous, new) = self.update(block, Some(delegate), change)?;
        emit(VotesEvent::DelegateVotesChanged(DelegateVotesChanged {
            delegate,
            previous,
            new,
        }));
        Ok(())
    }

    /// Applies `change` to `owner`'s history (`None`: the total supply's) in `block`.
    fn update(
        &mut self,
        block: u32,
        owner: Owner,
        change: Change,
    ) -> Result<(u128, u128), VotesError> {
        checkpoints::update(&mut TraceMut { data: self, owner }, block, change)
    }
}

#[cfg(test)]
mod tests {
    //! `#[ink::test]` (and `run_test` in the properties) only provides the off-chain storage
    //! backend `Mapping` needs; the logic under test never reads the environment.
    use super::*;
    use carrack_psp22::PSP22Data;
    use proptest::prelude::*;

    const ALICE: u8 = 1;
    const BOB: u8 = 2;
    const CHARLIE: u8 = 3;
    const DAVE: u8 = 4;

    fn account(byte: u8) -> AccountId {
        AccountId::from([byte; 32])
    }

    fn changed(delegator: u8, from: Option<u8>, to: Option<u8>) -> VotesEvent {
        VotesEvent::DelegateChanged(DelegateChanged {
            delegator: account(delegator),
            from: from.map(account),
            to: to.map(account),
        })
    }

    fn votes_changed(delegate: u8, previous: u128, new: u128) -> VotesEvent {
        VotesEvent::DelegateVotesChanged(DelegateVotesChanged {
            delegate: account(delegate),
            previous,
            new,
        })
    }

    /// The token's two data structures, driven the way the contract drives them.
    #[derive(Default)]
    struct Token {
        data: PSP22Data,
        votes: VotesData,
        block: u32,
    }

    impl Token {
        /// Block 1, balances minted, nobody delegating yet.
        fn with(balances: &[(u8, u128)]) -> Self {
            let mut token = Self {
                block: 1,
                ..Self::default()
            };
            for &(owner, value) in balances {
                token.mint(owner, value);
            }
            token
        }

        /// Follows a PSP22 operation's events, returning the votes events.
        fn track(&mut self, psp22_events: &[PSP22Event]) -> Vec<VotesEvent> {
            let mut events = Vec::new();
            self.votes
                .track(self.block, psp22_events, &mut |event| events.push(event))
                .unwrap();
            events
        }

        fn mint(&mut self, to: u8, value: u128) -> Vec<VotesEvent> {
            let events = self.data.mint(account(to), value).unwrap();
            self.track(&events)
        }

        fn burn(&mut self, from: u8, value: u128) -> Vec<VotesEvent> {
            let events = self.data.burn(account(from), account(from), value).unwrap();
            self.track(&events)
        }

        fn transfer(&mut self, from: u8, to: u8, value: u128) -> Vec<VotesEvent> {
            let events = self
                .data
                .transfer(account(from), account(to), value)
                .unwrap();
            self.track(&events)
        }

        fn delegate(&mut self, delegator: u8, delegatee: Option<u8>) -> Vec<VotesEvent> {
            let balance = self.data.balance_of(account(delegator));
            let mut events = Vec::new();
            self.votes
                .delegate(
                    self.block,
                    account(delegator),
                    delegatee.map(account),
                    balance,
                    &mut |event| events.push(event),
                )
                .unwrap();
            events
        }

        fn next_block(&mut self) {
            self.block += 1;
        }

        fn votes(&self, owner: u8) -> u128 {
            self.votes.get_votes(account(owner))
        }

        fn past_votes(&self, owner: u8, block: u32) -> u128 {
            self.votes
                .get_past_votes(account(owner), block, self.block)
                .unwrap()
        }

        fn past_supply(&self, block: u32) -> u128 {
            self.votes.get_past_total_supply(block, self.block).unwrap()
        }
    }

    #[ink::test]
    fn undelegated_tokens_do_not_vote() {
        let mut token = Token::with(&[]);
        assert_eq!(token.mint(ALICE, 100), vec![]);
        assert_eq!(token.transfer(ALICE, BOB, 40), vec![]);
        assert_eq!(token.votes(ALICE), 0);
        assert_eq!(token.votes(BOB), 0);
        assert_eq!(token.votes.num_checkpoints(Some(account(ALICE))), 0);
        assert_eq!(token.votes.delegates(account(ALICE)), None);
    }

    #[ink::test]
    fn self_delegation_counts_the_whole_balance() {
        let mut token = Token::with(&[(ALICE, 100)]);
        assert_eq!(
            token.delegate(ALICE, Some(ALICE)),
            vec![
                changed(ALICE, None, Some(ALICE)),
                votes_changed(ALICE, 0, 100)
            ]
        );
        assert_eq!(token.votes(ALICE), 100);
        assert_eq!(token.votes.delegates(account(ALICE)), Some(account(ALICE)));
    }

    #[ink::test]
    fn redelegating_moves_the_whole_balance_of_votes() {
        let mut token = Token::with(&[(ALICE, 100), (BOB, 5)]);
        token.delegate(BOB, Some(BOB));
        token.delegate(ALICE, Some(BOB));
        assert_eq!(token.votes(BOB), 105);
        assert_eq!(
            token.delegate(ALICE, Some(CHARLIE)),
            vec![
                changed(ALICE, Some(BOB), Some(CHARLIE)),
                votes_changed(BOB, 105, 5),
                votes_changed(CHARLIE, 0, 100)
            ]
        );
        assert_eq!(
            token.delegate(ALICE, None),
            vec![
                changed(ALICE, Some(CHARLIE), None),
                votes_changed(CHARLIE, 100, 0)
            ]
        );
        assert_eq!(token.votes.delegates(account(ALICE)), None);
        assert_eq!(token.votes(CHARLIE), 0);
        assert_eq!(token.votes(BOB), 5);
    }

    #[ink::test]
    fn redelegating_to_the_current_delegate_is_a_silent_no_op() {
        let mut token = Token::with(&[(ALICE, 100)]);
        assert_eq!(token.delegate(ALICE, None), vec![]);
        token.delegate(ALICE, Some(BOB));
        assert_eq!(token.delegate(ALICE, Some(BOB)), vec![]);
        assert_eq!(token.votes(BOB), 100);
    }

    #[ink::test]
    fn delegating_an_empty_balance_changes_no_votes() {
        let mut token = Token::with(&[]);
        assert_eq!(
            token.delegate(ALICE, Some(BOB)),
            vec![changed(ALICE, None, Some(BOB))]
        );
        assert_eq!(token.votes.num_checkpoints(Some(account(BOB))), 0);
        // Tokens arriving later count for the delegate.
        assert_eq!(token.mint(ALICE, 7), vec![votes_changed(BOB, 0, 7)]);
    }

    #[ink::test]
    fn transfers_move_votes_between_the_delegates() {
        let mut token = Token::with(&[(ALICE, 100), (BOB, 100), (CHARLIE, 100)]);
        token.delegate(ALICE, Some(ALICE));
        token.delegate(BOB, Some(DAVE));
        // Charlie stays undelegated.

        // Delegated to delegated.
        assert_eq!(
            token.transfer(ALICE, BOB, 10),
            vec![votes_changed(ALICE, 100, 90), votes_changed(DAVE, 100, 110)]
        );
        // Delegated to undelegated: the votes leave.
        assert_eq!(
            token.transfer(BOB, CHARLIE, 20),
            vec![votes_changed(DAVE, 110, 90)]
        );
        // Undelegated to delegated: the votes arrive.
        assert_eq!(
            token.transfer(CHARLIE, ALICE, 30),
            vec![votes_changed(ALICE, 90, 120)]
        );
        // Undelegated to undelegated, and between two accounts with the same delegate.
        assert_eq!(token.transfer(CHARLIE, DAVE, 1), vec![]);
        token.delegate(CHARLIE, Some(ALICE));
        assert_eq!(token.transfer(CHARLIE, ALICE, 5), vec![]);
        assert_eq!(token.votes(ALICE), 120 + 89);
        assert_eq!(token.votes(DAVE), 90);
    }

    #[ink::test]
    fn approvals_and_no_op_transfers_move_nothing() {
        let mut token = Token::with(&[(ALICE, 100)]);
        token.delegate(ALICE, Some(ALICE));
        let events = token
            .data
            .approve(account(ALICE), account(BOB), 50)
            .unwrap();
        assert_eq!(token.track(&events), vec![]);
        assert_eq!(token.transfer(ALICE, ALICE, 50), vec![]);
        assert_eq!(token.transfer(ALICE, BOB, 0), vec![]);
        assert_eq!(token.votes.num_checkpoints(Some(account(ALICE))), 1);
    }

    #[ink::test]
    fn mint_and_burn_checkpoint_the_total_supply() {
        let mut token = Token::with(&[]);
        assert_eq!(token.past_supply(0), 0);
        token.delegate(ALICE, Some(ALICE));
        // Block 1: 100 minted. Block 2: nothing. Block 3: 30 burned, 5 minted.
        assert_eq!(token.mint(ALICE, 100), vec![votes_changed(ALICE, 0, 100)]);
        token.next_block();
        token.next_block();
        assert_eq!(token.burn(ALICE, 30), vec![votes_changed(ALICE, 100, 70)]);
        token.mint(BOB, 5);
        token.next_block();
        assert_eq!(token.past_supply(0), 0);
        assert_eq!(token.past_supply(1), 100);
        assert_eq!(token.past_supply(2), 100);
        assert_eq!(token.past_supply(3), 75);
        assert_eq!(token.past_votes(ALICE, 2), 100);
        assert_eq!(token.past_votes(ALICE, 3), 70);
        assert_eq!(token.votes.num_checkpoints(None), 2, "one per block");
        assert_eq!(
            token.votes.get_past_total_supply(4, 4),
            Err(VotesError::FutureLookup)
        );
    }

    #[ink::test]
    fn changes_within_a_block_share_one_checkpoint() {
        let mut token = Token::with(&[(ALICE, 100)]);
        token.delegate(ALICE, Some(ALICE));
        token.transfer(ALICE, BOB, 10);
        token.transfer(ALICE, BOB, 10);
        token.mint(ALICE, 1);
        assert_eq!(token.votes.num_checkpoints(Some(account(ALICE))), 1);
        token.next_block();
        token.transfer(ALICE, BOB, 1);
        token.transfer(ALICE, BOB, 1);
        assert_eq!(token.votes.num_checkpoints(Some(account(ALICE))), 2);
        token.next_block();
        assert_eq!(token.past_votes(ALICE, 0), 0);
        assert_eq!(token.past_votes(ALICE, 1), 81, "the block's final value");
        assert_eq!(token.past_votes(ALICE, 2), 79);
    }

    #[ink::test]
    fn a_flash_loan_within_a_block_leaves_past_votes_unchanged() {
        let mut token = Token::with(&[(ALICE, 1_000), (BOB, 10)]);
        token.delegate(ALICE, Some(ALICE));
        token.delegate(BOB, Some(BOB));
        token.next_block();
        let snapshot = token.block - 1;

        // Bob borrows Alice's tokens and pays them back within block 2.
        token.transfer(ALICE, BOB, 1_000);
        assert_eq!(
            token.votes(BOB),
            1_010,
            "the current power includes the loan"
        );
        assert_eq!(
            token
                .votes
                .get_past_votes(account(BOB), token.block, token.block),
            Err(VotesError::FutureLookup),
            "the block of the loan cannot be read while it runs"
        );
        token.transfer(BOB, ALICE, 1_000);
        let loan_block = token.block;
        token.next_block();

        for block in [snapshot, loan_block] {
            assert_eq!(token.past_votes(BOB, block), 10, "block {block}");
            assert_eq!(token.past_votes(ALICE, block), 1_000, "block {block}");
        }
    }

    #[ink::test]
    fn a_broken_invariant_is_refused_rather_than_miscounted() {
        let mut votes = VotesData::default();
        let ignore = &mut |_| {};
        // Claims a balance of 100 whose votes were never counted for Charlie.
        votes
            .delegate(1, account(ALICE), Some(account(CHARLIE)), 0, ignore)
            .unwrap();
        assert_eq!(
            votes.delegate(1, account(ALICE), Some(account(BOB)), 100, ignore),
            Err(VotesError::VotesOverflow)
        );
        // A mint beyond u128::MAX of supply.
        let mint = |value| {
            [PSP22Event::Transfer(Transfer {
                from: None,
                to: Some(account(ALICE)),
                value,
            })]
        };
        votes.track(1, &mint(u128::MAX), ignore).unwrap();
        assert_eq!(
            votes.track(1, &mint(1), ignore),
            Err(VotesError::VotesOverflow)
        );
    }

    /// One step of the property test below.
    #[derive(Debug, Clone)]
    enum Op {
        Mint(u8, u128),
        Burn(u8, u128),
        Transfer(u8, u8, u128),
        Delegate(u8, Option<u8>),
        NextBlock,
    }

    const ACCOUNTS: u8 = 5;

    fn op() -> impl Strategy<Value = Op> {
        let who = 1..=ACCOUNTS;
        prop_oneof![
            (who.clone(), 0u128..1_000).prop_map(|(to, value)| Op::Mint(to, value)),
            (who.clone(), 0u128..1_000).prop_map(|(from, value)| Op::Burn(from, value)),
            (who.clone(), who.clone(), 0u128..1_000)
                .prop_map(|(from, to, value)| Op::Transfer(from, to, value)),
            (who.clone(), prop::option::of(who)).prop_map(|(from, to)| Op::Delegate(from, to)),
            Just(Op::NextBlock),
        ]
    }

    proptest! {
        /// Random operations: after each one every delegate's power is the sum of the
        /// balances delegated to it (so the powers sum to the delegated balances), and
        /// afterwards every past lookup returns the value at the end of that block.
        #[test]
        fn votes_follow_delegated_balances(ops in prop::collection::vec(op(), 1..120)) {
            ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
                let mut token = Token::with(&[]);
                // Per finished block: (total supply, every account's power).
                let mut history: Vec<(u128, Vec<u128>)> = Vec::new();
                let all = || 1..=ACCOUNTS;
                let snapshot = |token: &Token| {
                    let powers = all().map(|owner| token.votes(owner)).collect();
                    (token.data.total_supply(), powers)
                };
                // Block 0 ended before anything happened.
                history.push((0, vec![0; usize::from(ACCOUNTS)]));
                for op in ops {
                    // Operations that PSP22 refuses (e.g. an excessive burn) change nothing.
                    match op {
                        Op::Mint(to, value) => {
                            token.mint(to, value);
                        }
                        Op::Burn(from, value) => {
                            let value = value.min(token.data.balance_of(account(from)));
                            token.burn(from, value);
                        }
                        Op::Transfer(from, to, value) => {
                            let value = value.min(token.data.balance_of(account(from)));
                            token.transfer(from, to, value);
                        }
                        Op::Delegate(from, to) => {
                            token.delegate(from, to);
                        }
                        Op::NextBlock => {
                            history.push(snapshot(&token));
                            token.next_block();
                        }
                    }
                    let mut delegated_total = 0;
                    let mut powers_total = 0;
                    for delegate in all() {
                        let delegated: u128 = all()
                            .filter(|&owner| {
                                token.votes.delegates(account(owner)) == Some(account(delegate))
                            })
                            .map(|owner| token.data.balance_of(account(owner)))
                            .sum();
                        assert_eq!(token.votes(delegate), delegated, "delegate {delegate}");
                        delegated_total += delegated;
                        powers_total += token.votes(delegate);
                    }
                    assert_eq!(powers_total, delegated_total);
                }
                history.push(snapshot(&token));
                token.next_block();
                for (block, (supply, powers)) in history.iter().enumerate() {
                    let block = u32::try_from(block).unwrap();
                    assert_eq!(token.past_supply(block), *supply, "block {block}");
                    for (owner, power) in all().zip(powers) {
                        assert_eq!(token.past_votes(owner, block), *power, "block {block}");
                    }
                }
                Ok(())
            })
            .unwrap();
        }
    }
}
