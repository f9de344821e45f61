// Helpers for driving Carrack contracts with @polkadot/api-contract: loading the built
// `.contract` bundles, reading the deployment's addresses, dry-running messages (as
// Polkadot.js Apps does before every transaction) and submitting them with the dry run's
// gas. Messages are named by their metadata label (e.g. `PSP22::balance_of`).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Abi, CodePromise, ContractPromise } from '@polkadot/api-contract';
import { Keyring } from '@polkadot/keyring';
import { BN, BN_ONE } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

/** Connects to the node. */
export async function connect(url) {
  const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
  await api.isReady;
  return api;
}

/** sr25519 keypairs for development secret URIs (`//Alice`, `//Bench/1`), in order. */
export async function devKeys(...uris) {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  return uris.map((uri) => keyring.addFromUri(uri));
}

/**
 * sr25519 keypairs seeded with blake2_256 of each label, in order: for many throw-away
 * accounts, where `devKeys`'s derivation paths are slow (each re-derives the dev phrase).
 */
export async function seededKeys(...labels) {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  return labels.map((label) => keyring.addFromSeed(blake2AsU8a(label)));
}

/** The ABI of a bundle `<dir>/<name>/<name>.contract`. */
export function loadAbi(bundlesDir, name) {
  const bundle = JSON.parse(readFileSync(join(bundlesDir, name, `${name}.contract`), 'utf8'));
  return new Abi(bundle);
}

/**
 * Addresses from a carrack-deploy manifest (`{ contracts: { <name>: { address, .. } } }`),
 * by name: `pool`, `oracle`, `timelock`, `governor`, `gov_token`, and each test token by
 * its symbol (the manifest says `token:TUSD`).
 */
export function loadAddresses(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const out = {};
  for (const [name, entry] of Object.entries(manifest.contracts ?? {})) {
    out[name.replace(/^token:/, '')] = entry.address;
  }
  return out;
}

/**
 * Uploads and instantiates bundle `name` (from `bundlesDir`) as `signer` with its `new`
 * constructor and `args`; resolves with a [`Contract`] handle once it is in a block.
 */
export function instantiate(api, bundlesDir, name, signer, ...args) {
  const abi = loadAbi(bundlesDir, name);
  const wasm = readFileSync(join(bundlesDir, name, `${name}.wasm`));
  const code = new CodePromise(api, abi, wasm);
  const gasLimit = api.registry.createType('WeightV2', {
    refTime: new BN('500000000000'),
    proofSize: new BN('5000000'),
  });
  return new Promise((resolve, reject) => {
    let unsubscribe;
    let settled = false;
    const settle = (finish, value) => {
      settled = true;
      unsubscribe?.();
      finish(value);
    };
    code.tx
      .new({ gasLimit, storageDepositLimit: null }, ...args)
      .signAndSend(signer, (result) => {
        if (settled) return;
        if (result.dispatchError) {
          settle(reject, new Error(`instantiating ${name} failed on chain: ${result.dispatchError.toString()}`));
        } else if ((result.status.isInBlock || result.status.isFinalized) && result.contract) {
          settle(resolve, new Contract(api, abi, result.contract.address.toString()));
        }
      })
      .then((unsub) => {
        unsubscribe = unsub;
        if (settled) unsub();
      })
      .catch((error) => settle(reject, error));
  });
}

/** A contract handle with label-based `query` and `tx`. */
export class Contract {
  constructor(api, abi, address) {
    this.api = api;
    this.abi = abi;
    this.address = address;
    this.inner = new ContractPromise(api, abi, address);
  }

  /** The api-contract method name of the message labelled `label`. */
  method(label) {
    const message = this.abi.messages.find((m) => m.identifier === label);
    if (!message) {
      const labels = this.abi.messages.map((m) => m.identifier).join(', ');
      throw new Error(`no message ${label}; the metadata has: ${labels}`);
    }
    return message.method;
  }

