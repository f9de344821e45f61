//! Carrack's chain client, shared by the off-chain tools (`carrack-relayer`,
//! `carrack-keeper`, and the deploy tool as it moves over):
//!
//! - [`chain`]: a connection to a node, dry runs (`ContractsApi_call`,
//!   `ContractsApi_instantiate`), signed `Contracts::call` and `Contracts::instantiate`
//!   transactions followed into a block, with every error saying whether
//!   the connection is to blame (reconnect) or the call;
//! - [`config`]: what every tool's TOML config shares (the signer section, TOML errors
//!   that never quote a secret, a private file for a secret URI);
//! - [`constructor`]: contract instantiations built by the contracts' own ink! constructor
//!   builders, their input byte-for-byte the contract's, and instantiated from raw input;
//! - [`http`]: a small hardened read-only HTTP server for metrics and APIs;
//! - [`keys`]: a signer from a secret URI or a chmod-600 key file, never echoing the secret;
//! - [`manifest`]: a carrack-deploy manifest's contracts and chain, read leniently;
//! - [`message`]: contract messages built by the contracts' own ink! call builders, so a
//!   changed message or argument type is a compile error here, and replies decoded with the
//!   contracts' own types.

pub mod chain;
pub mod config;
pub mod constructor;
pub mod http;
pub mod keys;
pub mod manifest;
pub mod message;

pub use chain::{
    Chain, ChainError, ContractEvent, ContractOutput, DryRun, Inclusion, InstantiateDryRun, Weight,
};
pub use constructor::Constructor;
pub use keys::KeySource;
pub use message::{gas_limit, send, Message, Refusal, ReplyError, SendError};
