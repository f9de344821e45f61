// The Markets tab: each market's price and oracle status, totals, rates, caps and risk
// parameters, and its rate curve.

import { rateCurveSvg } from './charts';
import type { Market } from './contract-views';
import { $ } from './dom';
import { FEED_STATUS_TEXT } from './error-texts';
import { WAD, borrowApy, duration, formatUnits, pct, pctNumber, usd } from './format';
import { html, raw, setHtml, type SafeHtml } from './html';
import { percentUsed, valueWad } from './preview';
import { state } from './store';

function statusChip(m: Market): SafeHtml {
  if (!m.price) return html`<span class="chip bad" data-testid="oracle-status">No price</span> <small>${m.priceError ?? ''}</small>`;
  const s = m.price.status;
  const cls = s === 'Ok' ? 'ok' : s === 'Emergency' || s === 'Suspect' ? 'warn' : 'bad';
  const age = state.chainNowSecs - m.price.updatedAtSecs;
  return html`<span class="chip ${cls}" data-testid="oracle-status" title="${FEED_STATUS_TEXT[s] ?? s}">${s}</span>
    <small>${FEED_STATUS_TEXT[s] ?? s}; updated ${duration(age)} ago</small>`;
}

function pausedText(m: Market): SafeHtml | '' {
  const paused = Object.entries(m.paused).filter(([, v]) => v).map(([k]) => k);
  const notes: string[] = [];
  if (paused.length) notes.push(`paused: ${paused.join(', ')}`);
  if (!m.borrowingEnabled) notes.push('borrowing disabled');
  if (!m.collateralEnabled) notes.push('not collateral');
  if (m.graceUntilSecs > state.chainNowSecs) notes.push(`liquidation grace for ${duration(m.graceUntilSecs - state.chainNowSecs)}`);
  return notes.length ? html`<div class="note warn">${notes.join(' · ')}</div>` : '';
}

/** The markets table and the rate curves. */
export function renderMarkets(): void {
  const rows = state.markets.map((m) => {
    const p = m.price ? formatUnits(m.price.value, m.price.decimals, 4) : '—';
    return html`<tr data-testid="market-row" data-symbol="${m.symbol}">
        <td><b>${m.symbol}</b><br><small>${m.name}</small>${pausedText(m)}</td>
        <td class="num">$${p}</td>
        <td>${statusChip(m)}</td>
        <td class="num">${formatUnits(m.totalSupply, m.decimals, 2)}<br><small>${usd(valueWad(m, m.totalSupply))}</small></td>
        <td class="num">${formatUnits(m.totalDebt, m.decimals, 2)}<br><small>${usd(valueWad(m, m.totalDebt))}</small></td>
        <td class="num" data-testid="utilization">${pct(m.utilizationWad)}</td>
        <td class="num" data-testid="supply-apr">${pct(m.supplyRateWad)}</td>
        <td class="num" data-testid="borrow-apy">${pctNumber(borrowApy(m.borrowRateWad))}<br><small>APR ${pct(m.borrowRateWad)}</small></td>
        <td class="num">${formatUnits(m.supplyCap, m.decimals, 0)} <small>(${percentUsed(m.totalSupply, m.supplyCap).toFixed(2)} % used)</small><br>${formatUnits(m.borrowCap, m.decimals, 0)} <small>(${percentUsed(m.totalDebt, m.borrowCap).toFixed(2)} % used)</small></td>
        <td class="num">${pct(m.ltvWad, 1)} / ${pct(m.liquidationThresholdWad, 1)}<br><small>bonus ${pct(m.liquidationBonusWad - WAD, 1)}</small></td>
      </tr>`;
  });
  setHtml($('#markets-table tbody'), rows.length ? html`${rows}` : raw('<tr><td colspan="10">No markets are listed.</td></tr>'));
  setHtml($('#curves'), html`${state.markets.map(
    (m) => html`<figure class="card">
        <figcaption><b>${m.symbol}</b> rate curve · now ${pct(m.utilizationWad)} utilized:
          <span class="borrow-key">borrow ${pct(m.borrowRateWad)}</span>, <span class="supply-key">supply ${pct(m.supplyRateWad)}</span></figcaption>
        ${rateCurveSvg(m.rateModel, m.reserveFactorWad, m.utilizationWad, m.symbol)}
      </figure>`,
  )}`);
}

/** One `<option>` per market (value: the asset address, text: the symbol), `selected` kept. */
export function marketOptions(selected: string): SafeHtml {
  return html`${state.markets.map((m) => html`<option value="${m.asset}" ${m.asset === selected ? 'selected' : ''}>${m.symbol}</option>`)}`;
}
