// The Carrack lending app's entry: wires the page (index.html's skeleton), connects to the
// manifest's node, checks that the deployment is the one the served metadata describes
// (nothing is signed otherwise), then renders every tab from the contracts' own views
// (store.ts) on each new block. Figures the contracts compute are shown as the views
// return them; only the "after this action" preview is the app's own math (preview.ts).

import './style.css';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { renderAccount, renderAccountHistory, wireAccount } from './account-tab';
import { fillActionMarkets, updatePreview, wireActionForm } from './action-form';
import { Contract, connect, loadAbi } from './chain';
import { addressOf, loadManifest, verifyDeployment } from './deployment';
import { $, banner, halt } from './dom';
import { renderGovernance, wireGovernance } from './governance-tab';
import { renderAccountPicker, renderHeader, wireHeader } from './header';
import { wireLiquidationForm } from './liquidation-form';
import { renderLiquidations } from './liquidations-tab';
import { renderMarkets } from './markets-tab';
import { chooseNode, isLocalNode, nodeLabel } from './node-url';
import { errorContext, onRefresh, refresh, state, useChain } from './store';
import { onIdle } from './tx';

/** The devnet's development accounts (public keys: devnet only). */
const DEV_ACCOUNTS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

function selectTab(name: string): void {
  document.querySelectorAll<HTMLElement>('[data-tab]').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
  document.querySelectorAll<HTMLElement>('section.view').forEach((s) => {
    s.hidden = s.id !== `view-${name}`;
  });
  if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
}

function wire(): void {
  document.querySelectorAll<HTMLElement>('[data-tab]').forEach((b) => b.addEventListener('click', () => selectTab(b.dataset.tab!)));
  wireHeader();
  wireAccount();
  wireActionForm();
  wireLiquidationForm();
  wireGovernance();
  onRefreshRenderAll();
  onIdle(() => void updatePreview());
}

/** After each refresh: the header and the tabs, the slower ones without waiting. */
function onRefreshRenderAll(): void {
  const renders = [
    renderHeader,
    renderMarkets,
    renderAccount,
    () => void updatePreview(),
    () => void renderAccountHistory(),
    () => void renderLiquidations(),
    () => void renderGovernance(),
  ];
  for (const render of renders) onRefresh(render);
}

async function start(): Promise<void> {
  wire();
  selectTab(location.hash.slice(1) || 'markets');
  try {
    const manifest = await loadManifest();
    const node = chooseNode(manifest.chain.node_url, manifest.config.kind, new URLSearchParams(location.search).get('rpc'));
    const url = node.url;
    const nodeShown = nodeLabel(url);
    $('#chain-info').textContent = `connecting to ${nodeShown}…`;
    const [abis] = await Promise.all([
      Promise.all(['carrack_pool', 'carrack_oracle', 'carrack_token', 'carrack_governor', 'carrack_gov_token'].map((b) => loadAbi(b))),
      cryptoWaitReady(),
    ]);
    const api = await connect(url, (up) => {
      if (!up) banner(`Disconnected from ${nodeShown}; reconnecting…`, 'warn');
      else banner(node.ignored ?? '', 'warn');
    });
    if (node.ignored) banner(node.ignored, 'warn');
    const genesis = api.genesisHash.toHex();
    if (genesis !== manifest.chain.genesis_hash) {
      halt('genesis-mismatch', `The node at ${nodeShown} runs another chain (genesis ${genesis.slice(0, 10)}…) than the manifest's deployment (${manifest.chain.genesis_hash.slice(0, 10)}…). Redeploy or open the right node.`);
      return;
    }
    const [poolAbi, oracleAbi, tokenAbi, govAbi, govTokenAbi] = abis;
    // Before any contract handle, account or signing path: the manifest's addresses must
    // hold the code the served metadata describes (review D2).
    const wrongCode = await verifyDeployment(api, manifest, new Map([
      ['carrack_pool', poolAbi],
      ['carrack_oracle', oracleAbi],
      ['carrack_governor', govAbi],
      ['carrack_gov_token', govTokenAbi],
    ]));
    if (wrongCode) {
      halt('code-mismatch', wrongCode);
      return;
    }
    const contract = (abi: typeof poolAbi, name: string) => new Contract(api, abi, addressOf(manifest, name), errorContext);
    useChain({
      api,
      manifest,
      nodeShown,
      tokenAbi,
      pool: contract(poolAbi, 'pool'),
      oracle: contract(oracleAbi, 'oracle'),
      governor: manifest.contracts.governor ? contract(govAbi, 'governor') : null,
      govToken: manifest.contracts.gov_token ? contract(govTokenAbi, 'gov_token') : null,
    });
    // The public dev keys only for a devnet on this machine (review D7): a manifest that
    // says "devnet" for a shared node must not offer //Alice to its users.
    state.devMode = manifest.config.kind === 'devnet' && isLocalNode(url);
    if (state.devMode) {
      const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 ?? 42 });
      for (const name of DEV_ACCOUNTS) {
        const pair = keyring.addFromUri(`//${name}`, { name });
        state.accounts.push({ kind: 'dev', name: `//${name}`, address: pair.address, pair });
      }
      state.alice = state.accounts[0];
    }
    $('#dev-note').hidden = !state.devMode;
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

void start();
