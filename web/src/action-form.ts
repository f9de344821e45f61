// The Account tab's action form: supply, withdraw, borrow or repay an amount (or Max) of
// a market. Before anything is signed it previews the health factor after the action
// (preview.ts) and the pool's verdict from a dry run; a supply or repayment the pool may
// not take yet is signed with its approval once (tx.ts `runApproveAndAct`).

import { Refusal } from './chain';
import { healthBar } from './charts';
import type { Market } from './contract-views';
import { $, banner } from './dom';
import { isAllowanceRefusal } from './errors';
import { U128_MAX, big, formatUnits, healthText, parseUnits, plainUnits, usd } from './format';
import { html, raw, setHtml } from './html';
import { marketOptions } from './markets-tab';
import { approvalFor, healthAfterAction, maxAmounts, type ActionAmounts, type ActionKind } from './preview';
import { READER, chain, marketOf, refresh, state, tokenOf } from './store';
import { isBusy, runApproveAndAct, runTx, setBusy } from './tx';

/** An action as the form describes it. */
interface Plan extends ActionAmounts {
  kind: ActionKind;
  market: Market;
  /** The allowance the pool needs (0: none). */
  approve: bigint;
}

/** Max was pressed (and nothing changed since): the amount is what Max stands for. */
let maxMode = false;

function planFromForm(): Plan {
  const a = state.account;
  if (!a) throw new Error('Choose an account first.');
  const kind = $<HTMLSelectElement>('#action-kind').value as ActionKind;
  const market = marketOf($<HTMLSelectElement>('#action-market').value);
  const wallet = a.wallet.get(market.asset) ?? 0n;
  let amounts: ActionAmounts;
  if (maxMode) {
    amounts = maxAmounts(kind, market.symbol, a.positions.get(market.asset), a.limits.get(market.asset), wallet);
  } else {
    const amount = parseUnits($<HTMLInputElement>('#action-amount').value, market.decimals, market.symbol);
    amounts = { amount, argAmount: amount };
  }
  return { kind, market, ...amounts, approve: approvalFor(kind, amounts, wallet) };
}

/** The pool message's arguments after its name. */
function callArgs(plan: Plan, me: string): unknown[] {
  return plan.kind === 'borrow' ? [plan.market.asset, plan.argAmount] : [plan.market.asset, plan.argAmount, me];
}

let previewSeq = 0;

/** Shows the health factor after the action and the contract's verdict from a dry run. */
export async function updatePreview(): Promise<void> {
  const seq = ++previewSeq;
  const out = $('#preview');
  // For tests and assistive tech: which inputs the verdict shown belongs to.
  const formKey = () =>
    `${$<HTMLSelectElement>('#action-kind').value}:${state.markets.find((x) => x.asset === $<HTMLSelectElement>('#action-market').value)?.symbol ?? ''}:${maxMode ? 'max' : $<HTMLInputElement>('#action-amount').value.trim()}`;
  out.dataset.state = 'checking';
  const submit = $<HTMLButtonElement>('#action-submit');
  const info = $('#action-info');
  submit.disabled = true;
  const { current, account } = state;
  if (!current || !account || state.markets.length === 0) {
    setHtml(out, raw(''));
    setHtml(info, raw(''));
    return;
  }
  const m = marketOf($<HTMLSelectElement>('#action-market').value || state.markets[0].asset);
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
  const after = healthAfterAction(account, m, p, plan.kind, plan);
  const verdict = raw('<div class="note muted" data-testid="verdict">Checking with a dry run…</div>');
  const hfLine = html`<div class="preview-hf">Health factor <b data-testid="hf-now">${healthText(account.healthFactorWad)}</b> → <b data-testid="hf-after">${healthText(after.healthFactorWad)}</b>
      ${healthBar(after.healthFactorWad, 'hf-after-bar')}
      <small>Debt ${usd(account.debtValueWad)} → ${usd(after.debtValueWad)} · borrowing power ${usd(account.borrowingPowerWad)} → ${usd(after.borrowingPowerWad)}</small></div>`;
  setHtml(out, html`${hfLine}${verdict}`);
  // Client-side checks the contract would also make, with the exact figures.
  const wallet = account.wallet.get(m.asset) ?? 0n;
  let refusal: string | null = null;
  if ((plan.kind === 'supply' || plan.kind === 'repay') && wallet < plan.amount) {
    refusal = `Your wallet holds ${formatUnits(wallet, m.decimals)} ${m.symbol}, less than ${formatUnits(plan.amount, m.decimals)}.`;
  }
  const { pool } = chain();
  let needsApproval = false;
  if (!refusal) {
    try {
      const r = await pool.query(plan.kind, current.address, ...callArgs(plan, current.address));
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
    const allowance = big(await tokenOf(m.asset).view('PSP22::allowance', READER, current.address, pool.address));
    needsApproval = allowance < plan.approve;
  }
  if (seq !== previewSeq) return;
  const steps = needsApproval
    ? html`<div class="note info" data-testid="approval-needed">One signature: a single transaction approves the pool to take ${formatUnits(plan.approve, m.decimals, m.decimals)} ${m.symbol} and makes the ${plan.kind}; both happen, or neither does.</div>`
    : '';
  setHtml(
    out,
    html`${hfLine}${refusal
      ? html`<div class="note bad" data-testid="refusal">The pool would refuse this: ${refusal}</div>`
      : html`<div class="note ok" data-testid="verdict">Dry run passed: the pool accepts this ${plan.kind}${needsApproval ? ' once approved' : ''}.</div>${steps}`}`,
  );
  submit.disabled = Boolean(refusal) || isBusy();
  out.dataset.for = key;
  out.dataset.state = 'done';
}

async function submitAction(): Promise<void> {
  const { current } = state;
  if (!current || isBusy()) return;
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
  const { pool } = chain();
  try {
    const token = tokenOf(m.asset);
    const amountText = plan.argAmount === U128_MAX ? `max (${formatUnits(plan.amount, m.decimals)})` : formatUnits(plan.amount, m.decimals);
    const act = `${plan.kind} ${amountText} ${m.symbol}`;
    const allowance = plan.approve > 0n ? big(await token.view('PSP22::allowance', READER, current.address, pool.address)) : 0n;
    if (plan.approve > 0n && allowance < plan.approve) {
      const label = `Approve ${formatUnits(plan.approve, m.decimals, m.decimals)} ${m.symbol} and ${act} (one transaction)`;
      await runApproveAndAct(label, { token, amount: plan.approve, transfers: 1 }, pool, plan.kind, callArgs(plan, current.address));
    } else {
      await runTx(`${act[0].toUpperCase()}${act.slice(1)}`, pool, plan.kind, callArgs(plan, current.address));
    }
    banner('');
    $<HTMLInputElement>('#action-amount').value = '';
    maxMode = false;
  } catch (err) {
    banner(err instanceof Refusal ? `Not submitted: ${err.message}` : `Failed: ${(err as Error).message}`);
  } finally {
    await refresh();
    setBusy(false);
  }
}

/** The form's market choices, the current one kept. */
export function fillActionMarkets(): void {
  const select = $<HTMLSelectElement>('#action-market');
  setHtml(select, marketOptions(select.value));
}

/** The form's inputs (a preview 250 ms after typing stops), Max, submit, and the positions' action buttons. */
export function wireActionForm(): void {
  let timer: number | undefined;
  const later = () => {
    maxMode = false;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void updatePreview(), 250);
  };
  $('#action-amount').addEventListener('input', later);
  $('#action-kind').addEventListener('change', later);
  $('#action-market').addEventListener('change', later);
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
}
