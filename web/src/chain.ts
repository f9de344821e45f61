// The chain client: connects with @polkadot/api, builds api-contract handles from the
// served metadata and the manifest's addresses, dry-runs every message first (as
// Polkadot.js Apps does) and submits with the dry run's gas, reporting each status.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Abi, ContractPromise } from '@polkadot/api-contract';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Signer } from '@polkadot/api/types';
import { explainContractError, explainDispatch, type ErrorContext } from './errors';

export interface Manifest {
  chain: { genesis_hash: string; node_url: string; start_block: number; last_block: number };
  config: { kind: string; path: string };
  deployer: string;
  contracts: Record<string, { bundle: string; address: string }>;
}

/** Who signs: a dev keypair (devnet) or an extension account. */
export type Account =
  | { kind: 'dev'; name: string; address: string; pair: KeyringPair }
  | { kind: 'extension'; name: string; address: string; signer: Signer; source: string };

export type TxStatus =
  | { step: 'dry-run' }
  | { step: 'signing' }
  | { step: 'pending' }
  | { step: 'in-block'; block: string }
  | { step: 'finalized'; block: string }
  | { step: 'failed'; reason: string };

/** A refusal the contract (or the chain) gave, already in plain words. */
export class Refusal extends Error {
  constructor(message: string, readonly raw: unknown) {
    super(message);
  }
}

export interface QueryResult {
  /** The message's value; for `Result` messages, the `Ok` value. */
  value: any;
  /** For `Result` messages that returned `Err`: the decoded error and its explanation. */
  err?: { raw: unknown; text: string };
  gasRequired: any;
  /** What the dry run charged for storage (0 for a refund), in the chain's smallest unit. */
  storageCharge: bigint;
}

/**
 * The storage deposit limit a transaction is signed with: twice the dry run's charge, plus
 * one storage item's deposit for a new entry the dry run did not foresee — never the
 * unlimited `null`, so a token (or a node) cannot charge more than the user was shown.
 */
export function storageDepositLimit(storageCharge: bigint, depositPerItem: bigint): bigint {
  return storageCharge * 2n + depositPerItem;
}

export async function connect(url: string, onState: (connected: boolean) => void): Promise<ApiPromise> {
  const provider = new WsProvider(url, 2_500);
  provider.on('connected', () => onState(true));
  provider.on('disconnected', () => onState(false));
  const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: false });
  await api.isReady;
  return api;
}

export async function loadAbi(bundle: string): Promise<Abi> {
  const res = await fetch(`carrack/metadata/${bundle}.json`);
  if (!res.ok) throw new Error(`metadata for ${bundle} is not served (${res.status}): ${await res.text()}`);
  return new Abi(await res.json());
}

export class Contract {
  readonly inner: ContractPromise;

  constructor(
    readonly api: ApiPromise,
    readonly abi: Abi,
    readonly address: string,
    readonly ctx: ErrorContext,
  ) {
    this.inner = new ContractPromise(api, abi, address);
  }

  private message(label: string) {
    const message = this.abi.messages.find((m) => m.identifier === label);
    if (!message) throw new Error(`the metadata has no message ${label}`);
    return message;
  }

  /** Dry-runs `label` as `caller` (any address). Chain-level failures throw. */
  async query(label: string, caller: string, ...args: unknown[]): Promise<QueryResult> {
    const message = this.message(label);
    const gasLimit = this.api.registry.createType('WeightV2', {
      refTime: 1_000_000_000_000n,
      proofSize: 10_000_000n,
    }) as any;
    const { result, output, gasRequired, storageDeposit } = await this.inner.query[message.method](
      caller,
      { gasLimit, storageDepositLimit: null },
      ...args,
    );
    if (result.isErr) {
      const err = result.asErr;
      let text = err.toString();
      if (err.isModule) {
        const { section, name } = this.api.registry.findMetaError(err.asModule);
        text = explainDispatch(section, name);
      }
      throw new Refusal(`${label}: ${text}`, err.toJSON());
    }
    if (result.asOk.flags.isRevert && !output) {
      throw new Refusal(`${label}: the contract reverted`, null);
    }
    const json = output?.toJSON() as any;
    if (json && typeof json === 'object' && 'err' in json) {
      throw new Refusal(`${label}: the contract could not decode the call (${JSON.stringify(json.err)})`, json.err);
    }
    const inner = json && typeof json === 'object' && 'ok' in json ? json.ok : json;
    const storageCharge = storageDeposit.isCharge ? storageDeposit.asCharge.toBigInt() : 0n;
    const returnType = message.returnType?.type ?? '';
    const nested = /^Result<Result<(.*), ([A-Za-z0-9]+)>, InkPrimitivesLangError>$/.exec(returnType);
    if (nested && inner && typeof inner === 'object') {
      if ('err' in inner) {
        return { value: undefined, err: { raw: inner.err, text: explainContractError(nested[2], inner.err, this.ctx) }, gasRequired, storageCharge };
      }
      return { value: inner.ok, gasRequired, storageCharge };
    }
    return { value: inner, gasRequired, storageCharge };
  }

