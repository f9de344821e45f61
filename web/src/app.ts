// The Carrack lending app: state loaded from the contracts' own views, rendered into the
// static skeleton of index.html. Figures the contracts compute (balances, health factor,
// borrowing power, limits, rates, utilization) are shown as the views return them; only
// the "after this action" preview is computed here, with carrack-core's formulas
// (value = amount * price / 10^decimals; health = sum(value * liquidation threshold) /
// debt value), from the same view figures and oracle prices.

import type { ApiPromise } from '@polkadot/api';
import type { Abi } from '@polkadot/api-contract';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Contract, Refusal, connect, loadAbi, type Account, type Manifest, type TxStatus } from './chain';
import { codeProblemText, codeProblems, type CodeCheck } from './code-check';
import { FEED_STATUS_TEXT, explainOracleError, type ErrorContext } from './errors';
import { healthBar, rateCurveSvg, type RateModel } from './charts';
import {
  U128_MAX, WAD, big, borrowApy, duration, formatUnits, healthText, parseUnits, pct, pctNumber,
  plainUnits, shortAddress, usd, wadToNumber,
} from './format';
import { historyItems, type KeeperAction } from './history';
import { html, joinHtml, raw, setHtml, type SafeHtml } from './html';
import { chooseNode, isLocalNode, nodeLabel } from './node-url';

// ----------------------------------------------------------------------------- types

interface Market {
  asset: string;
  symbol: string;
  name: string;
  decimals: number;
  token: Contract;
  totalSupply: bigint;
  totalDebt: bigint;
  cash: bigint;
  utilizationWad: bigint;
  borrowRateWad: bigint;
  supplyRateWad: bigint;
  ltvWad: bigint;
  liquidationThresholdWad: bigint;
  liquidationBonusWad: bigint;
  liquidationProtocolFeeWad: bigint;
  reserveFactorWad: bigint;
  rateModel: RateModel;
  supplyCap: bigint;
  borrowCap: bigint;
  minDebt: bigint;
  collateralEnabled: boolean;
  borrowingEnabled: boolean;
  paused: Record<string, boolean>;
  graceUntil: number;
  price: { value: bigint; decimals: number; updatedAt: number; status: string; okSince: number } | null;
  priceError?: string;
}

interface Position {
  asset: string;
  supply: bigint;
  debt: bigint;
  collateral: boolean;
  /** The owner has not chosen yet: its own next supply may switch collateral on. */
  unchosen: boolean;
}

interface AccountState {
  address: string;
  positions: Map<string, Position>;
  collateralValueWad: bigint;
  borrowingPowerWad: bigint;
  liquidationCapacityWad: bigint;
  debtValueWad: bigint;
  healthFactorWad: bigint;
  pricesOk: boolean;
  wallet: Map<string, bigint>;
  limits: Map<string, { maxWithdraw: bigint; maxBorrow: bigint } | string>;
}

type ActionKind = 'supply' | 'withdraw' | 'borrow' | 'repay';

// ----------------------------------------------------------------------------- state

const DEV_ACCOUNTS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];
const PENDING_CHIPS: Record<TxStatus['step'], string> = {
  'dry-run': 'Checking (dry run)…',
  signing: 'Waiting for signature…',
  pending: 'Pending: submitted, waiting for a block…',
  'in-block': 'In block',
  finalized: 'Finalized',
  failed: 'Failed',
};

let api: ApiPromise;
let manifest: Manifest;
/** The node connected to, for display (scheme, host, port). */
let nodeShown = '';
let pool: Contract;
let oracle: Contract;
let governor: Contract | null = null;
let govToken: Contract | null = null;
let tokenAbi: Awaited<ReturnType<typeof loadAbi>>;
let devMode = false;
let alice: Account | null = null;
const accounts: Account[] = [];
let current: Account | null = null;
let markets: Market[] = [];
let account: AccountState | null = null;
let headNumber = 0;
let chainNowSecs = 0;
let busy = false;
/**
 * Set once the node runs the manifest's chain and every checked manifest address holds
 * the served metadata's code (`verifyDeployment`); until then nothing is signed.
 */
let verified = false;
/** Why the app stopped for good (wrong chain, wrong code): the banner keeps saying it. */
let halted: string | null = null;

/** While an action runs (until the page has re-read the chain after it), body[data-busy=true]. */
function setBusy(value: boolean): void {
  busy = value;
  document.body.dataset.busy = String(value);
}

const borrowers = new Set<string>();
const liquidations: { block: number; fields: Record<string, any> }[] = [];
const proposalDescriptions = new Map<number, string>();
let scannedTo = -1;
const READER = '5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM'; // the zero-key account: any caller works for views

const ctx: ErrorContext = {
  symbol: (address: string) => markets.find((m) => m.asset === address)?.symbol ?? shortAddress(address),
};

const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`missing element ${sel}`);
  return el;
};

function marketOf(asset: string): Market {
  const m = markets.find((x) => x.asset === asset);
  if (!m) throw new Error(`unknown market ${asset}`);
  return m;
}

function priceWad(m: Market): bigint {
  if (!m.price) return 0n;
  const d = m.price.decimals;
  return d <= 18 ? m.price.value * 10n ** BigInt(18 - d) : m.price.value / 10n ** BigInt(d - 18);
}

function valueWad(m: Market, amount: bigint): bigint {
  return (amount * priceWad(m)) / 10n ** BigInt(m.decimals);
}

function banner(text: string, kind: 'error' | 'info' | 'warn' = 'error') {
  const el = $('#banner');
  // A halt is not replaced by later news (a reconnection, a wallet that did not answer).
  if (halted !== null) {
    text = halted;
    kind = 'error';
  }
  el.className = `banner ${kind}`;
  el.textContent = text;
  el.hidden = !text;
}

/** Stops the app for good with `text` in the banner: no accounts, nothing signed (body[data-halted]). */
function halt(reason: 'genesis-mismatch' | 'code-mismatch', text: string): void {
  halted = text;
  verified = false;
  document.body.dataset.halted = reason;
  banner(text);
}

// ------------------------------------------------------------------------- loading

