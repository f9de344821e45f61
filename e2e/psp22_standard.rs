//! The selectors fixed by the PSP22 standard, as published with the standard and
//! implemented by OpenBrush, Pendzl and Cardinal's PSP22: the first four bytes of
//! `blake2b_256("<Trait>::<message>")`.

/// `(label in ink! metadata, selector)` for every standard PSP22 message.
pub const PSP22_SELECTORS: &[(&str, &str)] = &[
    ("PSP22::total_supply", "0x162df8c2"),
    ("PSP22::balance_of", "0x6568382f"),
    ("PSP22::allowance", "0x4d47d921"),
    ("PSP22::transfer", "0xdb20f9f5"),
    ("PSP22::transfer_from", "0x54b3c76e"),
    ("PSP22::approve", "0xb20f1bbd"),
    ("PSP22::increase_allowance", "0x96d6b57a"),
    ("PSP22::decrease_allowance", "0xfecb57d5"),
    ("PSP22Metadata::token_name", "0x3d261bd4"),
    ("PSP22Metadata::token_symbol", "0x34205be5"),
    ("PSP22Metadata::token_decimals", "0x7271b782"),
    ("PSP22Mintable::mint", "0xfc3c75d4"),
    ("PSP22Burnable::burn", "0x7a9da510"),
];

/// The standard `PSP22Error` variants, in their ABI order.
pub const PSP22_ERROR_VARIANTS: &[&str] = &[
    "Custom",
    "InsufficientBalance",
    "InsufficientAllowance",
    "ZeroRecipientAddress",
    "ZeroSenderAddress",
    "SafeTransferCheckFailed",
];
