// The Governance tab: the governor's settings, the chosen account's CGOV, votes and
// delegate, the latest 20 proposals with their state and tally (voting buttons while
// Active), and delegating.

import type { GovernorSettingsView, IntJson, ProposalView } from './contract-views';
import { $, banner } from './dom';
import { scanEvents, scanned } from './events';
import { big, formatUnits, shortAddress } from './format';
import { html, raw, setHtml, type SafeHtml } from './html';
import { READER, chain, refresh, state } from './store';
import { isBusy, runTx, setBusy } from './tx';

/** CGOV's decimals. */
const GOV_TOKEN_DECIMALS = 18;

/** A basis-point figure as a percentage ("4.00"). */
const bpsText = (bps: IntJson) => (Number(bps) / 100).toFixed(2);

function stateChipClass(proposalState: string): string {
  if (proposalState === 'Active') return 'warn';
  return proposalState === 'Defeated' || proposalState === 'Canceled' || proposalState === 'Expired' ? 'bad' : 'ok';
}

// Each refresh renders anew; a slower, older render must not overwrite a newer one.
let govRenderSeq = 0;

/** The settings, the chosen account's voting power and the proposals. */
export async function renderGovernance(): Promise<void> {
  const seq = ++govRenderSeq;
  const stale = () => seq !== govRenderSeq;
  const { governor, govToken } = chain();
  if (!governor || !govToken) {
    $('#gov-settings').textContent = 'The manifest lists no governor.';
    return;
  }
  const { current } = state;
  try {
    // Proposal descriptions come from the ProposalCreated events.
    await scanEvents();
    const s: GovernorSettingsView = await governor.view('settings', READER);
    const totalSupply = big(await govToken.view('PSP22::total_supply', READER));
    if (stale()) return;
    setHtml($('#gov-settings'), html`Voting opens ${s.params.votingDelayBlocks} block(s) after a proposal and lasts ${s.params.votingPeriodBlocks} blocks.
      Proposing needs ${formatUnits(big(s.params.proposalThreshold), GOV_TOKEN_DECIMALS, 0)} CGOV of votes; quorum ${bpsText(s.params.quorumBps)} % of ${formatUnits(totalSupply, GOV_TOKEN_DECIMALS, 0)} CGOV.
      Passed proposals wait in the timelock ${shortAddress(s.timelock)} before anyone may execute them.`);
    if (current) {
      const [balance, votes, delegate] = await Promise.all([
        govToken.view('PSP22::balance_of', READER, current.address),
        govToken.view('Votes::get_votes', READER, current.address),
        govToken.view('Votes::delegates', READER, current.address) as Promise<string | null>,
      ]);
      if (stale()) return;
      setHtml($('#gov-me'), html`You hold <b data-testid="cgov-balance">${formatUnits(big(balance), GOV_TOKEN_DECIMALS, 2)}</b> CGOV and have <b data-testid="votes">${formatUnits(big(votes), GOV_TOKEN_DECIMALS, 2)}</b> votes;
        your tokens are delegated to <b data-testid="delegate">${delegate ? (delegate === current.address ? 'yourself' : shortAddress(delegate)) : 'nobody (they do not vote)'}</b>.`);
    } else {
      $('#gov-me').textContent = 'Choose an account to vote and delegate.';
    }
    const count = Number(s.proposalCount);
    const rows: SafeHtml[] = [];
    for (let id = count - 1; id >= 0 && id >= count - 20; id -= 1) {
      const [p, stateR, receipt] = await Promise.all([
        governor.view('proposal', READER, id) as Promise<ProposalView | null>,
        governor.query('state', READER, id),
        current ? governor.view('receipt', READER, id, current.address) : Promise.resolve(null),
      ]);
      if (!p) continue;
      const proposalState = stateR.err ? `unknown (${stateR.err.text})` : String(stateR.value);
      const f = big(p.tally.forVotes);
      const ag = big(p.tally.againstVotes);
      const ab = big(p.tally.abstainVotes);
      const total = f + ag + ab || 1n;
      const bar = (v: bigint, cls: string) => html`<div class="${cls}" style="width:${Number((v * 1000n) / total) / 10}%"></div>`;
      const quorum = p.quorumVotes !== null && p.quorumVotes !== undefined ? formatUnits(big(p.quorumVotes), GOV_TOKEN_DECIMALS, 0) : `${bpsText(p.quorumBps)} % of supply at the snapshot`;
      const vote = proposalState === 'Active' && current && !receipt
        ? html`<div class="vote">${['For', 'Against', 'Abstain'].map((v) => html`<button class="small" data-vote="${v}" data-proposal="${id}">${v}</button>`)}</div>`
        : receipt ? html`<small data-testid="receipt">You voted ${String(receipt)}.</small>` : '';
      rows.push(html`<div class="card proposal" data-testid="proposal" data-id="${id}">
        <div><b>#${id}</b> <span class="chip ${stateChipClass(proposalState)}" data-testid="proposal-state">${proposalState}</span>
          ${scanned.proposalDescriptions.get(id) ?? '(description not found in the scanned events)'}</div>
        <small>by ${shortAddress(p.proposer)} · snapshot #${p.snapshotBlock} · voting ends #${p.deadlineBlock} · quorum ${quorum}</small>
        <div class="tally">${bar(f, 'for')}${bar(ag, 'against')}${bar(ab, 'abstain')}</div>
        <small>For <span data-testid="votes-for">${formatUnits(f, GOV_TOKEN_DECIMALS, 2)}</span> · Against <span data-testid="votes-against">${formatUnits(ag, GOV_TOKEN_DECIMALS, 2)}</span> · Abstain <span data-testid="votes-abstain">${formatUnits(ab, GOV_TOKEN_DECIMALS, 2)}</span></small>
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
  const { governor } = chain();
  if (!governor || isBusy()) return;
  setBusy(true);
  try {
    await runTx(`Vote ${support} on proposal #${id}`, governor, 'cast_vote', [id, support]);
  } catch (err) {
    banner(`Vote not cast: ${(err as Error).message}`);
  } finally {
    await refresh();
    setBusy(false);
  }
}

/** Delegates to the form's address: empty, "me" or "self" for yourself, "none" to stop. */
async function delegateVotes(): Promise<void> {
  const { api, govToken } = chain();
  const { current } = state;
  if (!govToken || !current || isBusy()) return;
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
  }
}

/** The proposals' voting buttons and the delegate form. */
export function wireGovernance(): void {
  $('#proposals').addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-vote]');
    if (b) void castVote(Number(b.dataset.proposal), b.dataset.vote!);
  });
  $('#delegate-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void delegateVotes();
  });
}
