//! `#[ink::test]`s of the token's messages: the PSP22 conformance suite (PSP22 and
//! Metadata) and the minter-role suite (Mintable, Burnable, the two-step role) of
//! `carrack-psp22`, run against this contract's message shells. The governance token and
//! the hostile test token run the same suites, so their copied shells are proved to agree.
//! The accounting itself is tested in `carrack_psp22::data`.

use crate::token::Token;

carrack_psp22::psp22_suite!(
    Token,
    |supply| {
        let (name, symbol) = (Some("Carrack USD".into()), Some("cUSD".into()));
        Token::new(supply, name, symbol, 6, None).expect("deploys")
    },
    metadata: (Some("Carrack USD"), Some("cUSD"), 6),
);

carrack_psp22::minter_suite!(Token, |supply, minter| {
    Token::new(supply, None, None, 18, minter).expect("deploys")
});

carrack_psp22::burner_suite!(Token, |supply, minter| {
    Token::new(supply, None, None, 18, minter).expect("deploys")
});
