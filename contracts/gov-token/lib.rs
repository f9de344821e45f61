//! Carrack's governance token: the PSP22 token of `contracts/token` (Metadata, Mintable,
//! a minter role handed over in two steps) plus voting power for the governor, the
//! [`Votes`](carrack_interfaces::Votes) interface. It has no `burn`: its supply only grows,
//! by its minter if it has one (as Uniswap's UNI; our deployment configs name none, which
//! fixes the supply), and dropping `PSP22Burnable` keeps its code within 24 KiB.
//!
//! Tokens vote only once delegated (`delegate(Some(self))` to vote directly). Voting power
//! and total supply are checkpointed per block, and the governor reads them at a past
//! snapshot block, so power borrowed and returned within a block (a flash loan) never
//! counts.
//!
//! The accounting lives in [`carrack_psp22::PSP22Data`], the role in
//! [`carrack_psp22::MinterRole`], delegation and voting power in
//! [`delegation::VotesData`] over the histories of [`checkpoints`]. Every message here only
//! reads the caller and the block number, calls that logic and emits its events.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod checkpoints;
pub mod delegation;

#[cfg(test)]
mod contract_tests;

use carrack_interfaces::{PSP22Error, VotesError};
use ink::prelude::string::String;

/// How a PSP22 message reports a failure of the votes bookkeeping that follows its balance
/// change: the standard's `Custom` error carrying the [`VotesError`] variant's name. Only
/// `CheckpointOverflow` and `VotesOverflow` can occur there, and neither while votes track
/// balances (see [`delegation`]); the message fails rather than miscounting votes.
pub fn psp22_error(error: VotesError) -> PSP22Error {
    let name = match error {
        VotesError::FutureLookup => "FutureLookup",
        VotesError::CheckpointOverflow => "CheckpointOverflow",
        VotesError::VotesOverflow => "VotesOverflow",
    };
    PSP22Error::Custom(String::from(name))
}

/// The governance token contract, [`GovToken`](gov_token::GovToken).
#[ink::contract]
pub mod gov_token {
    use crate::delegation::{VotesData, VotesEvent};
    use carrack_interfaces::{PSP22Error, PSP22Metadata, PSP22Mintable, Votes, VotesError, PSP22};
    use carrack_psp22::{MinterChanged, MinterEvent, MinterRole, PSP22Data, PSP22Event};
    use ink::prelude::{string::String, vec::Vec};

    /// A PSP22 token with delegated, checkpointed voting power.
    #[ink(storage)]
    pub struct GovToken {
        data: PSP22Data,
        votes: VotesData,
        name: Option<String>,
        symbol: Option<String>,
        decimals: u8,
        minter: MinterRole,
    }

    impl GovToken {
        /// Creates the token and credits `initial_supply` to the deployer (undelegated, so
        /// it votes once the deployer delegates), checkpointing the total supply. `minter`
        /// may mint; `None` fixes the supply at `initial_supply` for good.
        ///
        /// The parameters are those of `contracts/token`'s constructor, in the same order.
        #[ink(constructor)]
        pub fn new(
            initial_supply: u128,
            name: Option<String>,
            symbol: Option<String>,
            decimals: u8,
            minter: Option<AccountId>,
        ) -> Result<Self, PSP22Error> {
            let mut token = Self {
                data: PSP22Data::default(),
                votes: VotesData::default(),
                name,
                symbol,
                decimals,
                minter: MinterRole::new(minter),
            };
            let events = token.data.mint(Self::env().caller(), initial_supply)?;
            token.settle(events)?;
            if let Some(minter) = minter {
                token.emit_minter(MinterEvent::Changed(MinterChanged {
                    previous: None,
                    new: Some(minter),
                }));
            }
            Ok(token)
        }

        /// The account allowed to mint and burn, if any.
        #[ink(message)]
        pub fn minter(&self) -> Option<AccountId> {
            self.minter.minter()
        }

        /// The account nominated to take over the minter role, if any.
        #[ink(message)]
        pub fn pending_minter(&self) -> Option<AccountId> {
            self.minter.pending()
        }

        /// The minter nominates `pending` as its successor (`None` withdraws a nomination).
        /// The role moves only when the nominee calls `accept_minter`.
        #[ink(message)]
        pub fn nominate_minter(&mut self, pending: Option<AccountId>) -> Result<(), PSP22Error> {
            let event = self.minter.nominate(self.env().caller(), pending)?;
            self.emit_minter(event);
            Ok(())
        }

        /// The nominee takes the minter role over.
        #[ink(message)]
        pub fn accept_minter(&mut self) -> Result<(), PSP22Error> {
            let event = self.minter.accept(self.env().caller())?;
            self.emit_minter(event);
            Ok(())
        }

