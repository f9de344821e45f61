// The chain client: connects with @polkadot/api, builds api-contract handles from the
// served metadata and the manifest's addresses, dry-runs every message first (as
// Polkadot.js Apps does) and builds its extrinsic with the dry run's limits
// (tx-limits.ts); signs and submits one, reporting each status.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Abi, ContractPromise } from '@polkadot/api-contract';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Signer, SubmittableExtrinsic } from '@polkadot/api/types';
import { explainContractError, explainDispatch, explainError, isAllowanceRefusal, type ErrorContext } from './errors';
import { batchedActDepositLimit, batchedActGas, signedGas, storageDepositLimit, type Gas } from './tx-limits';

/** The deployment manifest carrack-deploy writes (served at carrack/manifest.json). */
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

/** Where a transaction stands, as its status row shows it. */
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

/** A call that passed its dry run, ready to sign: its extrinsic and the dry run's value. */
export interface PreparedCall {
  extrinsic: SubmittableExtrinsic<'promise'>;
  value: any;
}

/** A dry run's outcome. */
export interface QueryResult {
  /** The message's value; for `Result` messages, the `Ok` value. */
  value: any;
  /** For `Result` messages that returned `Err`: the decoded error and its explanation. */
  err?: { raw: unknown; text: string };
  /** The gas the dry run needed. */
  gasRequired: Gas;
  /** What the dry run charged for storage (0 for a refund), in the chain's smallest unit. */
  storageCharge: bigint;
}

/** Connects to the node at `url`, reporting each (dis)connection; resolves once the API is ready. */
export async function connect(url: string, onState: (connected: boolean) => void): Promise<ApiPromise> {
  const provider = new WsProvider(url, 2_500);
  provider.on('connected', () => onState(true));
  provider.on('disconnected', () => onState(false));
  const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: false });
  await api.isReady;
  return api;
}

/** The served metadata of `bundle` (`carrack/metadata/<bundle>.json`). */
export async function loadAbi(bundle: string): Promise<Abi> {
  const res = await fetch(`carrack/metadata/${bundle}.json`);
  if (!res.ok) throw new Error(`metadata for ${bundle} is not served (${res.status}): ${await res.text()}`);
  return new Abi(await res.json());
}

/** A contract at `address` with the served metadata `abi`: dry runs, views and calls by message label. */
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
    const { result, output, gasRequired: weight, storageDeposit } = await this.inner.query[message.method](
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
      throw new Refusal(`${label}: ${explainError('LangError', json.err, this.ctx)}`, json.err);
    }
    const inner = json && typeof json === 'object' && 'ok' in json ? json.ok : json;
    const gasRequired = { refTime: weight.refTime.toBigInt(), proofSize: weight.proofSize.toBigInt() };
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

  /** The chain's storage deposit prices, in its smallest unit. */
  private depositPrices(): { perItem: bigint; perByte: bigint } {
    const consts = this.api.consts.contracts as any;
    return { perItem: consts?.depositPerItem?.toBigInt?.() ?? 0n, perByte: consts?.depositPerByte?.toBigInt?.() ?? 0n };
  }

  /** `label`'s extrinsic with these limits. */
  private extrinsic(label: string, gas: Gas, depositLimit: bigint, args: unknown[]): SubmittableExtrinsic<'promise'> {
    const gasLimit = this.api.registry.createType('WeightV2', gas) as any;
    return this.inner.tx[this.message(label).method]({ gasLimit, storageDepositLimit: depositLimit }, ...args);
  }

  /**
   * `label` called by `caller`, ready to sign: dry-run first and refused (a Refusal in the
   * contract's words) if it would fail, then built with the dry run's gas (`signedGas`) and
   * a storage deposit limit from its charge (`storageDepositLimit`).
   */
  async call(label: string, caller: string, args: unknown[]): Promise<PreparedCall> {
    const dry = await this.query(label, caller, ...args);
    if (dry.err) throw new Refusal(dry.err.text, dry.err.raw);
    const limit = storageDepositLimit(dry.storageCharge, this.depositPrices().perItem);
    return { extrinsic: this.extrinsic(label, signedGas(dry.gasRequired), limit, args), value: dry.value };
  }

  /**
   * A call of this contract (the pool) to sign in one batch after an approval of `token`
   * that it spends in `transfers` token transfers (`batchedActGas`). Its dry run may be
   * refused only for lack of allowance, anything else refuses it now; its limits then come
   * from that dry run and a dry run of a one-unit `PSP22::transfer` of `token` by `caller`
   * (`batchedActGas`, `batchedActDepositLimit`). A dry run that passes (the allowance
   * already suffices) gives them as for any call.
   */
  async callAfterApproval(label: string, caller: string, args: unknown[], token: Contract, transfers: number): Promise<PreparedCall> {
    const dry = await this.query(label, caller, ...args);
    if (!dry.err) return this.call(label, caller, args);
    if (!isAllowanceRefusal(dry.err.raw)) throw new Refusal(dry.err.text, dry.err.raw);
    const transfer = await token.query('PSP22::transfer', caller, this.address, 1n, []);
    const { perItem, perByte } = this.depositPrices();
    const gas = batchedActGas(dry.gasRequired, transfer.gasRequired, transfers);
    return { extrinsic: this.extrinsic(label, gas, batchedActDepositLimit(perItem, perByte), args), value: undefined };
  }

  /** Dry-runs and signs `label` (`call`), resolving once in a block with the dry run's value. */
  async tx(label: string, account: Account, args: unknown[], onStatus: (s: TxStatus) => void): Promise<{ value: any; block: string }> {
    onStatus({ step: 'dry-run' });
    const call = await this.call(label, account.address, args);
    onStatus({ step: 'signing' });
    const { block } = await signAndWatch(this.api, call.extrinsic, account, onStatus);
    return { value: call.value, block };
  }
}

/**
 * Signs `extrinsic` as `account` (a dev key, or the browser wallet: one signature request)
 * and submits it; resolves once in a block, rejects with the reason the chain or the
 * wallet gave. The finalized status is reported later through `onStatus`.
 */
export function signAndWatch(
  api: ApiPromise,
  extrinsic: SubmittableExtrinsic<'promise'>,
  account: Account,
  onStatus: (s: TxStatus) => void,
): Promise<{ block: string }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let unsub: (() => void) | undefined;
    const callback = (result: any) => {
      const { status, dispatchError } = result;
      if (dispatchError) {
        let reason = dispatchError.toString();
        if (dispatchError.isModule) {
          const { section, name } = api.registry.findMetaError(dispatchError.asModule);
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
          resolve({ block });
        }
      }
      if (status.isFinalized) {
        const block = status.asFinalized.toHex();
        onStatus({ step: 'finalized', block });
        if (!settled) {
          settled = true;
          resolve({ block });
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