async function loadManifest(): Promise<Manifest> {
  const res = await fetch('carrack/manifest.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`The deployment manifest is not served (HTTP ${res.status}): ${await res.text()}`);
  return res.json();
}

function addressOf(name: string): string {
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
 */
async function verifyDeployment(abis: Map<string, Abi>): Promise<string | null> {
  const listed = CHECKED_CONTRACTS.filter(([name]) => name === 'pool' || name === 'oracle' || manifest.contracts[name]);
  const addresses = listed.map(([name]) => addressOf(name));
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

async function loadMarkets(): Promise<void> {
  const assets: string[] = await pool.view('markets', READER);
  const next: Market[] = [];
  let prices: any[] | null = null;
  let pricesError: string | undefined;
  try {
    prices = await oracle.view('PriceOracle::prices', READER, assets);
  } catch (err) {
    pricesError = (err as Error).message;
  }
  await Promise.all(
    assets.map(async (asset, i) => {
      const token = markets.find((m) => m.asset === asset)?.token ?? new Contract(api, tokenAbi, asset, ctx);
      const known = markets.find((m) => m.asset === asset);
      const [view, symbol, name] = await Promise.all([
        pool.view('market', READER, asset),
        known ? known.symbol : token.view('PSP22Metadata::token_symbol', READER),
        known ? known.name : token.view('PSP22Metadata::token_name', READER),
      ]);
      const config = view.market.params.config;
      let price: Market['price'] = null;
      let priceError = pricesError;
      if (prices) {
        // One answer per asset: its price, or why it has none.
        const entry = prices[i];
        if (entry && typeof entry === 'object' && 'ok' in entry) {
          const p = entry.ok;
          price = { value: big(p.value), decimals: Number(p.decimals), updatedAt: Number(p.updatedAtSecs), status: String(p.status), okSince: Number(p.okSinceSecs) };
        } else {
          priceError = explainOracleError(entry?.err);
        }
      } else {
        // The batch read failed as a whole: read this market's alone.
        try {
          const p = await oracle.view('PriceOracle::price', READER, asset);
          price = { value: big(p.value), decimals: Number(p.decimals), updatedAt: Number(p.updatedAtSecs), status: String(p.status), okSince: Number(p.okSinceSecs) };
          priceError = undefined;
        } catch (err) {
          priceError = (err as Error).message;
        }
      }
      next[i] = {
        asset,
        symbol: symbol ?? shortAddress(asset),
        name: name ?? '',
        decimals: Number(config.decimals),
        token,
        totalSupply: big(view.totalSupply),
        totalDebt: big(view.totalDebt),
        cash: big(view.market.state.cash),
        utilizationWad: big(view.utilizationWad),
        borrowRateWad: big(view.borrowRateWad),
        supplyRateWad: big(view.supplyRateWad),
        ltvWad: big(config.ltvWad),
        liquidationThresholdWad: big(config.liquidationThresholdWad),
        liquidationBonusWad: big(config.liquidationBonusWad),
        liquidationProtocolFeeWad: big(config.liquidationProtocolFeeWad),
        reserveFactorWad: big(config.reserveFactorWad),
        rateModel: {
          baseRateWad: big(config.rateModel.baseRateWad),
          slopeLowWad: big(config.rateModel.slopeLowWad),
          slopeHighWad: big(config.rateModel.slopeHighWad),
          optimalUtilizationWad: big(config.rateModel.optimalUtilizationWad),
        },
        supplyCap: big(config.supplyCap),
        borrowCap: big(config.borrowCap),
        minDebt: big(config.minDebt),
        collateralEnabled: Boolean(view.market.params.collateralEnabled),
        borrowingEnabled: Boolean(view.market.params.borrowingEnabled),
        paused: view.market.paused,
        graceUntil: Number(view.market.liquidationGraceUntilSecs),
        price,
        priceError,
      };
    }),
  );
  markets = next;
}

async function loadAccountView(address: string): Promise<Omit<AccountState, 'wallet' | 'limits'>> {
  const view = await pool.view('account', READER, address);
  const positions = new Map<string, Position>();
  for (const p of view.positions) {
    const flag = String(p.position.collateral);
    positions.set(p.position.asset, { asset: p.position.asset, supply: big(p.supply), debt: big(p.debt), collateral: flag === 'On', unchosen: flag === 'Unchosen' });
  }
  return {
    address,
    positions,
    collateralValueWad: big(view.collateralValueWad),
    borrowingPowerWad: big(view.borrowingPowerWad),
    liquidationCapacityWad: big(view.liquidationCapacityWad),
    debtValueWad: big(view.debtValueWad),
    healthFactorWad: big(view.healthFactorWad),
    pricesOk: Boolean(view.pricesOk),
  };
}

async function loadAccount(): Promise<void> {
  if (!current) {
    account = null;
    return;
  }
  const address = current.address;
  const base = await loadAccountView(address);
  const wallet = new Map<string, bigint>();
  const limits = new Map<string, { maxWithdraw: bigint; maxBorrow: bigint } | string>();
  await Promise.all(
    markets.map(async (m) => {
      wallet.set(m.asset, big(await m.token.view('PSP22::balance_of', READER, address)));
      try {
        const l = await pool.view('limits', READER, address, m.asset);
        limits.set(m.asset, { maxWithdraw: big(l.maxWithdraw), maxBorrow: big(l.maxBorrow) });
      } catch (err) {
        limits.set(m.asset, (err as Error).message);
      }
    }),
  );
  if (current?.address === address) account = { ...base, wallet, limits };
}

// Each refresh renders anew; a slower, older render must not overwrite a newer one.
let historyRenderSeq = 0;

/**
 * The chosen account's last 20 actions, from the keeper's index (web/server.mjs --keeper),
 * which indexes finalized blocks: the newest actions appear a few blocks after they land.
 * Without a keeper the page says where a history comes from instead of scanning blocks.
 */
async function renderAccountHistory(): Promise<void> {
  const seq = ++historyRenderSeq;
  const list = $('#account-history');
  const note = $('#account-history-note');
  if (!current) {
    setHtml(list, raw(''));
    setHtml(note, raw(''));
    return;
  }
  const address = current.address;
  try {
    const actions = await keeperGet<KeeperAction[]>(`/api/accounts/${address}/history?limit=20`);
    const status = actions ? await keeperGet<{ last_indexed_block: number | null }>('/api/status') : null;
    if (seq !== historyRenderSeq) return;
    if (actions === null) {
      setHtml(note, raw('An account\'s history comes from the keeper\'s index; this page\'s server runs without one (web/server.mjs --keeper).'));
      setHtml(list, raw(''));
      return;
    }
    const lookup = (asset: string) => markets.find((m) => m.asset === asset);
    setHtml(note, html`The last ${actions.length} action(s) of ${shortAddress(address)} in the keeper's index (to block #${status?.last_indexed_block ?? '?'}).`);
    setHtml(list, actions.length ? html`${historyItems(actions, lookup)}` : raw('<li class="muted">None yet.</li>'));
  } catch (err) {
    if (seq !== historyRenderSeq) return;
    setHtml(note, html`No history: ${(err as Error).message}`);
    setHtml(list, raw(''));
  }
}

async function refresh(): Promise<void> {
  try {
    const [header, now] = await Promise.all([api.rpc.chain.getHeader(), api.query.timestamp.now()]);
    headNumber = header.number.toNumber();
    chainNowSecs = Math.floor(Number(now.toString()) / 1000);
    await loadMarkets();
    await loadAccount();
    renderHeader();
    renderMarkets();
    renderAccount();
    void updatePreview();
    void renderAccountHistory();
    void renderLiquidations();
    void renderGovernance();
    document.body.dataset.loaded = 'true';
  } catch (err) {
    banner(`Could not read the contracts: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------- event indexing

let scanQueue: Promise<void> = Promise.resolve();

/**
 * Indexes the events up to the current head. Calls queue up, so whoever awaits it (the
 * liquidations and governance views both do, concurrently) sees every event to the head.
 */
function scanEvents(): Promise<void> {
  scanQueue = scanQueue.then(scanNewBlocks, scanNewBlocks);
  return scanQueue;
}

async function scanNewBlocks(): Promise<void> {
  const head = headNumber;
  const start = Math.max(scannedTo + 1, manifest.chain.start_block ?? 0, head - 10_000);
  if (start > head) return;
  for (let from = start; from <= head; from += 16) {
    const numbers = Array.from({ length: Math.min(16, head - from + 1) }, (_, i) => from + i);
    await Promise.all(
      numbers.map(async (n) => {
        const hash = await api.rpc.chain.getBlockHash(n);
        const at = await api.at(hash);
        const records = (await at.query.system.events()) as any;
        for (const record of records) {
          if (!api.events.contracts.ContractEmitted.is(record.event)) continue;
          const emitter = record.event.data[0].toString();
          const abi = emitter === pool.address ? pool.abi : governor && emitter === governor.address ? governor.abi : null;
          if (!abi) continue;
          try {
            const decoded = abi.decodeEvent(record);
            const name = decoded.event.identifier.split('::').pop();
            const fields: Record<string, any> = {};
            decoded.event.args.forEach((arg, i) => {
              fields[arg.name] = decoded.args[i].toJSON();
            });
            if (name === 'Borrowed') borrowers.add(fields.account);
            if (name === 'Liquidated') liquidations.push({ block: n, fields });
            if (name === 'ProposalCreated') proposalDescriptions.set(Number(fields.proposalId), String(fields.description));
          } catch {
            // An event of another version of the contract: not ours to show.
          }
        }
      }),
    );
  }
  scannedTo = head;
}

// ------------------------------------------------------------------------ header

function renderHeader(): void {
  setHtml($('#chain-info'), html`<span class="dot ${api.isConnected ? 'on' : 'off'}"></span>
    ${manifest.config.kind} · <span data-testid="node">${nodeShown}</span> · block <b data-testid="block">#${headNumber}</b> · chain time ${new Date(chainNowSecs * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC`);
}

function renderAccountPicker(): void {
  const select = $<HTMLSelectElement>('#account-select');
  const dev = accounts.filter((a) => a.kind === 'dev');
  const ext = accounts.filter((a) => a.kind === 'extension');
  const option = (a: Account) => html`<option value="${a.address}" ${current?.address === a.address ? 'selected' : ''}>${a.name} · ${shortAddress(a.address)}</option>`;
  setHtml(select, html`<option value="">Choose an account…</option>
    ${dev.length ? html`<optgroup label="Development accounts (devnet keys, public)">${dev.map(option)}</optgroup>` : ''}
    ${ext.length ? html`<optgroup label="Browser wallet">${ext.map(option)}</optgroup>` : ''}`);
  $('#faucet').hidden = !(devMode && current);
}

async function connectWallet(): Promise<void> {
  if (!verified) {
    banner('The app connects a wallet once it has checked the deployment (see above, or wait until it has loaded).', 'warn');
    return;
  }
  try {
    const { web3Enable, web3Accounts, web3FromSource } = await import('@polkadot/extension-dapp');
    const extensions = await web3Enable('Carrack');
    if (extensions.length === 0) {
      banner('No browser wallet answered. Install Polkadot.js extension, Talisman or SubWallet and allow this site, then try again.', 'warn');
      return;
    }
    const found = await web3Accounts({ genesisHash: manifest.chain.genesis_hash });
    const all = found.length ? found : await web3Accounts();
    for (const a of all) {
      if (accounts.some((x) => x.address === a.address)) continue;
      const injector = await web3FromSource(a.meta.source);
      accounts.push({ kind: 'extension', name: `${a.meta.name ?? 'account'} (${a.meta.source})`, address: a.address, signer: injector.signer, source: a.meta.source });
    }
    if (all.length === 0) banner('The wallet shares no accounts with this site.', 'warn');
    renderAccountPicker();
  } catch (err) {
    banner(`Connecting the wallet failed: ${(err as Error).message}`);
  }
}

// ------------------------------------------------------------------------ markets

function statusChip(m: Market): SafeHtml {
  if (!m.price) return html`<span class="chip bad" data-testid="oracle-status">No price</span> <small>${m.priceError ?? ''}</small>`;
  const s = m.price.status;
  const cls = s === 'Ok' ? 'ok' : s === 'Emergency' || s === 'Suspect' ? 'warn' : 'bad';
  const age = chainNowSecs - m.price.updatedAt;
  return html`<span class="chip ${cls}" data-testid="oracle-status" title="${FEED_STATUS_TEXT[s] ?? s}">${s}</span>
    <small>${FEED_STATUS_TEXT[s] ?? s}; updated ${duration(age)} ago</small>`;
}

function pausedText(m: Market): SafeHtml | '' {
  const paused = Object.entries(m.paused).filter(([, v]) => v).map(([k]) => k);
  const notes: string[] = [];
  if (paused.length) notes.push(`paused: ${paused.join(', ')}`);
  if (!m.borrowingEnabled) notes.push('borrowing disabled');
  if (!m.collateralEnabled) notes.push('not collateral');
  if (m.graceUntil > chainNowSecs) notes.push(`liquidation grace for ${duration(m.graceUntil - chainNowSecs)}`);
  return notes.length ? html`<div class="note warn">${notes.join(' · ')}</div>` : '';
}

function renderMarkets(): void {
  const rows = markets
    .map((m) => {
      const p = m.price ? formatUnits(m.price.value, m.price.decimals, 4) : '—';
      const capUse = m.supplyCap ? Number((m.totalSupply * 10_000n) / m.supplyCap) / 100 : 0;
      const borrowCapUse = m.borrowCap ? Number((m.totalDebt * 10_000n) / m.borrowCap) / 100 : 0;
      return html`<tr data-testid="market-row" data-symbol="${m.symbol}">
        <td><b>${m.symbol}</b><br><small>${m.name}</small>${pausedText(m)}</td>
        <td class="num">$${p}</td>
        <td>${statusChip(m)}</td>
        <td class="num">${formatUnits(m.totalSupply, m.decimals, 2)}<br><small>${usd(valueWad(m, m.totalSupply))}</small></td>
        <td class="num">${formatUnits(m.totalDebt, m.decimals, 2)}<br><small>${usd(valueWad(m, m.totalDebt))}</small></td>
        <td class="num" data-testid="utilization">${pct(m.utilizationWad)}</td>
        <td class="num" data-testid="supply-apr">${pct(m.supplyRateWad)}</td>
        <td class="num" data-testid="borrow-apy">${pctNumber(borrowApy(m.borrowRateWad))}<br><small>APR ${pct(m.borrowRateWad)}</small></td>
        <td class="num">${formatUnits(m.supplyCap, m.decimals, 0)} <small>(${capUse.toFixed(2)} % used)</small><br>${formatUnits(m.borrowCap, m.decimals, 0)} <small>(${borrowCapUse.toFixed(2)} % used)</small></td>
        <td class="num">${pct(m.ltvWad, 1)} / ${pct(m.liquidationThresholdWad, 1)}<br><small>bonus ${pct(m.liquidationBonusWad - WAD, 1)}</small></td>
      </tr>`;
    });
  setHtml($('#markets-table tbody'), rows.length ? html`${rows}` : raw('<tr><td colspan="10">No markets are listed.</td></tr>'));
  setHtml($('#curves'), html`${markets.map(
      (m) => html`<figure class="card">
        <figcaption><b>${m.symbol}</b> rate curve · now ${pct(m.utilizationWad)} utilized:
          <span class="borrow-key">borrow ${pct(m.borrowRateWad)}</span>, <span class="supply-key">supply ${pct(m.supplyRateWad)}</span></figcaption>
        ${rateCurveSvg(m.rateModel, m.reserveFactorWad, m.utilizationWad, m.symbol)}
      </figure>`,
    )}`);
}

// ------------------------------------------------------------------------ account

function renderAccount(): void {
  const summary = $('#account-summary');
  const table = $('#positions tbody');
  if (!current || !account) {
    setHtml(summary, raw('<p class="muted">Choose an account (top right) to see positions and act.</p>'));
    setHtml(table, raw(''));
    return;
  }
  const a = account;
  const used = a.borrowingPowerWad ? Number((a.debtValueWad * 10_000n) / a.borrowingPowerWad) / 100 : 0;
  setHtml(summary, html`
    <div class="stat"><label>Collateral value</label><b data-testid="collateral-value">${usd(a.collateralValueWad)}</b></div>
    <div class="stat"><label>Borrowing power</label><b data-testid="borrowing-power">${usd(a.borrowingPowerWad)}</b><small>${used.toFixed(2)} % used</small></div>
    <div class="stat"><label>Debt value</label><b data-testid="debt-value">${usd(a.debtValueWad)}</b></div>
    <div class="stat wide"><label>Health factor</label><b data-testid="health-factor">${healthText(a.healthFactorWad)}</b>
      ${healthBar(a.healthFactorWad, 'health-bar')}<small>Below 1.00 the account can be liquidated.</small></div>
    ${a.pricesOk ? '' : raw('<div class="note bad" data-testid="prices-not-ok">Some prices this account depends on are not fresh: borrowing and withdrawing collateral are refused until the oracle updates, and liquidations cannot repay or seize those assets. Figures value the account as a liquidation does: collateral without an Ok (or Emergency) price counts as zero, debts at their last good prices.</div>')}`);
  setHtml(table, html`${markets
    .map((m) => {
      const p = a.positions.get(m.asset);
      const l = a.limits.get(m.asset);
      const limits = typeof l === 'string' ? html`<small class="bad">${l}</small>` : l ? `${formatUnits(l.maxWithdraw, m.decimals)} / ${formatUnits(l.maxBorrow, m.decimals)}` : '—';
      const canToggle = p && p.supply > 0n;
      return html`<tr data-testid="position-row" data-symbol="${m.symbol}">
        <td><b>${m.symbol}</b></td>
        <td class="num" data-testid="wallet">${formatUnits(a.wallet.get(m.asset) ?? 0n, m.decimals)}</td>
        <td class="num" data-testid="supplied">${formatUnits(p?.supply ?? 0n, m.decimals)}</td>
        <td class="num" data-testid="borrowed">${formatUnits(p?.debt ?? 0n, m.decimals)}</td>
        <td><label class="switch"><input type="checkbox" data-collateral="${m.asset}" ${p?.collateral ? 'checked' : ''} ${canToggle ? '' : 'disabled'}> ${p?.collateral ? 'collateral' : 'not collateral'}</label></td>
        <td class="num">${limits}</td>
        <td class="actions">${(['supply', 'withdraw', 'borrow', 'repay'] as const).map((k) => html`<button class="small" data-act="${k}" data-asset="${m.asset}">${k}</button>`)}</td>
      </tr>`;
    })}`);
}

/** The health factor after adding the deltas (WAD values) to the account's view figures. */
function healthAfter(a: AccountState, deltaCapacity: bigint, deltaPower: bigint, deltaDebt: bigint) {
  const capacity = a.liquidationCapacityWad + deltaCapacity;
  const power = a.borrowingPowerWad + deltaPower;
  const debt = a.debtValueWad + deltaDebt;
  const hf = debt <= 0n ? U128_MAX : ((capacity < 0n ? 0n : capacity) * WAD) / debt;
  return { hf, power: power < 0n ? 0n : power, debt: debt < 0n ? 0n : debt };
}

interface Plan {
  kind: ActionKind;
  market: Market;
  /** What the message is called with (u128::MAX for Max where the contract takes it). */
  argAmount: bigint;
  /** The amount the preview and the approval use. */
  amount: bigint;
  approve: bigint; // allowance needed, 0 when none
}

let maxMode = false;

function planFromForm(): Plan {
  if (!account) throw new Error('Choose an account first.');
  const kind = $<HTMLSelectElement>('#action-kind').value as ActionKind;
  const market = marketOf($<HTMLSelectElement>('#action-market').value);
  const p = account.positions.get(market.asset);
  const l = account.limits.get(market.asset);
  const wallet = account.wallet.get(market.asset) ?? 0n;
  let amount: bigint;
  let argAmount: bigint;
  if (maxMode) {
    if (kind === 'withdraw') {
      if (typeof l === 'string') throw new Error(l);
      const all = p?.supply ?? 0n;
      if (all === 0n) throw new Error(`You have no ${market.symbol} supplied.`);
      amount = l ? l.maxWithdraw : 0n;
      // Everything (u128::MAX) when nothing holds it back, so interest to the block counts.
      argAmount = amount >= all ? U128_MAX : amount;
      if (amount === 0n) throw new Error(`Nothing of your ${market.symbol} supply can be withdrawn now (it backs your debt, or the market has no cash).`);
    } else if (kind === 'repay') {
      amount = p?.debt ?? 0n;
      if (amount === 0n) throw new Error(`You owe no ${market.symbol}.`);
      argAmount = U128_MAX;
    } else if (kind === 'borrow') {
      if (typeof l === 'string') throw new Error(l);
      amount = l ? l.maxBorrow : 0n;
      argAmount = amount;
      if (amount === 0n) throw new Error(`You cannot borrow any ${market.symbol} now.`);
    } else {
      amount = wallet;
      argAmount = amount;
      if (amount === 0n) throw new Error(`Your wallet holds no ${market.symbol}.`);
    }
  } else {
    amount = parseUnits($<HTMLInputElement>('#action-amount').value, market.decimals, market.symbol);
    argAmount = amount;
  }
  let approve = 0n;
  if (kind === 'supply') approve = amount;
  if (kind === 'repay') {
    // Max repays the debt at inclusion: allow a little interest on top, within the wallet.
    approve = argAmount === U128_MAX ? amount + amount / 1000n + 1n : amount;
    if (approve > wallet && wallet >= amount) approve = wallet;
  }
  return { kind, market, argAmount, amount, approve };
}

function previewOf(plan: Plan) {
  const a = account!;
  const m = plan.market;
  const p = a.positions.get(m.asset);
  const v = valueWad(m, plan.amount);
  const ltv = m.collateralEnabled ? m.ltvWad : 0n;
  const counts = p ? p.collateral && p.supply > 0n : false;
  // The account's own supply switches collateral on for a position whose flag it has not
  // chosen yet, when the market takes collateral and its price is Ok; the whole supply
  // then counts. A flag switched on or off by the account stays as it is.
  const takes = m.collateralEnabled && m.ltvWad !== 0n && !m.paused?.collateral && m.price?.status === 'Ok';
  const becomes = (!p || p.unchosen) && takes;
  const added = becomes && p ? v + valueWad(m, p.supply) : v;
  switch (plan.kind) {
    case 'supply':
      return (counts || becomes) ? healthAfter(a, (added * m.liquidationThresholdWad) / WAD, (added * ltv) / WAD, 0n) : healthAfter(a, 0n, 0n, 0n);
    case 'withdraw':
      return counts ? healthAfter(a, -(v * m.liquidationThresholdWad) / WAD, -(v * ltv) / WAD, 0n) : healthAfter(a, 0n, 0n, 0n);
    case 'borrow':
      return healthAfter(a, 0n, 0n, v);
    case 'repay':
      return healthAfter(a, 0n, 0n, plan.argAmount === U128_MAX ? -a.debtValueWad : -v);
  }
}

function describeCall(plan: Plan): unknown[] {
  const me = current!.address;
  switch (plan.kind) {
    case 'supply':
      return [plan.market.asset, plan.argAmount, me];
    case 'withdraw':
      return [plan.market.asset, plan.argAmount, me];
    case 'borrow':
      return [plan.market.asset, plan.argAmount];
    case 'repay':
      return [plan.market.asset, plan.argAmount, me];
  }
}

/** Whether a PoolError is the token's refusal (`Token(..)`), e.g. for lack of allowance. */
function isTokenRefusal(raw: unknown): boolean {
  return Boolean(raw && typeof raw === 'object' && Object.keys(raw).some((k) => k.toLowerCase() === 'token'));
}

function isAllowanceRefusal(raw: unknown): boolean {
  return isTokenRefusal(raw) && /insufficientallowance/i.test(JSON.stringify(raw));
}

let previewSeq = 0;

/** Shows the health factor after the action and the contract's verdict from a dry run. */
async function updatePreview(): Promise<void> {
  const seq = ++previewSeq;
  const out = $('#preview');
  // For tests and assistive tech: which inputs the verdict shown belongs to.
  const formKey = () =>
    `${$<HTMLSelectElement>('#action-kind').value}:${markets.find((x) => x.asset === $<HTMLSelectElement>('#action-market').value)?.symbol ?? ''}:${maxMode ? 'max' : $<HTMLInputElement>('#action-amount').value.trim()}`;
  out.dataset.state = 'checking';
  const submit = $<HTMLButtonElement>('#action-submit');
  const info = $('#action-info');
  submit.disabled = true;
  if (!current || !account || markets.length === 0) {
    setHtml(out, raw(''));
    setHtml(info, raw(''));
    return;
  }
  const m = marketOf($<HTMLSelectElement>('#action-market').value || markets[0].asset);
  const p = account.positions.get(m.asset);
  const l = account.limits.get(m.asset);
  setHtml(info, html`Wallet ${formatUnits(account.wallet.get(m.asset) ?? 0n, m.decimals)} ${m.symbol} · supplied ${formatUnits(p?.supply ?? 0n, m.decimals)} · owed ${formatUnits(p?.debt ?? 0n, m.decimals)}
    ${l && typeof l !== 'string' ? ` · max withdraw ${formatUnits(l.maxWithdraw, m.decimals)} · max borrow ${formatUnits(l.maxBorrow, m.decimals)}` : ''}`);
  let plan: Plan;
  try {
    plan = planFromForm();
  } catch (err) {
    setHtml(out, html`<div class="note muted" data-testid="preview-note">${(err as Error).message}</div>`);
    out.dataset.for = formKey();
    out.dataset.state = 'done';
    return;
  }
  const key = formKey();
  if (maxMode) $<HTMLInputElement>('#action-amount').value = plainUnits(plan.amount, m.decimals);
  const after = previewOf(plan);
  const before = account.healthFactorWad;
  const verdict = raw('<div class="note muted" data-testid="verdict">Checking with a dry run…</div>');
  const hfLine = html`<div class="preview-hf">Health factor <b data-testid="hf-now">${healthText(before)}</b> → <b data-testid="hf-after">${healthText(after.hf)}</b>
      ${healthBar(after.hf, 'hf-after-bar')}
      <small>Debt ${usd(account.debtValueWad)} → ${usd(after.debt)} · borrowing power ${usd(account.borrowingPowerWad)} → ${usd(after.power)}</small></div>`;
  setHtml(out, html`${hfLine}${verdict}`);
  // Client-side checks the contract would also make, with the exact figures.
  const wallet = account.wallet.get(m.asset) ?? 0n;
  let refusal: string | null = null;
  if ((plan.kind === 'supply' || plan.kind === 'repay') && wallet < plan.amount) {
    refusal = `Your wallet holds ${formatUnits(wallet, m.decimals)} ${m.symbol}, less than ${formatUnits(plan.amount, m.decimals)}.`;
  }
  let needsApproval = false;
  if (!refusal) {
    try {
      const r = await pool.query(plan.kind, current.address, ...describeCall(plan));
      if (r.err) {
        if (isAllowanceRefusal(r.err.raw) && plan.approve > 0n) needsApproval = true;
        else refusal = r.err.text;
      }
    } catch (err) {
      refusal = (err as Error).message;
    }
  }
  if (seq !== previewSeq) return;
  if (!refusal && plan.approve > 0n && !needsApproval) {
    const allowance = big(await m.token.view('PSP22::allowance', READER, current.address, pool.address));
    needsApproval = allowance < plan.approve;
  }
  if (seq !== previewSeq) return;
  const steps = needsApproval
    ? html`<div class="note info" data-testid="approval-needed">Two transactions: 1. approve the pool to take ${formatUnits(plan.approve, m.decimals, m.decimals)} ${m.symbol}, 2. ${plan.kind}.</div>`
    : '';
  setHtml(
    out,
    html`${hfLine}${refusal
      ? html`<div class="note bad" data-testid="refusal">The pool would refuse this: ${refusal}</div>`
      : html`<div class="note ok" data-testid="verdict">Dry run passed: the pool accepts this ${plan.kind}${needsApproval ? ' once approved' : ''}.</div>${steps}`}`,
  );
  submit.disabled = Boolean(refusal) || busy;
  submit.dataset.approve = needsApproval ? 'true' : '';
  out.dataset.for = key;
  out.dataset.state = 'done';
}

function statusList(): HTMLElement {
  return $('#tx-status');
}

function addStatusRow(label: string): (s: TxStatus) => void {
  const row = document.createElement('li');
  row.dataset.testid = 'tx-step';
  setHtml(row, html`<span class="tx-label">${label}</span> <span class="chip" data-testid="tx-state">Queued</span> <small></small>`);
  statusList().prepend(row);
  const chip = row.querySelector('.chip') as HTMLElement;
  const small = row.querySelector('small') as HTMLElement;
  return (s) => {
    chip.textContent = PENDING_CHIPS[s.step];
    chip.className = `chip ${s.step === 'failed' ? 'bad' : s.step === 'finalized' || s.step === 'in-block' ? 'ok' : 'warn'}`;
    row.dataset.state = s.step;
    if (s.step === 'in-block' || s.step === 'finalized') {
      void api.rpc.chain.getHeader(s.block).then((h) => {
        small.textContent = `#${h.number.toNumber()} (${s.block.slice(0, 10)}…)`;
      });
    }
    if (s.step === 'failed') small.textContent = s.reason;
  };
}

async function runTx(label: string, contract: Contract, message: string, args: unknown[], signer: Account = current!): Promise<any> {
  // Every signature goes through here: none before the deployment is verified.
  if (!verified) throw new Refusal('the deployment has not been verified (see the banner): nothing is signed', null);
  const report = addStatusRow(label);
  try {
    const { value } = await contract.tx(message, signer, args, report);
    return value;
  } catch (err) {
    report({ step: 'failed', reason: (err as Error).message });
    throw err;
  }
}

async function submitAction(): Promise<void> {
  if (!current || busy) return;
  let plan: Plan;
  try {
    plan = planFromForm();
  } catch (err) {
    banner((err as Error).message, 'warn');
    return;
  }
  setBusy(true);
  $<HTMLButtonElement>('#action-submit').disabled = true;
  const m = plan.market;
  try {
    if (plan.approve > 0n) {
      const allowance = big(await m.token.view('PSP22::allowance', READER, current.address, pool.address));
      if (allowance < plan.approve) {
        await runTx(`Approve ${formatUnits(plan.approve, m.decimals, m.decimals)} ${m.symbol}`, m.token, 'PSP22::approve', [pool.address, plan.approve]);
      }
    }
    const amountText = plan.argAmount === U128_MAX ? `max (${formatUnits(plan.amount, m.decimals)})` : formatUnits(plan.amount, m.decimals);
    await runTx(`${plan.kind[0].toUpperCase()}${plan.kind.slice(1)} ${amountText} ${m.symbol}`, pool, plan.kind, describeCall(plan));
    banner('');
    $<HTMLInputElement>('#action-amount').value = '';
    maxMode = false;
  } catch (err) {
    banner(err instanceof Refusal ? `Not submitted: ${err.message}` : `Failed: ${(err as Error).message}`);
  } finally {
    await refresh();
    setBusy(false);
    void updatePreview();
  }
}

async function toggleCollateral(asset: string, enable: boolean): Promise<void> {
  if (!current) return;
  const m = marketOf(asset);
  setBusy(true);
  try {
    await runTx(`${enable ? 'Enable' : 'Disable'} ${m.symbol} as collateral`, pool, enable ? 'enable_collateral' : 'disable_collateral', [asset]);
  } catch (err) {
    banner(`Collateral not changed: ${(err as Error).message}`);
  }
  await refresh();
  setBusy(false);
}

async function faucet(): Promise<void> {
  if (!current || !alice) return;
  const button = $<HTMLButtonElement>('#faucet');
  button.disabled = true;
  setBusy(true);
  try {
    for (const m of markets) {
      if (!m.price) continue;
      // About $25,000 of each test token, rounded to two significant digits.
      const whole = Number((25_000 / (Number(m.price.value) / 10 ** m.price.decimals)).toPrecision(2));
      const amount = parseUnits(whole.toFixed(Math.min(m.decimals, 8)), m.decimals, m.symbol);
      await runTx(`Mint ${formatUnits(amount, m.decimals)} test ${m.symbol} (signed by //Alice, the devnet minter)`, m.token, 'PSP22Mintable::mint', [current.address, amount], alice);
    }
  } catch (err) {
    banner(`Test tokens not minted: ${(err as Error).message}`);
  } finally {
    button.disabled = false;
    await refresh();
    setBusy(false);
    void updatePreview();
  }
}

// --------------------------------------------------------------------- liquidations

interface LiquidationCandidate {
  address: string;
  view: Omit<AccountState, 'wallet' | 'limits'>;
}

let candidates: LiquidationCandidate[] = [];
// Each refresh renders anew; a slower, older render must not overwrite a newer one.
let liqRenderSeq = 0;

/** A borrower as the keeper's index values it (web/server.mjs --keeper). */
interface KeeperStanding {
  account: string;
  health_factor_wad: string;
}

/** A liquidation as the keeper's index records it. */
interface KeeperLiquidation {
  block: number;
  borrower: string;
  liquidator: string;
  debt_asset: string;
  collateral_asset: string;
  repaid: string;
  collateral_seized: string;
}

/**
 * `path` of the keeper's API through the app's server: null when the server has no keeper
 * (it answers `null`); throws when it has one that fails, so the page says so.
 */
async function keeperGet<T>(path: string): Promise<T | null> {
  const response = await fetch(`/carrack/keeper${path}`);
  if (!response.ok) throw new Error(`the keeper's index: ${(await response.text()).trim()}`);
  return (await response.json()) as T | null;
}

/** One liquidation for the history list, from the keeper's index or the page's own scan. */
interface LiquidationEntry {
  block: number;
  borrower: string;
  liquidator: string;
  debtAsset: string;
  collateralAsset: string;
  repaid: bigint;
  collateralSeized: bigint;
}

/**
 * The borrowers to look at and the latest liquidations: from the keeper's index when the
 * server has one (borrowers below 1.10, as the keeper values them at its last pass; every
 * one is re-read on chain below), else from the page's own scan of the last 10,000 blocks.
 */
async function liquidationSources(): Promise<{ addresses: string[]; recent: LiquidationEntry[]; summary: string; behind: boolean }> {
  let keeperNote = '';
  try {
    const standings = await keeperGet<KeeperStanding[]>('/api/at-risk');
    if (standings) {
      const status = await keeperGet<{ last_indexed_block: number | null }>('/api/status');
      const rows = (await keeperGet<KeeperLiquidation[]>('/api/liquidations?limit=10')) ?? [];
      return {
        addresses: standings.filter((s) => BigInt(s.health_factor_wad) < (WAD * 11n) / 10n).map((s) => s.account),
        recent: rows.map((l) => ({
          block: l.block,
          borrower: l.borrower,
          liquidator: l.liquidator,
          debtAsset: l.debt_asset,
          collateralAsset: l.collateral_asset,
          repaid: big(l.repaid),
          collateralSeized: big(l.collateral_seized),
        })),
        summary: `${standings.length} borrower(s) in the keeper's index (to block #${status?.last_indexed_block ?? '?'})`,
        // The keeper indexes finalized blocks: until it reaches the page's head, look again.
        behind: (status?.last_indexed_block ?? -1) < headNumber,
      };
    }
  } catch (err) {
    keeperNote = ` (${(err as Error).message}; scanned the chain instead)`;
  }
  await scanEvents();
  return {
    addresses: [...borrowers],
    recent: liquidations
      .slice(-10)
      .reverse()
      .map((l) => ({
        block: l.block,
        borrower: l.fields.borrower,
        liquidator: l.fields.liquidator,
        debtAsset: l.fields.debtAsset,
        collateralAsset: l.fields.collateralAsset,
        repaid: big(l.fields.repaid),
        collateralSeized: big(l.fields.collateralSeized),
      })),
    summary: `${borrowers.size} borrower(s) found in Borrowed events since block #${Math.max(manifest.chain.start_block ?? 0, headNumber - 10_000)}${keeperNote}`,
    behind: false,
  };
}

/** A re-render pending while the keeper's index catches up with the chain. */
let liqCatchUp: ReturnType<typeof setTimeout> | undefined;
/** How often, 2 s apart, a render looks again for the keeper to reach the page's head. */
const LIQ_CATCH_UP_TRIES = 15;

/** `catchUp`: how many times this render has already looked again for the keeper. */
async function renderLiquidations(catchUp = 0): Promise<void> {
  const seq = ++liqRenderSeq;
  clearTimeout(liqCatchUp);
  try {
    const sources = await liquidationSources();
    const views = await Promise.all(sources.addresses.map(async (b) => ({ address: b, view: await loadAccountView(b) })));
    if (seq !== liqRenderSeq) return;
    if (sources.behind && catchUp < LIQ_CATCH_UP_TRIES) liqCatchUp = setTimeout(() => void renderLiquidations(catchUp + 1), 2_000);
    candidates = views.filter((c) => c.view.debtValueWad > 0n && c.view.healthFactorWad < WAD);
    const atRisk = views.filter((c) => c.view.debtValueWad > 0n && c.view.healthFactorWad >= WAD && c.view.healthFactorWad < (WAD * 11n) / 10n).length;
    $('#liq-summary').textContent = `${sources.summary}; ${candidates.length} below health factor 1, ${atRisk} between 1.00 and 1.10.`;
    const liqRows = candidates.map((c) => {
      const positions = joinHtml(
        [...c.view.positions.values()].map((p) => {
          const m = marketOf(p.asset);
          return `${p.supply ? `${formatUnits(p.supply, m.decimals)} ${m.symbol} supplied${p.collateral ? ' (collateral)' : ''}` : ''}${p.supply && p.debt ? ', ' : ''}${p.debt ? `${formatUnits(p.debt, m.decimals)} ${m.symbol} owed` : ''}`;
        }),
        raw('<br>'),
      );
      return html`<tr data-testid="liq-row" data-address="${c.address}"><td title="${c.address}">${shortAddress(c.address)}</td>
            <td class="num bad" data-testid="liq-hf">${healthText(c.view.healthFactorWad)}</td><td class="num" data-testid="liq-debt-value">${usd(c.view.debtValueWad)}</td>
            <td class="num">${usd(c.view.collateralValueWad)}</td><td>${positions}</td>
            <td><button class="small" data-liquidate="${c.address}">Liquidate…</button></td></tr>`;
    });
    setHtml($('#liq-table tbody'), liqRows.length ? html`${liqRows}` : raw('<tr><td colspan="6" class="muted">No account is below health factor 1.</td></tr>'));
    const history = sources.recent.map((l) => {
      const d = marketOf(l.debtAsset);
      const c = marketOf(l.collateralAsset);
      return html`<li data-testid="liq-history-item">#${l.block}: ${shortAddress(l.liquidator)} repaid ${formatUnits(l.repaid, d.decimals)} ${d.symbol} of ${shortAddress(l.borrower)}'s debt and seized ${formatUnits(l.collateralSeized, c.decimals)} ${c.symbol}</li>`;
    });
    setHtml($('#liq-history'), history.length ? html`${history}` : raw('<li class="muted">None yet.</li>'));
    const select = $<HTMLSelectElement>('#liq-borrower');
    const chosen = select.value;
    setHtml(select, html`<option value="">Choose a borrower…</option>${candidates.map((c) => html`<option value="${c.address}" ${c.address === chosen ? 'selected' : ''}>${shortAddress(c.address)} · HF ${healthText(c.view.healthFactorWad)}</option>`)}`);
    const fill = (id: string) => {
      const s = $<HTMLSelectElement>(id);
      setHtml(s, marketOptions(s.value));
    };
    fill('#liq-debt');
    fill('#liq-collateral');
  } catch (err) {
    if (seq !== liqRenderSeq) return;
    $('#liq-summary').textContent = `Could not read liquidation candidates: ${(err as Error).message}`;
  }
}

async function liquidationPlan() {
  if (!current) throw new Error('Choose an account first.');
  const borrower = $<HTMLSelectElement>('#liq-borrower').value;
  if (!borrower) throw new Error('Choose a borrower.');
  const d = marketOf($<HTMLSelectElement>('#liq-debt').value);
  const c = marketOf($<HTMLSelectElement>('#liq-collateral').value);
  const text = $<HTMLInputElement>('#liq-amount').value.trim();
  const max = text === '' || /^max$/i.test(text);
  const repay = max ? U128_MAX : parseUnits(text, d.decimals, d.symbol);
  const view = await loadAccountView(borrower);
  const debt = view.positions.get(d.asset)?.debt ?? 0n;
  if (debt === 0n) throw new Error(`The borrower owes no ${d.symbol}.`);
  const collateral = view.positions.get(c.asset);
  if (!collateral || !collateral.collateral || collateral.supply === 0n) throw new Error(`The borrower has no ${c.symbol} collateral to seize.`);
  const approve = max ? debt + debt / 1000n + 1n : repay;
  return { borrower, d, c, repay, approve, debt, collateral: collateral.supply, healthFactorWad: view.healthFactorWad, key: max ? 'max' : text };
}

/** carrack-core's close factor: half the debt, or all of it at health 0.95 or below. */
const FULL_CLOSE_HEALTH_FACTOR_WAD = (95n * WAD) / 100n;

let liqPreviewSeq = 0;

async function previewLiquidation(): Promise<void> {
  const seq = ++liqPreviewSeq;
  const out = $('#liq-preview');
  const button = $<HTMLButtonElement>('#liq-submit');
  button.disabled = true;
  try {
    const plan = await liquidationPlan();
    const { d, c } = plan;
    // The contract's own figures, when the allowance lets the dry run get that far.
    const r = await pool.query('liquidate', current!.address, plan.borrower, d.asset, c.asset, plan.repay, 0n);
    if (seq !== liqPreviewSeq) return;
    let repaid: bigint;
    let received: bigint;
    let source: string;
    if (!r.err) {
      [repaid, received] = [big(r.value[0]), big(r.value[1])];
      source = 'from a dry run of liquidate';
    } else if (isTokenRefusal(r.err.raw)) {
      // Refused only at the token transfer: estimate with the close factor and the
      // market's bonus and fee (the dry run gives the exact figures once approved).
      const fullClose = plan.healthFactorWad <= FULL_CLOSE_HEALTH_FACTOR_WAD;
      const maxRepay = fullClose ? plan.debt : (plan.debt + 1n) / 2n;
      repaid = plan.repay < maxRepay ? plan.repay : maxRepay;
      const seizedFor = (amount: bigint) => (((valueWad(d, amount) * c.liquidationBonusWad) / WAD) * 10n ** BigInt(c.decimals)) / (priceWad(c) || 1n);
      let seized = seizedFor(repaid);
      if (seized > plan.collateral) {
        // All the collateral, for proportionally less debt.
        repaid = (repaid * plan.collateral) / seized;
        seized = plan.collateral;
      }
      const bonusPart = seized - (seized * WAD) / c.liquidationBonusWad;
      received = seized - (bonusPart * c.liquidationProtocolFeeWad) / WAD;
      source = `estimate (close factor ${fullClose ? '100 % at health 0.95 or below' : '50 %'}, ${pct(c.liquidationBonusWad - WAD, 1)} bonus, ${pct(c.liquidationProtocolFeeWad, 0)} of it as protocol fee); ${r.err.text.replace(/\.$/, '')}`;
    } else {
      setHtml(out, html`<div class="note bad" data-testid="liq-refusal" data-for="${plan.key}">The pool would refuse this liquidation: ${r.err.text}</div>`);
      return;
    }
    const bonus = valueWad(c, received) - valueWad(d, repaid);
    setHtml(out, html`<div class="note info" data-testid="liq-expected" data-for="${plan.key}">You repay <b>${formatUnits(repaid, d.decimals)} ${d.symbol}</b> (${usd(valueWad(d, repaid))})
      and receive <b>${formatUnits(received, c.decimals)} ${c.symbol}</b> (${usd(valueWad(c, received))}): a bonus of <b>${usd(bonus)}</b>. <small>${source}. You will not accept less than 99.5 % of this collateral.</small></div>`);
    button.disabled = busy;
    button.dataset.minOut = ((received * 995n) / 1000n).toString();
  } catch (err) {
    if (seq === liqPreviewSeq) setHtml(out, html`<div class="note muted" data-testid="liq-note">${(err as Error).message}</div>`);
  }
}

async function submitLiquidation(): Promise<void> {
  if (!current || busy) return;
  setBusy(true);
  try {
    const plan = await liquidationPlan();
    const allowance = big(await plan.d.token.view('PSP22::allowance', READER, current.address, pool.address));
    if (allowance < plan.approve) {
      await runTx(`Approve ${formatUnits(plan.approve, plan.d.decimals)} ${plan.d.symbol}`, plan.d.token, 'PSP22::approve', [pool.address, plan.approve]);
    }
    // Re-run the dry run now the allowance is in place, to bind the minimum out.
    const r = await pool.query('liquidate', current.address, plan.borrower, plan.d.asset, plan.c.asset, plan.repay, 0n);
    if (r.err) throw new Refusal(r.err.text, r.err.raw);
    const minOut = (big(r.value[1]) * 995n) / 1000n;
    await runTx(`Liquidate ${shortAddress(plan.borrower)}`, pool, 'liquidate', [plan.borrower, plan.d.asset, plan.c.asset, plan.repay, minOut]);
  } catch (err) {
    banner(`Liquidation not done: ${(err as Error).message}`);
  } finally {
    await refresh();
    setBusy(false);
    void updatePreview();
    void previewLiquidation();
  }
}

// ----------------------------------------------------------------------- governance

// Each refresh renders anew; a slower, older render must not overwrite a newer one.
let govRenderSeq = 0;

async function renderGovernance(): Promise<void> {
  const seq = ++govRenderSeq;
  const stale = () => seq !== govRenderSeq;
  if (!governor || !govToken) {
    $('#gov-settings').textContent = 'The manifest lists no governor.';
    return;
  }
  try {
    // Proposal descriptions come from the ProposalCreated events.
    await scanEvents();
    const s = await governor.view('settings', READER);
    const decimals = 18;
    const totalSupply = big(await govToken.view('PSP22::total_supply', READER));
    if (stale()) return;
    setHtml($('#gov-settings'), html`Voting opens ${s.params.votingDelayBlocks} block(s) after a proposal and lasts ${s.params.votingPeriodBlocks} blocks.
      Proposing needs ${formatUnits(big(s.params.proposalThreshold), decimals, 0)} CGOV of votes; quorum ${(Number(s.params.quorumBps) / 100).toFixed(2)} % of ${formatUnits(totalSupply, decimals, 0)} CGOV.
      Passed proposals wait in the timelock ${shortAddress(s.timelock)} before anyone may execute them.`);
    if (current) {
      const [balance, votes, delegate] = await Promise.all([
        govToken.view('PSP22::balance_of', READER, current.address),
        govToken.view('Votes::get_votes', READER, current.address),
        govToken.view('Votes::delegates', READER, current.address),
      ]);
      if (stale()) return;
      setHtml($('#gov-me'), html`You hold <b data-testid="cgov-balance">${formatUnits(big(balance), decimals, 2)}</b> CGOV and have <b data-testid="votes">${formatUnits(big(votes), decimals, 2)}</b> votes;
        your tokens are delegated to <b data-testid="delegate">${delegate ? (delegate === current.address ? 'yourself' : shortAddress(delegate)) : 'nobody (they do not vote)'}</b>.`);
    } else {
      $('#gov-me').textContent = 'Choose an account to vote and delegate.';
    }
    const count = Number(s.proposalCount);
    const rows: SafeHtml[] = [];
    for (let id = count - 1; id >= 0 && id >= count - 20; id -= 1) {
      const [p, stateR, receipt] = await Promise.all([
        governor.view('proposal', READER, id),
        governor.query('state', READER, id),
        current ? governor.view('receipt', READER, id, current.address) : Promise.resolve(null),
      ]);
      if (!p) continue;
      const state = stateR.err ? `unknown (${stateR.err.text})` : String(stateR.value);
      const t = p.tally;
      const f = big(t.forVotes);
      const ag = big(t.againstVotes);
      const ab = big(t.abstainVotes);
      const total = f + ag + ab || 1n;
      const bar = (v: bigint, cls: string) => html`<div class="${cls}" style="width:${Number((v * 1000n) / total) / 10}%"></div>`;
      const quorum = p.quorumVotes !== null && p.quorumVotes !== undefined ? formatUnits(big(p.quorumVotes), decimals, 0) : `${(Number(p.quorumBps) / 100).toFixed(2)} % of supply at the snapshot`;
      const vote = state === 'Active' && current && !receipt
        ? html`<div class="vote">${['For', 'Against', 'Abstain'].map((v) => html`<button class="small" data-vote="${v}" data-proposal="${id}">${v}</button>`)}</div>`
        : receipt ? html`<small data-testid="receipt">You voted ${String(receipt)}.</small>` : '';
      rows.push(html`<div class="card proposal" data-testid="proposal" data-id="${id}">
        <div><b>#${id}</b> <span class="chip ${state === 'Active' ? 'warn' : state === 'Defeated' || state === 'Canceled' || state === 'Expired' ? 'bad' : 'ok'}" data-testid="proposal-state">${state}</span>
          ${proposalDescriptions.get(id) ?? '(description not found in the scanned events)'}</div>
        <small>by ${shortAddress(p.proposer)} · snapshot #${p.snapshotBlock} · voting ends #${p.deadlineBlock} · quorum ${quorum}</small>
        <div class="tally">${bar(f, 'for')}${bar(ag, 'against')}${bar(ab, 'abstain')}</div>
        <small>For <span data-testid="votes-for">${formatUnits(f, decimals, 2)}</span> · Against <span data-testid="votes-against">${formatUnits(ag, decimals, 2)}</span> · Abstain <span data-testid="votes-abstain">${formatUnits(ab, decimals, 2)}</span></small>
        ${vote}
      </div>`);
    }
    if (stale()) return;
    setHtml($('#proposals'), rows.length ? html`${rows}` : raw('<p class="muted">No proposals yet.</p>'));
  } catch (err) {
    if (stale()) return;
    $('#gov-settings').textContent = `Could not read governance: ${(err as Error).message}`;
  }
}

async function castVote(id: number, support: string): Promise<void> {
  if (!governor || busy) return;
  setBusy(true);
  try {
    await runTx(`Vote ${support} on proposal #${id}`, governor, 'cast_vote', [id, support]);
  } catch (err) {
    banner(`Vote not cast: ${(err as Error).message}`);
  } finally {
    await refresh();
    setBusy(false);
    void updatePreview();
  }
}

async function delegateVotes(): Promise<void> {
  if (!govToken || !current || busy) return;
  const target = $<HTMLInputElement>('#delegate-to').value.trim();
  let delegatee: string | null;
  if (target === '' || /^(me|self)$/i.test(target)) delegatee = current.address;
  else if (/^none$/i.test(target)) delegatee = null;
  else {
    try {
      delegatee = api.createType('AccountId', target).toString();
    } catch {
      banner(`"${target}" is not an account address.`, 'warn');
      return;
    }
  }
  setBusy(true);
  try {
    await runTx(delegatee ? `Delegate votes to ${delegatee === current.address ? 'yourself' : shortAddress(delegatee)}` : 'Stop delegating', govToken, 'Votes::delegate', [delegatee]);
  } catch (err) {
    banner(`Not delegated: ${(err as Error).message}`);
  } finally {
    await refresh();
    setBusy(false);
    void updatePreview();
  }
}

// --------------------------------------------------------------------------- wiring

function selectTab(name: string): void {
  document.querySelectorAll<HTMLElement>('[data-tab]').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
  document.querySelectorAll<HTMLElement>('section.view').forEach((s) => {
    s.hidden = s.id !== `view-${name}`;
  });
  if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
}

function fillActionMarkets(): void {
  const select = $<HTMLSelectElement>('#action-market');
  const v = select.value;
  setHtml(select, marketOptions(v));
}

/** One `<option>` per market (value: the asset address, text: the symbol), `selected` kept. */
function marketOptions(selected: string): SafeHtml {
  return html`${markets.map((m) => html`<option value="${m.asset}" ${m.asset === selected ? 'selected' : ''}>${m.symbol}</option>`)}`;
}

function wire(): void {
  document.querySelectorAll<HTMLElement>('[data-tab]').forEach((b) => b.addEventListener('click', () => selectTab(b.dataset.tab!)));
  $('#account-select').addEventListener('change', async (e) => {
    const address = (e.target as HTMLSelectElement).value;
    current = accounts.find((a) => a.address === address) ?? null;
    account = null;
    renderAccountPicker();
    await refresh();
  });
  $('#connect-wallet').addEventListener('click', () => void connectWallet());
  $('#faucet').addEventListener('click', () => void faucet());
  let timer: number | undefined;
  const later = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void updatePreview(), 250);
  };
  $('#action-amount').addEventListener('input', () => {
    maxMode = false;
    later();
  });
  $('#action-kind').addEventListener('change', () => {
    maxMode = false;
    later();
  });
  $('#action-market').addEventListener('change', () => {
    maxMode = false;
    later();
  });
  $('#action-max').addEventListener('click', () => {
    maxMode = true;
    void updatePreview();
  });
  $('#action-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void submitAction();
  });
  $('#positions').addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-act]');
    if (!b) return;
    $<HTMLSelectElement>('#action-kind').value = b.dataset.act!;
    $<HTMLSelectElement>('#action-market').value = b.dataset.asset!;
    maxMode = false;
    $<HTMLInputElement>('#action-amount').focus();
    void updatePreview();
  });
  $('#positions').addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    if (input.dataset.collateral) void toggleCollateral(input.dataset.collateral, input.checked);
  });
  for (const id of ['#liq-borrower', '#liq-debt', '#liq-collateral', '#liq-amount']) {
    $(id).addEventListener(id === '#liq-amount' ? 'input' : 'change', () => void previewLiquidation());
  }
  $('#liq-table').addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-liquidate]');
    if (!b) return;
    $<HTMLSelectElement>('#liq-borrower').value = b.dataset.liquidate!;
    void previewLiquidation();
  });
  $('#liq-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void submitLiquidation();
  });
  $('#proposals').addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-vote]');
    if (b) void castVote(Number(b.dataset.proposal), b.dataset.vote!);
  });
  $('#delegate-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void delegateVotes();
  });
}

