//! The PSP22 token on a real substrate-contracts-node: instantiation, transfers,
//! allowances, the minter role, exact errors and the standard selectors.

use carrack_e2e::metadata::{built_metadata_path, enum_variants, message_selectors, read_metadata};
use carrack_e2e::psp22_standard::{PSP22_ERROR_VARIANTS, PSP22_SELECTORS};
use carrack_e2e::NodeClient;
use carrack_interfaces::{
    Approval, PSP22Burnable, PSP22Error, PSP22Metadata, PSP22Mintable, Transfer, PSP22,
};
use carrack_token::token::{Token, TokenRef};
use ink::codegen::ContractCallBuilder;
use ink::scale::Decode;
use ink_e2e::{account_id, AccountKeyring, ContractsBackend};

type E2EResult<T> = Result<T, Box<dyn std::error::Error>>;

const SUPPLY: u128 = 1_000_000_000_000;

/// The call builder of a token deployed by Alice: 12 decimals, `SUPPLY` credited to
/// Alice, Alice as minter.
async fn deploy(client: &mut NodeClient) -> E2EResult<<Token as ContractCallBuilder>::Type> {
    let mut constructor = TokenRef::new(
        SUPPLY,
        Some("Carrack Test".into()),
        Some("CTST".into()),
        12,
        Some(account_id(AccountKeyring::Alice)),
    );
    let contract = client
        .instantiate("carrack_token", &ink_e2e::alice(), &mut constructor)
        .submit()
        .await?;
    Ok(contract.call_builder::<Token>())
}

#[carrack_e2e::test]
async fn instantiate_credits_supply_and_metadata(mut client: NodeClient) -> E2EResult<()> {
    // given
    let token = deploy(&mut client).await?;

    // then
    let alice = account_id(AccountKeyring::Alice);
    let supply = client
        .call(&ink_e2e::alice(), &token.total_supply())
        .dry_run()
        .await?;
    assert_eq!(supply.return_value(), SUPPLY);
    let balance = client
        .call(&ink_e2e::bob(), &token.balance_of(alice))
        .dry_run()
        .await?;
    assert_eq!(balance.return_value(), SUPPLY);
    let name = client
        .call(&ink_e2e::bob(), &token.token_name())
        .dry_run()
        .await?;
    assert_eq!(name.return_value(), Some("Carrack Test".to_string()));
    let symbol = client
        .call(&ink_e2e::bob(), &token.token_symbol())
        .dry_run()
        .await?;
    assert_eq!(symbol.return_value(), Some("CTST".to_string()));
    let decimals = client
        .call(&ink_e2e::bob(), &token.token_decimals())
        .dry_run()
        .await?;
    assert_eq!(decimals.return_value(), 12);
    let minter = client
        .call(&ink_e2e::bob(), &token.minter())
        .dry_run()
        .await?;
    assert_eq!(minter.return_value(), Some(alice));
    Ok(())
}

#[carrack_e2e::test]
async fn transfer_moves_tokens_and_emits_transfer(mut client: NodeClient) -> E2EResult<()> {
    // given
    let mut token = deploy(&mut client).await?;
    let alice = account_id(AccountKeyring::Alice);
    let bob = account_id(AccountKeyring::Bob);

    // when
    let result = client
        .call(&ink_e2e::alice(), &token.transfer(bob, 250, vec![]))
        .submit()
        .await?;

    // then
    let events = result.contract_emitted_events()?;
    assert_eq!(result.return_value(), Ok(()));
    assert_eq!(events.len(), 1);
    let event = Transfer::decode(&mut &events[0].event.data[..])?;
    assert_eq!(
        event,
        Transfer {
            from: Some(alice),
            to: Some(bob),
            value: 250
        }
    );
    let bob_balance = client
        .call(&ink_e2e::bob(), &token.balance_of(bob))
        .dry_run()
        .await?;
    assert_eq!(bob_balance.return_value(), 250);
    let alice_balance = client
        .call(&ink_e2e::bob(), &token.balance_of(alice))
        .dry_run()
        .await?;
    assert_eq!(alice_balance.return_value(), SUPPLY - 250);
    Ok(())
}

#[carrack_e2e::test]
async fn approve_then_transfer_from_spends_allowance(mut client: NodeClient) -> E2EResult<()> {
    // given
    let mut token = deploy(&mut client).await?;
    let alice = account_id(AccountKeyring::Alice);
    let bob = account_id(AccountKeyring::Bob);
    let charlie = account_id(AccountKeyring::Charlie);
    client
        .call(&ink_e2e::alice(), &token.approve(bob, 1_000))
        .submit()
        .await?;

    // when
    let result = client
        .call(
            &ink_e2e::bob(),
            &token.transfer_from(alice, charlie, 600, vec![]),
        )
        .submit()
        .await?;

    // then
    let events = result.contract_emitted_events()?;
    assert_eq!(events.len(), 2);
    assert_eq!(
        Approval::decode(&mut &events[0].event.data[..])?,
        Approval {
            owner: alice,
            spender: bob,
            amount: 400
        }
    );
    assert_eq!(
        Transfer::decode(&mut &events[1].event.data[..])?,
        Transfer {
            from: Some(alice),
            to: Some(charlie),
            value: 600
        }
    );
    let allowance = client
        .call(&ink_e2e::bob(), &token.allowance(alice, bob))
        .dry_run()
        .await?;
    assert_eq!(allowance.return_value(), 400);
    let charlie_balance = client
        .call(&ink_e2e::bob(), &token.balance_of(charlie))
        .dry_run()
        .await?;
    assert_eq!(charlie_balance.return_value(), 600);

    // Spending beyond the rest of the allowance is refused with the exact error.
    let over = client
        .call(
            &ink_e2e::bob(),
            &token.transfer_from(alice, charlie, 401, vec![]),
        )
        .dry_run()
        .await?;
    assert_eq!(over.return_value(), Err(PSP22Error::InsufficientAllowance));
    Ok(())
}

