// The Liquidations tab's form: repay part of a borrower's debt in one market and seize
// collateral in another. The preview shows what the liquidator repays and receives: the
// pool's own figures from a dry run, or, while the pool may not take the repayment yet,
// the estimate from the close factor, bonus and protocol fee (preview.ts). The approval
// and the liquidation are signed once (tx.ts `runApproveAndAct`).

import { Refusal } from './chain';
import { $, banner } from './dom';
import { isAllowanceRefusal, isTokenRefusal } from './errors';
import { U128_MAX, WAD, big, formatUnits, parseUnits, pct, shortAddress, usd } from './format';
import { html, setHtml } from './html';
import { estimateLiquidation, liquidationApproval, minCollateralOut, valueWad, type LiquidationEstimate } from './preview';
import { READER, chain, loadAccountView, marketOf, refresh, state, tokenOf } from './store';
import { isBusy, runApproveAndAct, runTx, setBusy } from './tx';

/** The liquidation the form describes, checked against the borrower's positions. */
async function liquidationPlan() {
  if (!state.current) throw new Error('Choose an account first.');
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
  return {
    borrower, d, c, repay, debt,
    approve: liquidationApproval(repay, debt),
    collateral: collateral.supply,
    healthFactorWad: view.healthFactorWad,
    key: max ? 'max' : text,
  };
}

type LiquidationPlan = Awaited<ReturnType<typeof liquidationPlan>>;

/** The liquidation's arguments, with the least collateral accepted. */
function liquidateArgs(plan: LiquidationPlan, minOut: bigint): unknown[] {
  return [plan.borrower, plan.d.asset, plan.c.asset, plan.repay, minOut];
}

/** The estimate for `plan` (when the dry run cannot get past the missing allowance). */
function estimateOf(plan: LiquidationPlan): LiquidationEstimate {
  return estimateLiquidation(plan.d, plan.c, plan);
}

let liqPreviewSeq = 0;

/** What the liquidation would repay and give, or why the pool would refuse it. */
async function previewLiquidation(): Promise<void> {
  const seq = ++liqPreviewSeq;
  const out = $('#liq-preview');
  const button = $<HTMLButtonElement>('#liq-submit');
  button.disabled = true;
  try {
    const plan = await liquidationPlan();
    const { d, c } = plan;
    // The contract's own figures, when the allowance lets the dry run get that far.
    const r = await chain().pool.query('liquidate', state.current!.address, ...liquidateArgs(plan, 0n));
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
      const estimate = estimateOf(plan);
      ({ repaid, received } = estimate);
      source = `estimate (close factor ${estimate.fullClose ? '100 % at health 0.95 or below' : '50 %'}, ${pct(c.liquidationBonusWad - WAD, 1)} bonus, ${pct(c.liquidationProtocolFeeWad, 0)} of it as protocol fee); ${r.err.text.replace(/\.$/, '')}`;
    } else {
      setHtml(out, html`<div class="note bad" data-testid="liq-refusal" data-for="${plan.key}">The pool would refuse this liquidation: ${r.err.text}</div>`);
      return;
    }
    const bonus = valueWad(c, received) - valueWad(d, repaid);
    setHtml(out, html`<div class="note info" data-testid="liq-expected" data-for="${plan.key}">You repay <b>${formatUnits(repaid, d.decimals)} ${d.symbol}</b> (${usd(valueWad(d, repaid))})
      and receive <b>${formatUnits(received, c.decimals)} ${c.symbol}</b> (${usd(valueWad(c, received))}): a bonus of <b>${usd(bonus)}</b>. <small>${source}. You will not accept less than 99.5 % of this collateral.</small></div>`);
    button.disabled = isBusy();
  } catch (err) {
    if (seq === liqPreviewSeq) setHtml(out, html`<div class="note muted" data-testid="liq-note">${(err as Error).message}</div>`);
  }
}

/**
 * Liquidates as the form says, accepting no less than 99.5 % of the collateral the dry run
 * gives, or, while the pool may not take the repayment yet, of the estimate; then the
 * approval and the liquidation are signed once.
 */
async function submitLiquidation(): Promise<void> {
  const { current } = state;
  if (!current || isBusy()) return;
  setBusy(true);
  try {
    const { pool } = chain();
    const plan = await liquidationPlan();
    const token = tokenOf(plan.d.asset);
    const allowance = big(await token.view('PSP22::allowance', READER, current.address, pool.address));
    const approve = allowance < plan.approve;
    const r = await pool.query('liquidate', current.address, ...liquidateArgs(plan, 0n));
    let received: bigint;
    if (!r.err) received = big(r.value[1]);
    else if (approve && isAllowanceRefusal(r.err.raw)) received = estimateOf(plan).received;
    else throw new Refusal(r.err.text, r.err.raw);
    const args = liquidateArgs(plan, minCollateralOut(received));
    const borrower = shortAddress(plan.borrower);
    if (approve) {
      const approval = { token, amount: plan.approve, transfers: 2 };
      await runApproveAndAct(`Approve ${formatUnits(plan.approve, plan.d.decimals)} ${plan.d.symbol} and liquidate ${borrower} (one transaction)`, approval, pool, 'liquidate', args);
    } else {
      await runTx(`Liquidate ${borrower}`, pool, 'liquidate', args);
    }
  } catch (err) {
    banner(`Liquidation not done: ${(err as Error).message}`);
  } finally {
    await refresh();
    setBusy(false);
    void previewLiquidation();
  }
}

/** The form's inputs (each change previews again), the list's "Liquidate…" buttons and submit. */
export function wireLiquidationForm(): void {
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
}