  /**
   * Dry-runs `label` as `caller` and returns
   * `{ output, gasRequired, gasConsumed, storageDeposit, result }`; `output` is the decoded
   * return value with ink!'s outer `Ok` (no LangError) already removed. `gasRequired` is the
   * gas limit the call needs (it includes the pallet's transient pre-charge peaks);
   * `gasConsumed` is what the call is charged, and what a block accounts after dispatch.
   */
  async query(label, caller, ...args) {
    const gasLimit = this.api.registry.createType('WeightV2', {
      refTime: new BN('1000000000000'),
      proofSize: new BN('10000000'),
    });
    const { result, output, gasRequired, gasConsumed, storageDeposit } = await this.inner.query[this.method(label)](
      caller,
      { gasLimit, storageDepositLimit: null },
      ...args,
    );
    if (result.isErr) {
      throw new Error(`${label} failed at the chain level: ${result.asErr.toString()}`);
    }
    const json = output.toJSON();
    if (json && typeof json === 'object' && 'err' in json) {
      throw new Error(`${label}: ink! LangError ${JSON.stringify(json.err)}`);
    }
    return { output: json?.ok ?? json, gasRequired, gasConsumed, storageDeposit, result };
  }

  /**
   * Dry-runs `label`; refuses to submit if the message would return `Err` (the reason in
   * the error); submits with the dry run's gas plus a margin and resolves when the block
   * is in, with the contract events api-contract decoded.
   */
  async tx(label, signer, ...args) {
    const { output, gasRequired } = await this.query(label, signer.address, ...args);
    if (output && typeof output === 'object' && 'err' in output) {
      throw new Error(`${label} would fail: ${JSON.stringify(output.err)}`);
    }
    const gasLimit = this.api.registry.createType('WeightV2', {
      refTime: gasRequired.refTime.toBn().muln(2).add(BN_ONE),
      proofSize: gasRequired.proofSize.toBn().muln(2).add(BN_ONE),
    });
    const extrinsic = this.inner.tx[this.method(label)]({ gasLimit, storageDepositLimit: null }, ...args);
    return submit(this.api, extrinsic, signer, label);
  }
}

/**
 * Signs and submits any extrinsic; resolves with `{ events, blockHash }` (the contract
 * events api-contract decoded) once it is in a block, rejects with the decoded dispatch
 * error (`<label> failed on chain: <pallet>.<error>`).
 */
export function submit(api, extrinsic, signer, label) {
  return new Promise((resolve, reject) => {
    // The status subscription ends once the outcome is known.
    let unsubscribe;
    let settled = false;
    const settle = (finish, value) => {
      settled = true;
      unsubscribe?.();
      finish(value);
    };
    extrinsic
      .signAndSend(signer, (result) => {
        if (settled) return;
        if (result.dispatchError) {
          const { dispatchError } = result;
          const text = dispatchError.isModule
            ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(dispatchError.asModule))
            : dispatchError.toString();
          settle(reject, new Error(`${label} failed on chain: ${text}`));
        } else if (result.status.isInBlock || result.status.isFinalized) {
          settle(resolve, { events: result.contractEvents ?? [], blockHash: result.status.isInBlock ? result.status.asInBlock : result.status.asFinalized });
        }
      })
      .then((unsub) => {
        unsubscribe = unsub;
        if (settled) unsub();
      })
      .catch((error) => settle(reject, error));
  });
}

/**
 * A decoded contract event as `{ name, path, fields }`: ink! 5 metadata identifies events
 * by their Rust path (`carrack_interfaces::psp22::Transfer`); `name` is its last segment.
 */
export function describeEvent(event) {
  const fields = {};
  event.event.args.forEach((arg, i) => {
    fields[arg.name] = event.args[i].toJSON();
  });
  const path = event.event.identifier;
  return { name: path.split('::').pop(), path, fields };
}