  /** A view's value; a contract `Err` throws a Refusal in plain words. */
  async view(label: string, caller: string, ...args: unknown[]): Promise<any> {
    const r = await this.query(label, caller, ...args);
    if (r.err) throw new Refusal(r.err.text, r.err.raw);
    return r.value;
  }

  /**
   * Dry-runs, refuses with the contract's reason if it would fail, otherwise submits with
   * the dry run's gas (doubled for margin) and a storage deposit limit from the dry run's
   * charge (`storageDepositLimit`), and resolves once in a block; the finalized
   * status is reported later through `onStatus`.
   */
  async tx(label: string, account: Account, args: unknown[], onStatus: (s: TxStatus) => void): Promise<{ value: any; block: string }> {
    onStatus({ step: 'dry-run' });
    const dry = await this.query(label, account.address, ...args);
    if (dry.err) throw new Refusal(dry.err.text, dry.err.raw);
    const message = this.message(label);
    const gasLimit = this.api.registry.createType('WeightV2', {
      refTime: dry.gasRequired.refTime.toBn().muln(2).addn(1),
      proofSize: dry.gasRequired.proofSize.toBn().muln(2).addn(1),
    }) as any;
    const perItem = (this.api.consts.contracts?.depositPerItem as any)?.toBigInt?.() ?? 0n;
    const limit = storageDepositLimit(dry.storageCharge, perItem);
    const extrinsic = this.inner.tx[message.method]({ gasLimit, storageDepositLimit: limit }, ...args);
    onStatus({ step: 'signing' });
    return new Promise((resolve, reject) => {
      let settled = false;
      let unsub: (() => void) | undefined;
      const callback = (result: any) => {
        const { status, dispatchError } = result;
        if (dispatchError) {
          let reason = dispatchError.toString();
          if (dispatchError.isModule) {
            const { section, name } = this.api.registry.findMetaError(dispatchError.asModule);
            reason = explainDispatch(section, name);
          }
          onStatus({ step: 'failed', reason });
          if (!settled) {
            settled = true;
            reject(new Refusal(reason, dispatchError.toJSON()));
          }
          unsub?.();
          return;
        }
        if (status.isReady || status.isBroadcast) onStatus({ step: 'pending' });
        if (status.isInBlock) {
          const block = status.asInBlock.toHex();
          onStatus({ step: 'in-block', block });
          if (!settled) {
            settled = true;
            resolve({ value: dry.value, block });
          }
        }
        if (status.isFinalized) {
          const block = status.asFinalized.toHex();
          onStatus({ step: 'finalized', block });
          if (!settled) {
            settled = true;
            resolve({ value: dry.value, block });
          }
          unsub?.();
        }
        if (status.isDropped || status.isInvalid || status.isUsurped) {
          const reason = `The transaction was ${status.type.toLowerCase()} by the node.`;
          onStatus({ step: 'failed', reason });
          if (!settled) {
            settled = true;
            reject(new Refusal(reason, status.toJSON()));
          }
        }
      };
      const sent =
        account.kind === 'dev'
          ? extrinsic.signAndSend(account.pair, callback)
          : extrinsic.signAndSend(account.address, { signer: account.signer }, callback);
      sent.then((u) => {
        unsub = u;
      }).catch((err: Error) => {
        const reason = /Cancelled|Rejected/i.test(err.message) ? 'You rejected the signature request.' : `Submitting failed: ${err.message}`;
        onStatus({ step: 'failed', reason });
        if (!settled) {
          settled = true;
          reject(new Refusal(reason, err.message));
        }
      });
    });
  }
}
