// The Liquidations tab's lists: the borrowers below health factor 1 (each re-read on
// chain) and the latest liquidations, from the keeper's index when the server has one,
// else from the page's own scan of the chain's events. The form below them is
// liquidation-form.ts.

import { $ } from './dom';
import { scanEvents, scanStartBlock, scanned } from './events';
import { big, formatUnits, healthText, shortAddress, usd } from './format';
import { html, joinHtml, raw, setHtml } from './html';
import { keeperGet, type KeeperLiquidation, type KeeperStanding, type KeeperStatus } from './keeper';
import { marketOptions } from './markets-tab';
import { AT_RISK_HEALTH_FACTOR_WAD, isAtRisk, isLiquidatable } from './preview';
import { loadAccountView, marketOf, state } from './store';

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

/** Where the lists come from: the borrowers to re-read, the latest liquidations, a summary. */
interface LiquidationSources {
  addresses: string[];
  recent: LiquidationEntry[];
  summary: string;
  /** The keeper has not indexed the page's head yet: look again. */
  behind: boolean;
}

/**
 * The borrowers to look at and the latest liquidations: from the keeper's index when the
 * server has one (borrowers below 1.10, as the keeper values them at its last pass; every
 * one is re-read on chain below), else from the page's own scan of the last 10,000 blocks.
 */
async function liquidationSources(): Promise<LiquidationSources> {
  let keeperNote = '';
  try {
    const standings = await keeperGet<KeeperStanding[]>('/api/at-risk');
    if (standings) {
      const status = await keeperGet<KeeperStatus>('/api/status');
      const rows = (await keeperGet<KeeperLiquidation[]>('/api/liquidations?limit=10')) ?? [];
      return {
        addresses: standings.filter((s) => BigInt(s.health_factor_wad) < AT_RISK_HEALTH_FACTOR_WAD).map((s) => s.account),
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
        behind: (status?.last_indexed_block ?? -1) < state.headNumber,
      };
    }
  } catch (err) {
    keeperNote = ` (${(err as Error).message}; scanned the chain instead)`;
  }
  await scanEvents();
  return {
    addresses: [...scanned.borrowers],
    recent: scanned.liquidations
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
    summary: `${scanned.borrowers.size} borrower(s) found in Borrowed events since block #${scanStartBlock()}${keeperNote}`,
    behind: false,
  };
}

// Each refresh renders anew; a slower, older render must not overwrite a newer one.
let liqRenderSeq = 0;
/** A re-render pending while the keeper's index catches up with the chain. */
let liqCatchUp: ReturnType<typeof setTimeout> | undefined;
/** How often, 2 s apart, a render looks again for the keeper to reach the page's head. */
const LIQ_CATCH_UP_TRIES = 15;

/** The lists and the form's choices; `catchUp`: how many times this render has already looked again for the keeper. */
export async function renderLiquidations(catchUp = 0): Promise<void> {
  const seq = ++liqRenderSeq;
  clearTimeout(liqCatchUp);
  try {
    const sources = await liquidationSources();
    const views = await Promise.all(sources.addresses.map(async (b) => ({ address: b, view: await loadAccountView(b) })));
    if (seq !== liqRenderSeq) return;
    if (sources.behind && catchUp < LIQ_CATCH_UP_TRIES) liqCatchUp = setTimeout(() => void renderLiquidations(catchUp + 1), 2_000);
    const candidates = views.filter((c) => isLiquidatable(c.view));
    const atRisk = views.filter((c) => isAtRisk(c.view)).length;
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
    for (const id of ['#liq-debt', '#liq-collateral']) {
      const s = $<HTMLSelectElement>(id);
      setHtml(s, marketOptions(s.value));
    }
  } catch (err) {
    if (seq !== liqRenderSeq) return;
    $('#liq-summary').textContent = `Could not read liquidation candidates: ${(err as Error).message}`;
  }
}
