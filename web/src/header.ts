// The header: the chain line (node, block, chain time), the account picker (dev keys on
// a local devnet, a browser wallet's accounts) and the devnet's test-token faucet.

import type { Account } from './chain';
import { $, banner } from './dom';
import { formatUnits, shortAddress } from './format';
import { html, setHtml } from './html';
import { testTokenAmount } from './preview';
import { chain, isVerified, refresh, state, tokenOf } from './store';
import { runTx, setBusy } from './tx';

/** The chain line: connection, node, block and chain time. */
export function renderHeader(): void {
  const { api, manifest, nodeShown } = chain();
  setHtml($('#chain-info'), html`<span class="dot ${api.isConnected ? 'on' : 'off'}"></span>
    ${manifest.config.kind} · <span data-testid="node">${nodeShown}</span> · block <b data-testid="block">#${state.headNumber}</b> · chain time ${new Date(state.chainNowSecs * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC`);
}

/** The account picker's options (the chosen one selected) and the faucet button. */
export function renderAccountPicker(): void {
  const select = $<HTMLSelectElement>('#account-select');
  const dev = state.accounts.filter((a) => a.kind === 'dev');
  const ext = state.accounts.filter((a) => a.kind === 'extension');
  const option = (a: Account) => html`<option value="${a.address}" ${state.current?.address === a.address ? 'selected' : ''}>${a.name} · ${shortAddress(a.address)}</option>`;
  setHtml(select, html`<option value="">Choose an account…</option>
    ${dev.length ? html`<optgroup label="Development accounts (devnet keys, public)">${dev.map(option)}</optgroup>` : ''}
    ${ext.length ? html`<optgroup label="Browser wallet">${ext.map(option)}</optgroup>` : ''}`);
  $('#faucet').hidden = !(state.devMode && state.current);
}

async function connectWallet(): Promise<void> {
  if (!isVerified()) {
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
    const found = await web3Accounts({ genesisHash: chain().manifest.chain.genesis_hash });
    const all = found.length ? found : await web3Accounts();
    for (const a of all) {
      if (state.accounts.some((x) => x.address === a.address)) continue;
      const injector = await web3FromSource(a.meta.source);
      state.accounts.push({ kind: 'extension', name: `${a.meta.name ?? 'account'} (${a.meta.source})`, address: a.address, signer: injector.signer, source: a.meta.source });
    }
    if (all.length === 0) banner('The wallet shares no accounts with this site.', 'warn');
    renderAccountPicker();
  } catch (err) {
    banner(`Connecting the wallet failed: ${(err as Error).message}`);
  }
}

/** Devnet: //Alice mints about $25,000 of each priced test token to the chosen account. */
async function faucet(): Promise<void> {
  const { current, alice } = state;
  if (!current || !alice) return;
  const button = $<HTMLButtonElement>('#faucet');
  button.disabled = true;
  setBusy(true);
  try {
    for (const m of state.markets) {
      if (!m.price) continue;
      const amount = testTokenAmount({ ...m, price: m.price });
      await runTx(`Mint ${formatUnits(amount, m.decimals)} test ${m.symbol} (signed by //Alice, the devnet minter)`, tokenOf(m.asset), 'PSP22Mintable::mint', [current.address, amount], alice);
    }
  } catch (err) {
    banner(`Test tokens not minted: ${(err as Error).message}`);
  } finally {
    button.disabled = false;
    await refresh();
    setBusy(false);
  }
}

/** The header's controls: the account picker, "Connect wallet" and the faucet. */
export function wireHeader(): void {
  $('#account-select').addEventListener('change', async (e) => {
    const address = (e.target as HTMLSelectElement).value;
    state.current = state.accounts.find((a) => a.address === address) ?? null;
    state.account = null;
    renderAccountPicker();
    await refresh();
  });
  $('#connect-wallet').addEventListener('click', () => void connectWallet());
  $('#faucet').addEventListener('click', () => void faucet());
}
