// Setting the devnet up from Node for the browser tests, with the deployment the served
// app uses: its manifest (addresses, node URL) and metadata come from the app's server.
// Messages are named by their metadata label; every transaction is dry-run first and
// refused with the contract's error if it would fail (as e2e/js/carrack.mjs does).

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Abi, ContractPromise } from '@polkadot/api-contract';
import { Keyring } from '@polkadot/keyring';
import { compactStripLength } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

async function fetchJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Connects to the node of the deployment served at `appUrl`. */
export async function devnet(appUrl) {
  const manifest = await fetchJson(new URL('carrack/manifest.json', appUrl));
  const api = await ApiPromise.create({ provider: new WsProvider(manifest.chain.node_url), noInitWarn: true });
  await api.isReady;
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  const abis = new Map();
  const address = (name) => {
    const entry = manifest.contracts[name];
    if (!entry) throw new Error(`the manifest lists no contract ${name} (it has ${Object.keys(manifest.contracts).join(', ')})`);
    return entry.address;
  };
  return {
    api,
    manifest,
    address,
    key: (uri) => keyring.addFromUri(uri),
    /** A handle on the manifest's contract `name` with the metadata of `bundle`. */
    async contract(name, bundle) {
      if (!abis.has(bundle)) abis.set(bundle, new Abi(await fetchJson(new URL(`carrack/metadata/${bundle}.json`, appUrl))));
      return new Contract(api, abis.get(bundle), address(name));
    },
    /** The timestamp of the newest block, in seconds. */
    async chainNowSecs() {
      return Math.floor(Number((await api.query.timestamp.now()).toString()) / 1000);
    },
    /**
     * `signer`'s `utility.batchAll` transactions in blocks `from` to the head (or the
     * block `hash`): each one's block, its calls (`contracts.call` to `dest`) and what its
     * events say: whether the batch completed (`utility.BatchCompleted`) or failed
     * (`system.ExtrinsicFailed`), and which contracts emitted events.
     */
    async batches(signer, { from, hash } = {}) {
      const hashes = hash ? [hash] : [];
      if (!hash) {
        const head = (await api.rpc.chain.getHeader()).number.toNumber();
        for (let n = from; n <= head; n += 1) hashes.push((await api.rpc.chain.getBlockHash(n)).toHex());
      }
      const found = [];
      for (const blockHash of hashes) {
        const { block } = await api.rpc.chain.getBlock(blockHash);
        const events = await (await api.at(blockHash)).query.system.events();
        block.extrinsics.forEach((x, index) => {
          if (!x.isSigned || x.signer.toString() !== signer || x.method.section !== 'utility' || x.method.method !== 'batchAll') return;
          const mine = events.filter((e) => e.phase.isApplyExtrinsic && e.phase.asApplyExtrinsic.eqn(index)).map((e) => e.event);
          found.push({
            block: block.header.number.toNumber(),
            calls: x.method.args[0].map((call) => ({ call: `${call.section}.${call.method}`, dest: call.args[0].toJSON()?.id ?? call.args[0].toString() })),
            completed: mine.some((e) => api.events.utility.BatchCompleted.is(e)),
            failed: mine.some((e) => api.events.system.ExtrinsicFailed.is(e)),
            emitters: [...new Set(mine.filter((e) => api.events.contracts.ContractEmitted.is(e)).map((e) => e.data[0].toString()))],
          });
        });
      }
      return found;
    },
    /** A block with nothing in it but a remark (the dev node seals one per transaction). */
    async block(signer) {
      await submit(api, api.tx.system.remark('0x'), signer, 'system.remark');
    },
    close: () => api.disconnect(),
  };
}

export class Contract {
  constructor(api, abi, address) {
    this.api = api;
    this.abi = abi;
    this.address = address;
    this.inner = new ContractPromise(api, abi, address);
  }

  message(label) {
    const message = this.abi.messages.find((m) => m.identifier === label);
    if (!message) throw new Error(`no message ${label}; the metadata has ${this.abi.messages.map((m) => m.identifier).join(', ')}`);
    return message;
  }

  /**
   * Dry-runs `label` as `caller`: `{ value }`, or `{ err }` when a `Result` message
   * returned `Err` (ink!'s outer LangError result is unwrapped).
   */
  async query(label, caller, ...args) {
    const gasLimit = this.api.registry.createType('WeightV2', { refTime: 1_000_000_000_000n, proofSize: 10_000_000n });
    const { result, output, gasRequired } = await this.inner.query[this.message(label).method](caller, { gasLimit, storageDepositLimit: null }, ...args);
    if (result.isErr) throw new Error(`${label} failed at the chain level: ${result.asErr.toString()}`);
    const json = output?.toJSON();
    if (json && typeof json === 'object' && 'err' in json) throw new Error(`${label}: ink! LangError ${JSON.stringify(json.err)}`);
    const inner = json && typeof json === 'object' && 'ok' in json ? json.ok : json;
    const isResult = /^Result<Result</.test(this.message(label).returnType?.type ?? '');
    if (isResult && inner && typeof inner === 'object') {
      if ('err' in inner) return { err: inner.err, gasRequired };
      return { value: inner.ok, gasRequired };
    }
    return { value: inner, gasRequired };
  }

  /** A view's value; a contract `Err` throws. */
  async view(label, caller, ...args) {
    const r = await this.query(label, caller, ...args);
    if (r.err !== undefined) throw new Error(`${label} returned Err ${JSON.stringify(r.err)}`);
    return r.value;
  }

  /** Dry-runs, then submits with twice the dry run's gas; resolves once in a block. */
  async tx(label, signer, ...args) {
    const dry = await this.query(label, signer.address, ...args);
    if (dry.err !== undefined) throw new Error(`${label} by ${signer.address} would fail: ${JSON.stringify(dry.err)}`);
    const gasLimit = this.api.registry.createType('WeightV2', {
      refTime: dry.gasRequired.refTime.toBn().muln(2).addn(1),
      proofSize: dry.gasRequired.proofSize.toBn().muln(2).addn(1),
    });
    const extrinsic = this.inner.tx[this.message(label).method]({ gasLimit, storageDepositLimit: null }, ...args);
    await submit(this.api, extrinsic, signer, label);
    return dry.value;
  }

  /** A governance action calling `label` on this contract: `{ callee, selector, input, transferredValue }`. */
  action(label, ...args) {
    const [, encoded] = compactStripLength(this.message(label).toU8a(args));
    return { callee: this.address, selector: Array.from(encoded.subarray(0, 4)), input: Array.from(encoded.subarray(4)), transferredValue: 0 };
  }
}

/** Signs and submits; resolves once in a block, rejects with the decoded dispatch error. */
export function submit(api, extrinsic, signer, label) {
  return new Promise((resolve, reject) => {
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
          const e = result.dispatchError;
          const text = e.isModule ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(e.asModule)) : e.toString();
          settle(reject, new Error(`${label} failed on chain: ${text}`));
        } else if (result.status.isInBlock || result.status.isFinalized) {
          settle(resolve, result);
        } else if (result.status.isDropped || result.status.isInvalid || result.status.isUsurped) {
          settle(reject, new Error(`${label}: the transaction was ${result.status.type}`));
        }
      })
      .then((unsub) => {
        unsubscribe = unsub;
        if (settled) unsub();
      })
      .catch((err) => settle(reject, err));
  });
}

/** Whole tokens ("1.5") to units of `decimals`. */
export function units(text, decimals) {
  const [whole, fraction = ''] = String(text).split('.');
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}
