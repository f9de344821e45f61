//! Carrack's PSP22 token: the standard PSP22 interface with Metadata, Mintable and
//! Burnable, minting and burning reserved to a minter role handed over in two steps.
//!
//! The accounting lives in [`carrack_psp22::PSP22Data`] and the role in
//! [`carrack_psp22::MinterRole`]; every message here only reads the caller, calls that logic
//! and emits its events.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[cfg(test)]
mod contract_tests;

#[ink::contract]
pub mod token {
    use carrack_interfaces::{PSP22Burnable, PSP22Error, PSP22Metadata, PSP22Mintable, PSP22};
    use carrack_psp22::{MinterChanged, MinterEvent, MinterRole, PSP22Data, PSP22Event};
    use ink::prelude::{string::String, vec::Vec};

    /// A PSP22 token.
    #[ink(storage)]
    pub struct Token {
        data: PSP22Data,
        name: Option<String>,
        symbol: Option<String>,
        decimals: u8,
        minter: MinterRole,
    }

    impl Token {
        /// Creates the token and credits `initial_supply` to the deployer. `minter` may
        /// mint and burn; `None` fixes the supply at `initial_supply` for good.
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
                name,
                symbol,
                decimals,
                minter: MinterRole::new(minter),
            };
            let events = token.data.mint(Self::env().caller(), initial_supply)?;
            token.emit_psp22(events);
            if let Some(minter) = minter {
                Self::env().emit_event(MinterChanged {
                    previous: None,
                    new: Some(minter),
                });
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

        /// The minter gives the role up for good: the supply can never change again
        /// except by holders burning through a future minter, which no longer exists.
        #[ink(message)]
        pub fn renounce_minter(&mut self) -> Result<(), PSP22Error> {
            let event = self.minter.renounce(self.env().caller())?;
            self.emit_minter(event);
            Ok(())
        }

        fn emit_psp22(&self, events: Vec<PSP22Event>) {
            for event in events {
                match event {
                    PSP22Event::Transfer(event) => self.env().emit_event(event),
                    PSP22Event::Approval(event) => self.env().emit_event(event),
                }
            }
        }

        fn emit_minter(&self, event: MinterEvent) {
            match event {
                MinterEvent::Nominated(event) => self.env().emit_event(event),
                MinterEvent::Changed(event) => self.env().emit_event(event),
            }
        }
    }

    impl PSP22 for Token {
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
            self.emit_psp22(events);
            Ok(())
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
            self.emit_psp22(events);
            Ok(())
        }

        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error> {
            let events = self.data.approve(self.env().caller(), spender, value)?;
            self.emit_psp22(events);
            Ok(())
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
            self.emit_psp22(events);
            Ok(())
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
            self.emit_psp22(events);
            Ok(())
        }
    }

    impl PSP22Metadata for Token {
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

    impl PSP22Mintable for Token {
        #[ink(message)]
        fn mint(&mut self, account: AccountId, amount: u128) -> Result<(), PSP22Error> {
            self.minter.ensure_minter(self.env().caller())?;
            let events = self.data.mint(account, amount)?;
            self.emit_psp22(events);
            Ok(())
        }
    }

    impl PSP22Burnable for Token {
        #[ink(message)]
        fn burn(&mut self, account: AccountId, amount: u128) -> Result<(), PSP22Error> {
            let caller = self.env().caller();
            self.minter.ensure_minter(caller)?;
            let events = self.data.burn(caller, account, amount)?;
            self.emit_psp22(events);
            Ok(())
        }
    }
}
