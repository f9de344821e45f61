// The Account tab: the chosen account's valuation (health factor and its bar), its
// positions with the collateral switches, and its history from the keeper's index. The
// action form below the positions is action-form.ts.

import { healthBar } from './charts';
import { $, banner } from './dom';
import { formatUnits, healthText, shortAddress, usd } from './format';
import { historyItems, type KeeperAction } from './history';
import { html, raw, setHtml } from './html';
import { keeperGet, type KeeperStatus } from './keeper';
import { percentUsed } from './preview';
import { chain, marketOf, refresh, state } from './store';
import { runTx, setBusy } from './tx';

/** The account summary and the positions table. */
export function renderAccount(): void {
  const summary = $('#account-summary');
  const table = $('#positions tbody');
  const a = state.account;
  if (!state.current || !a) {
    setHtml(summary, raw('<p class="muted">Choose an account (top right) to see positions and act.</p>'));
    setHtml(table, raw(''));
    return;
  }
  const used = percentUsed(a.debtValueWad, a.borrowingPowerWad);
  setHtml(summary, html`
    <div class="stat"><label>Collateral value</label><b data-testid="collateral-value">${usd(a.collateralValueWad)}</b></div>
    <div class="stat"><label>Borrowing power</label><b data-testid="borrowing-power">${usd(a.borrowingPowerWad)}</b><small>${used.toFixed(2)} % used</small></div>
    <div class="stat"><label>Debt value</label><b data-testid="debt-value">${usd(a.debtValueWad)}</b></div>
    <div class="stat wide"><label>Health factor</label><b data-testid="health-factor">${healthText(a.healthFactorWad)}</b>
      ${healthBar(a.healthFactorWad, 'health-bar')}<small>Below 1.00 the account can be liquidated.</small></div>
    ${a.pricesOk ? '' : raw('<div class="note bad" data-testid="prices-not-ok">Some prices this account depends on are not fresh: borrowing and withdrawing collateral are refused until the oracle updates, and liquidations cannot repay or seize those assets. Figures value the account as a liquidation does: collateral without an Ok (or Emergency) price counts as zero, debts at their last good prices.</div>')}`);
  setHtml(table, html`${state.markets.map((m) => {
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

// Each refresh renders anew; a slower, older render must not overwrite a newer one.
let historyRenderSeq = 0;

/**
 * The chosen account's last 20 actions, from the keeper's index (web/server.mjs --keeper),
 * which indexes finalized blocks: the newest actions appear a few blocks after they land.
 * Without a keeper the page says where a history comes from instead of scanning blocks.
 */
export async function renderAccountHistory(): Promise<void> {
  const seq = ++historyRenderSeq;
  const list = $('#account-history');
  const note = $('#account-history-note');
  if (!state.current) {
    setHtml(list, raw(''));
    setHtml(note, raw(''));
    return;
  }
  const address = state.current.address;
  try {
    const actions = await keeperGet<KeeperAction[]>(`/api/accounts/${address}/history?limit=20`);
    const status = actions ? await keeperGet<KeeperStatus>('/api/status') : null;
    if (seq !== historyRenderSeq) return;
    if (actions === null) {
      setHtml(note, raw('An account\'s history comes from the keeper\'s index; this page\'s server runs without one (web/server.mjs --keeper).'));
      setHtml(list, raw(''));
      return;
    }
    const lookup = (asset: string) => state.markets.find((m) => m.asset === asset);
    setHtml(note, html`The last ${actions.length} action(s) of ${shortAddress(address)} in the keeper's index (to block #${status?.last_indexed_block ?? '?'}).`);
    setHtml(list, actions.length ? html`${historyItems(actions, lookup)}` : raw('<li class="muted">None yet.</li>'));
  } catch (err) {
    if (seq !== historyRenderSeq) return;
    setHtml(note, html`No history: ${(err as Error).message}`);
    setHtml(list, raw(''));
  }
}

async function toggleCollateral(asset: string, enable: boolean): Promise<void> {
  if (!state.current) return;
  const m = marketOf(asset);
  setBusy(true);
  try {
    await runTx(`${enable ? 'Enable' : 'Disable'} ${m.symbol} as collateral`, chain().pool, enable ? 'enable_collateral' : 'disable_collateral', [asset]);
  } catch (err) {
    banner(`Collateral not changed: ${(err as Error).message}`);
  }
  await refresh();
  setBusy(false);
}

/** The positions' collateral switches. */
export function wireAccount(): void {
  $('#positions').addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    if (input.dataset.collateral) void toggleCollateral(input.dataset.collateral, input.checked);
  });
}