#[carrack_e2e::test]
async fn only_the_minter_mints_and_burns(mut client: NodeClient) -> E2EResult<()> {
    // given
    let mut token = deploy(&mut client).await?;
    let bob = account_id(AccountKeyring::Bob);

    // when Bob, not the minter, tries
    let mint = client
        .call(&ink_e2e::bob(), &token.mint(bob, 1))
        .dry_run()
        .await?;
    assert_eq!(mint.return_value(), Err(PSP22Error::CallerIsNotMinter));
    let burn = client
        .call(&ink_e2e::bob(), &token.burn(bob, 1))
        .dry_run()
        .await?;
    assert_eq!(burn.return_value(), Err(PSP22Error::CallerIsNotMinter));
    // submitting it anyway fails on chain
    let submitted = client
        .call(&ink_e2e::bob(), &token.mint(bob, 1))
        .submit()
        .await;
    assert!(
        submitted.is_err(),
        "a refused mint must not succeed on chain"
    );

    // when Alice, the minter, mints to Bob and burns her own tokens
    client
        .call(&ink_e2e::alice(), &token.mint(bob, 500))
        .submit()
        .await?;
    let alice = account_id(AccountKeyring::Alice);
    let burned = client
        .call(&ink_e2e::alice(), &token.burn(alice, 100))
        .submit()
        .await?;
    let events = burned.contract_emitted_events()?;
    assert_eq!(
        Transfer::decode(&mut &events[0].event.data[..])?,
        Transfer {
            from: Some(alice),
            to: None,
            value: 100
        }
    );

    // then
    let supply = client
        .call(&ink_e2e::bob(), &token.total_supply())
        .dry_run()
        .await?;
    assert_eq!(supply.return_value(), SUPPLY + 500 - 100);
    let bob_balance = client
        .call(&ink_e2e::bob(), &token.balance_of(bob))
        .dry_run()
        .await?;
    assert_eq!(bob_balance.return_value(), 500);
    Ok(())
}

#[carrack_e2e::test]
async fn failed_transfer_returns_exact_error_and_changes_nothing(
    mut client: NodeClient,
) -> E2EResult<()> {
    // given
    let mut token = deploy(&mut client).await?;
    let alice = account_id(AccountKeyring::Alice);
    let bob = account_id(AccountKeyring::Bob);

    // when
    let dry = client
        .call(&ink_e2e::alice(), &token.transfer(bob, SUPPLY + 1, vec![]))
        .dry_run()
        .await?;
    let submitted = client
        .call(&ink_e2e::alice(), &token.transfer(bob, SUPPLY + 1, vec![]))
        .submit()
        .await;

    // then
    assert_eq!(dry.return_value(), Err(PSP22Error::InsufficientBalance));
    assert!(submitted.is_err(), "the reverted call must fail on chain");
    let zero = client
        .call(
            &ink_e2e::alice(),
            &token.transfer(ink::primitives::AccountId::from([0; 32]), 1, vec![]),
        )
        .dry_run()
        .await?;
    assert_eq!(zero.return_value(), Err(PSP22Error::ZeroRecipientAddress));
    let alice_balance = client
        .call(&ink_e2e::bob(), &token.balance_of(alice))
        .dry_run()
        .await?;
    assert_eq!(alice_balance.return_value(), SUPPLY);
    let bob_balance = client
        .call(&ink_e2e::bob(), &token.balance_of(bob))
        .dry_run()
        .await?;
    assert_eq!(bob_balance.return_value(), 0);
    Ok(())
}

/// The built metadata carries exactly the standard PSP22 selectors and error order, so
/// wallets and UIs that speak PSP22 work with the token.
#[test]
fn built_metadata_has_standard_psp22_selectors_and_errors() -> Result<(), String> {
    let path = built_metadata_path("carrack_token")?;
    let metadata = read_metadata(&path)?;
    let selectors = message_selectors(&metadata);
    for (label, selector) in PSP22_SELECTORS {
        assert_eq!(
            selectors.get(*label).map(String::as_str),
            Some(*selector),
            "selector of {label} in {}",
            path.display()
        );
    }
    let variants = enum_variants(&metadata, "PSP22Error");
    assert!(
        variants.starts_with(
            &PSP22_ERROR_VARIANTS
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
        ),
        "PSP22Error keeps the standard variant order, got {variants:?}"
    );
    Ok(())
}