        /// The minter gives the role up for good: the supply can never change again.
        #[ink(message)]
        pub fn renounce_minter(&mut self) -> Result<(), PSP22Error> {
            let event = self.minter.renounce(self.env().caller())?;
            self.emit_minter(event);
            Ok(())
        }

        /// Emits the events of a PSP22 operation, then moves the votes (and the total
        /// supply's history) along with the balance changes it reported, emitting the votes
        /// events after them. A votes failure fails the message (see
        /// [`crate::psp22_error`]), which reverts the balance change and every event.
        fn settle(&mut self, events: Vec<PSP22Event>) -> Result<(), PSP22Error> {
            for event in &events {
                match event {
                    PSP22Event::Transfer(event) => self.env().emit_event(event.clone()),
                    PSP22Event::Approval(event) => self.env().emit_event(event.clone()),
                }
            }
            self.votes
                .track(self.env().block_number(), &events, &mut Self::emit_votes)
                .map_err(crate::psp22_error)
        }

        fn emit_votes(event: VotesEvent) {
            match event {
                VotesEvent::DelegateChanged(event) => Self::env().emit_event(event),
                VotesEvent::DelegateVotesChanged(event) => Self::env().emit_event(event),
            }
        }

        fn emit_minter(&self, event: MinterEvent) {
            match event {
                MinterEvent::Nominated(event) => self.env().emit_event(event),
                MinterEvent::Changed(event) => self.env().emit_event(event),
            }
        }
    }

    impl PSP22 for GovToken {
        #[ink(message)]
        fn total_supply(&self) -> u128 {
            self.data.total_supply()
        }

        #[ink(message)]
        fn balance_of(&self, owner: AccountId) -> u128 {
            self.data.balance_of(owner)
        }

        #[ink(message)]
        fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
            self.data.allowance(owner, spender)
        }

        #[ink(message)]
        fn transfer(
            &mut self,
            to: AccountId,
            value: u128,
            _data: Vec<u8>,
        ) -> Result<(), PSP22Error> {
            let events = self.data.transfer(self.env().caller(), to, value)?;
            self.settle(events)
        }

        #[ink(message)]
        fn transfer_from(
            &mut self,
            from: AccountId,
            to: AccountId,
            value: u128,
            _data: Vec<u8>,
        ) -> Result<(), PSP22Error> {
            let events = self
                .data
                .transfer_from(self.env().caller(), from, to, value)?;
            self.settle(events)
        }

        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error> {
            let events = self.data.approve(self.env().caller(), spender, value)?;
            self.settle(events)
        }

        #[ink(message)]
        fn increase_allowance(
            &mut self,
            spender: AccountId,
            delta_value: u128,
        ) -> Result<(), PSP22Error> {
            let events = self
                .data
                .increase_allowance(self.env().caller(), spender, delta_value)?;
            self.settle(events)
        }

        #[ink(message)]
        fn decrease_allowance(
            &mut self,
            spender: AccountId,
            delta_value: u128,
        ) -> Result<(), PSP22Error> {
            let events = self
                .data
                .decrease_allowance(self.env().caller(), spender, delta_value)?;
            self.settle(events)
        }
    }

    impl PSP22Metadata for GovToken {
        #[ink(message)]
        fn token_name(&self) -> Option<String> {
            self.name.clone()
        }

        #[ink(message)]
        fn token_symbol(&self) -> Option<String> {
            self.symbol.clone()
        }

        #[ink(message)]
        fn token_decimals(&self) -> u8 {
            self.decimals
        }
    }

    impl PSP22Mintable for GovToken {
        #[ink(message)]
        fn mint(&mut self, account: AccountId, amount: u128) -> Result<(), PSP22Error> {
            self.minter.ensure_minter(self.env().caller())?;
            let events = self.data.mint(account, amount)?;
            self.settle(events)
        }
    }

    impl Votes for GovToken {
        #[ink(message)]
        fn get_votes(&self, account: AccountId) -> u128 {
            self.votes.get_votes(account)
        }

        #[ink(message)]
        fn get_past_votes(&self, account: AccountId, block: u32) -> Result<u128, VotesError> {
            self.votes
                .get_past_votes(account, block, self.env().block_number())
        }

        #[ink(message)]
        fn get_past_total_supply(&self, block: u32) -> Result<u128, VotesError> {
            self.votes
                .get_past_total_supply(block, self.env().block_number())
        }

        #[ink(message)]
        fn delegates(&self, account: AccountId) -> Option<AccountId> {
            self.votes.delegates(account)
        }

        #[ink(message)]
        fn delegate(&mut self, delegatee: Option<AccountId>) -> Result<(), VotesError> {
            let caller = self.env().caller();
            let balance = self.data.balance_of(caller);
            self.votes.delegate(
                self.env().block_number(),
                caller,
                delegatee,
                balance,
                &mut Self::emit_votes,
            )
        }
    }
}
