// The app's state and its loading: the node and the deployment's contracts (set once at
// start, after the deployment checked out), the accounts to act as, and what the
// contracts' views say about the markets and the chosen account. `refresh` re-reads them
// (on every new block and after every action) and then has the tabs render.

import type { ApiPromise } from '@polkadot/api';
import type { Abi } from '@polkadot/api-contract';
import { Contract, type Account, type Manifest } from './chain';
import {
  accountFromView, limitsFromView, marketFromView, priceFromView,
  type AccountSnapshot, type AccountState, type AccountView, type Limits, type LimitsView, type Market,
  type MarketView, type Price, type PriceAnswerView, type PriceDataView,
} from './contract-views';
import { banner } from './dom';
import { explainError, type ErrorContext } from './errors';
import { big, shortAddress } from './format';

/** The zero-key account: views and dry runs work with any caller. */
export const READER = '5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM';

/** The node and the deployment's contracts. */
export interface Chain {
  api: ApiPromise;
  manifest: Manifest;
  /** The node connected to, for display (scheme, host, port). */
  nodeShown: string;
  pool: Contract;
  oracle: Contract;
  governor: Contract | null;
  govToken: Contract | null;
  /** The metadata every market's token is called with. */
  tokenAbi: Abi;
}

/** What the page knows, re-read by `refresh`. */
export interface AppState {
  /** A devnet on this machine: the public dev keys are offered. */
  devMode: boolean;
  /** //Alice, the devnet's test-token minter (dev mode only). */
  alice: Account | null;
  /** The accounts to act as: dev keys and the browser wallet's. */
  accounts: Account[];
  /** The chosen account. */
  current: Account | null;
  markets: Market[];
  /** The chosen account's figures (null until loaded, or without a chosen account). */
  account: AccountState | null;
  headNumber: number;
  chainNowSecs: number;
}

/** The page's state (one object, shared by the tabs). */
export const state: AppState = {
  devMode: false,
  alice: null,
  accounts: [],
  current: null,
  markets: [],
  account: null,
  headNumber: 0,
  chainNowSecs: 0,
};

/**
 * Set once the node runs the manifest's chain and every checked manifest address holds
 * the served metadata's code (deployment.ts); until then nothing is signed.
 */
let verified: Chain | null = null;

/** The node and contracts; throws before the deployment is verified. */
export function chain(): Chain {
  if (!verified) throw new Error('the deployment has not been verified (see the banner)');
  return verified;
}

/** Whether the deployment checked out (`useChain` was called): only then is anything signed. */
export function isVerified(): boolean {
  return verified !== null;
}

/** Takes the verified node and contracts into use. */
export function useChain(c: Chain): void {
  verified = c;
}

/** Explains contract errors with the markets' symbols. */
export const errorContext: ErrorContext = {
  symbol: (address: string) => state.markets.find((m) => m.asset === address)?.symbol ?? shortAddress(address),
};

const tokens = new Map<string, Contract>();

/** The PSP22 contract of a market's asset. */
export function tokenOf(asset: string): Contract {
  let token = tokens.get(asset);
  if (!token) {
    const { api, tokenAbi } = chain();
    token = new Contract(api, tokenAbi, asset, errorContext);
    tokens.set(asset, token);
  }
  return token;
}

/** The listed market of `asset`; throws for an unknown one. */
export function marketOf(asset: string): Market {
  const m = state.markets.find((x) => x.asset === asset);
  if (!m) throw new Error(`unknown market ${asset}`);
  return m;
}

/** A market's price from one `PriceOracle::prices` answer, or why it has none. */
function priceOfAnswer(answer: PriceAnswerView | undefined): { price: Price | null; priceError?: string } {
  if (answer && typeof answer === 'object' && 'ok' in answer) return { price: priceFromView(answer.ok) };
  return { price: null, priceError: explainError('OracleError', (answer as { err?: unknown } | undefined)?.err, errorContext) };
}

/** A market's price read alone (when the batch read failed as a whole), or why it has none. */
async function priceAlone(asset: string): Promise<{ price: Price | null; priceError?: string }> {
  try {
    const p: PriceDataView = await chain().oracle.view('PriceOracle::price', READER, asset);
    return { price: priceFromView(p) };
  } catch (err) {
    return { price: null, priceError: (err as Error).message };
  }
}

async function loadMarkets(): Promise<void> {
  const { pool, oracle } = chain();
  const assets: string[] = await pool.view('markets', READER);
  let prices: PriceAnswerView[] | null = null;
  try {
    prices = await oracle.view('PriceOracle::prices', READER, assets);
  } catch {
    // Read each market's price alone below.
  }
  state.markets = await Promise.all(
    assets.map(async (asset, i) => {
      const token = tokenOf(asset);
      const known = state.markets.find((m) => m.asset === asset);
      const [view, symbol, name] = await Promise.all([
        pool.view('market', READER, asset) as Promise<MarketView>,
        known ? known.symbol : (token.view('PSP22Metadata::token_symbol', READER) as Promise<string | null>),
        known ? known.name : (token.view('PSP22Metadata::token_name', READER) as Promise<string | null>),
      ]);
      const price = prices ? priceOfAnswer(prices[i]) : await priceAlone(asset);
      return marketFromView(view, { symbol: symbol ?? shortAddress(asset), name: name ?? '' }, price);
    }),
  );
}

/** `address`'s positions and valuation from the pool's `account` view. */
export async function loadAccountView(address: string): Promise<AccountSnapshot> {
  const view: AccountView = await chain().pool.view('account', READER, address);
  return accountFromView(address, view);
}

async function loadAccount(): Promise<void> {
  const chosen = state.current;
  if (!chosen) {
    state.account = null;
    return;
  }
  const address = chosen.address;
  const base = await loadAccountView(address);
  const wallet = new Map<string, bigint>();
  const limits = new Map<string, Limits | string>();
  await Promise.all(
    state.markets.map(async (m) => {
      wallet.set(m.asset, big(await tokenOf(m.asset).view('PSP22::balance_of', READER, address)));
      try {
        const l: LimitsView = await chain().pool.view('limits', READER, address, m.asset);
        limits.set(m.asset, limitsFromView(l));
      } catch (err) {
        limits.set(m.asset, (err as Error).message);
      }
    }),
  );
  if (state.current?.address === address) state.account = { ...base, wallet, limits };
}

const renderers: (() => void)[] = [];

/** Has `render` called after every refresh, in the order registered. */
export function onRefresh(render: () => void): void {
  renderers.push(render);
}

/** Re-reads the head, the markets and the chosen account, then renders (body[data-loaded=true]). */
export async function refresh(): Promise<void> {
  try {
    const { api } = chain();
    const [header, now] = await Promise.all([api.rpc.chain.getHeader(), api.query.timestamp.now()]);
    state.headNumber = header.number.toNumber();
    state.chainNowSecs = Math.floor(Number(now.toString()) / 1000);
    await loadMarkets();
    await loadAccount();
    for (const render of renderers) render();
    document.body.dataset.loaded = 'true';
  } catch (err) {
    banner(`Could not read the contracts: ${(err as Error).message}`);
  }
}