export async function start(): Promise<void> {
  wire();
  selectTab(location.hash.slice(1) || 'markets');
  try {
    manifest = await loadManifest();
    const node = chooseNode(manifest.chain.node_url, manifest.config.kind, new URLSearchParams(location.search).get('rpc'));
    const url = node.url;
    nodeShown = nodeLabel(url);
    $('#chain-info').textContent = `connecting to ${nodeShown}…`;
    const [abis] = await Promise.all([
      Promise.all(['carrack_pool', 'carrack_oracle', 'carrack_token', 'carrack_governor', 'carrack_gov_token'].map((b) => loadAbi(b))),
      cryptoWaitReady(),
    ]);
    api = await connect(url, (up) => {
      if (!up) banner(`Disconnected from ${nodeShown}; reconnecting…`, 'warn');
      else banner(node.ignored ?? '', 'warn');
    });
    if (node.ignored) banner(node.ignored, 'warn');
    const genesis = api.genesisHash.toHex();
    if (genesis !== manifest.chain.genesis_hash) {
      halt('genesis-mismatch', `The node at ${nodeShown} runs another chain (genesis ${genesis.slice(0, 10)}…) than the manifest's deployment (${manifest.chain.genesis_hash.slice(0, 10)}…). Redeploy or open the right node.`);
      return;
    }
    const [poolAbi, oracleAbi, tAbi, govAbi, govTokenAbi] = abis;
    // Before any contract handle, account or signing path: the manifest's addresses must
    // hold the code the served metadata describes (review D2).
    const wrongCode = await verifyDeployment(new Map([
      ['carrack_pool', poolAbi],
      ['carrack_oracle', oracleAbi],
      ['carrack_governor', govAbi],
      ['carrack_gov_token', govTokenAbi],
    ]));
    if (wrongCode) {
      halt('code-mismatch', wrongCode);
      return;
    }
    verified = true;
    tokenAbi = tAbi;
    pool = new Contract(api, poolAbi, addressOf('pool'), ctx);
    oracle = new Contract(api, oracleAbi, addressOf('oracle'), ctx);
    if (manifest.contracts.governor) governor = new Contract(api, govAbi, addressOf('governor'), ctx);
    if (manifest.contracts.gov_token) govToken = new Contract(api, govTokenAbi, addressOf('gov_token'), ctx);
    // The public dev keys only for a devnet on this machine (review D7): a manifest that
    // says "devnet" for a shared node must not offer //Alice to its users.
    devMode = manifest.config.kind === 'devnet' && isLocalNode(url);
    if (devMode) {
      const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 ?? 42 });
      for (const name of DEV_ACCOUNTS) {
        const pair = keyring.addFromUri(`//${name}`, { name });
        accounts.push({ kind: 'dev', name: `//${name}`, address: pair.address, pair });
      }
      alice = accounts[0];
    }
    $('#dev-note').hidden = !devMode;
    renderAccountPicker();
    await refresh();
    fillActionMarkets();
    await updatePreview();
    let pending = false;
    await api.rpc.chain.subscribeNewHeads(async () => {
      if (pending) return;
      pending = true;
      try {
        await refresh();
        fillActionMarkets();
      } finally {
        pending = false;
      }
    });
  } catch (err) {
    banner(`The app could not start: ${(err as Error).message}`);
  }
}
