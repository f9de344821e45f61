// The deployment the page serves: its manifest (web/server.mjs serves it) and the check
// that the manifest's addresses hold the code of the served metadata (review D2).

import type { ApiPromise } from '@polkadot/api';
import type { Abi } from '@polkadot/api-contract';
import type { Manifest } from './chain';
import { codeProblemText, codeProblems, type CodeCheck } from './code-check';

/** The deployment manifest as the app's server serves it. */
export async function loadManifest(): Promise<Manifest> {
  const res = await fetch('carrack/manifest.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`The deployment manifest is not served (HTTP ${res.status}): ${await res.text()}`);
  return res.json();
}

/** The address of the manifest's contract `name`; throws when it lists none. */
export function addressOf(manifest: Manifest, name: string): string {
  const entry = manifest.contracts[name];
  if (!entry) throw new Error(`The manifest lists no contract "${name}".`);
  return entry.address;
}

/**
 * The manifest's contracts the app calls with the served metadata, and that metadata's
 * bundle. Pool and oracle must be listed (addressOf), governor and gov_token are checked
 * when listed. The market tokens (`token:*`) are not checked: a market's token is an
 * external PSP22 contract listed by governance, with code of its own (any PSP22), and the
 * app takes the tokens' addresses from the pool's `markets` view, not from the manifest.
 */
const CHECKED_CONTRACTS: [name: string, bundle: string][] = [
  ['pool', 'carrack_pool'],
  ['oracle', 'carrack_oracle'],
  ['governor', 'carrack_governor'],
  ['gov_token', 'carrack_gov_token'],
];

/**
 * Review D2: compares the code hash deployed at each checked manifest address with the
 * served metadata's `source.hash` (`abi.info.source.wasmHash`, zero when the metadata has
 * none, which counts as a problem). A manifest naming another contract (or an account)
 * would otherwise have the user sign calls to it, e.g. `PSP22::approve(it, amount)`.
 * Returns what is wrong, in words, or null.
 */
export async function verifyDeployment(api: ApiPromise, manifest: Manifest, abis: Map<string, Abi>): Promise<string | null> {
  const listed = CHECKED_CONTRACTS.filter(([name]) => name === 'pool' || name === 'oracle' || manifest.contracts[name]);
  const addresses = listed.map(([name]) => addressOf(manifest, name));
  // `Contracts::ContractInfoOf`: `Option<ContractInfo>`, `codeHash` an H256 (not typed here:
  // the app does not load the chain's type augmentation).
  type ContractInfo = { isSome: boolean; unwrap(): { codeHash: { toHex(): string } } };
  const infos = (await Promise.all(addresses.map((address) => api.query.contracts.contractInfoOf(address)))) as unknown as ContractInfo[];
  const checks: CodeCheck[] = listed.map(([name, bundle], i) => ({
    name,
    bundle,
    address: addresses[i],
    expected: abis.get(bundle)?.info.source.wasmHash.toHex(),
    deployed: infos[i].isSome ? infos[i].unwrap().codeHash.toHex() : null,
  }));
  const problems = codeProblems(checks);
  return problems.length ? codeProblemText(problems) : null;
}
