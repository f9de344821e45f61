// The transaction flow. Every transaction the app sends goes through here, and none
// before the deployment is verified. Each gets a row in the account tab's status list
// (dry run, signature, pending, in block, finalized or failed; body[data-busy] while an
// action runs). A call that needs an approval first (the pool takes the user's tokens) is
// signed once with it, as one `utility.batchAll`: the wallet asks once, and the approval
// and the call both happen or, if either fails on chain, neither does.

import { Refusal, signAndWatch, type Account, type Contract, type TxStatus } from './chain';
import { $ } from './dom';
import { html, setHtml } from './html';
import { chain, isVerified, state } from './store';

const PENDING_CHIPS: Record<TxStatus['step'], string> = {
  'dry-run': 'Checking (dry run)…',
  signing: 'Waiting for signature…',
  pending: 'Pending: submitted, waiting for a block…',
  'in-block': 'In block',
  finalized: 'Finalized',
  failed: 'Failed',
};

let busy = false;
const idleListeners: (() => void)[] = [];

/** Whether an action runs (until the page has re-read the chain after it). */
export function isBusy(): boolean {
  return busy;
}

/** Has `listener` called whenever an action is done (e.g. to re-enable a form's submit). */
export function onIdle(listener: () => void): void {
  idleListeners.push(listener);
}

/** Marks an action running or done (body[data-busy]); done tells the `onIdle` listeners. */
export function setBusy(value: boolean): void {
  busy = value;
  document.body.dataset.busy = String(value);
  if (!value) for (const listener of idleListeners) listener();
}

/**
 * A new row on top of the status list for one signed transaction of `calls` calls
 * (li[data-testid=tx-step][data-calls][data-state][data-block]); returns its reporter.
 */
function addStatusRow(label: string, calls: number): (s: TxStatus) => void {
  const row = document.createElement('li');
  row.dataset.testid = 'tx-step';
  row.dataset.calls = String(calls);
  setHtml(row, html`<span class="tx-label">${label}</span> <span class="chip" data-testid="tx-state">Queued</span> <small></small>`);
  $('#tx-status').prepend(row);
  const chip = row.querySelector('.chip') as HTMLElement;
  const small = row.querySelector('small') as HTMLElement;
  return (s) => {
    chip.textContent = PENDING_CHIPS[s.step];
    chip.className = `chip ${s.step === 'failed' ? 'bad' : s.step === 'finalized' || s.step === 'in-block' ? 'ok' : 'warn'}`;
    row.dataset.state = s.step;
    if (s.step === 'in-block' || s.step === 'finalized') {
      row.dataset.block = s.block;
      void chain().api.rpc.chain.getHeader(s.block).then((h) => {
        small.textContent = `#${h.number.toNumber()} (${s.block.slice(0, 10)}…)`;
      });
    }
    if (s.step === 'failed') small.textContent = s.reason;
  };
}

/** The signer: the chosen account, once the deployment is verified. */
function signerOr(signer: Account | null): Account {
  if (!isVerified()) throw new Refusal('the deployment has not been verified (see the banner): nothing is signed', null);
  if (!signer) throw new Refusal('Choose an account first.', null);
  return signer;
}

/** Signs `contract`'s `message` with `args` (dry-run first); resolves with the dry run's value once in a block. */
export async function runTx(label: string, contract: Contract, message: string, args: unknown[], signer: Account | null = state.current): Promise<any> {
  const account = signerOr(signer);
  const report = addStatusRow(label, 1);
  try {
    const { value } = await contract.tx(message, account, args, report);
    return value;
  } catch (err) {
    report({ step: 'failed', reason: (err as Error).message });
    throw err;
  }
}

/** The approval a pool call spends: `amount` of `token`, taken in `transfers` token transfers. */
export interface Approval {
  token: Contract;
  amount: bigint;
  /** The call's token transfers (a supply's or repayment's pull: 1; a liquidation's pull and collateral out: 2). */
  transfers: number;
}

/**
 * Signs `PSP22::approve(contract, approval.amount)` and `contract`'s `message` with `args`
 * once, as `utility.batchAll([approve, message])` by the chosen account. Both are dry-run
 * first (the message's dry run may be refused only for the allowance the approval gives;
 * its limits then come from `Contract.callAfterApproval`); resolves once in a block.
 */
export async function runApproveAndAct(label: string, approval: Approval, contract: Contract, message: string, args: unknown[]): Promise<void> {
  const account = signerOr(state.current);
  const report = addStatusRow(label, 2);
  try {
    report({ step: 'dry-run' });
    const approve = await approval.token.call('PSP22::approve', account.address, [contract.address, approval.amount]);
    const act = await contract.callAfterApproval(message, account.address, args, approval.token, approval.transfers);
    const { api } = chain();
    const batch = api.tx.utility.batchAll([approve.extrinsic, act.extrinsic]);
    report({ step: 'signing' });
    await signAndWatch(api, batch, account, report);
  } catch (err) {
    report({ step: 'failed', reason: (err as Error).message });
    throw err;
  }
}
