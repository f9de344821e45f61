// An account's history as the keeper's index serves it (`/api/accounts/<SS58>/history`,
// through web/server.mjs --keeper), turned into list items. Pure: no chain, no DOM.
import { formatUnits, shortAddress } from './format';
import { html, type SafeHtml } from './html';

/** One row of an account's history (amounts are decimal strings of token units). */
export interface KeeperAction {
  block: number;
  event_index: number;
  kind: 'supply' | 'withdraw' | 'borrow' | 'repay' | 'collateral_on' | 'collateral_off' | 'liquidated' | 'liquidator' | 'seized_as_supply' | 'bad_debt_written_off';
  asset: string;
  amount: string;
  counterparty: string | null;
  seized_asset: string | null;
  seized: string | null;
}

/** A market's symbol and decimals, when the page lists it. */
export type AssetLookup = (address: string) => { symbol: string; decimals: number } | undefined;

/** `amount` of `asset` as "1,000 TUSD" (raw units and the address when the market is unknown). */
function amountOf(amount: string, asset: string, lookup: AssetLookup): string {
  const market = lookup(asset);
  return market ? `${formatUnits(BigInt(amount), market.decimals)} ${market.symbol}` : `${amount} units of ${shortAddress(asset)}`;
}

function symbolOf(asset: string, lookup: AssetLookup): string {
  return lookup(asset)?.symbol ?? shortAddress(asset);
}

/** What one history row says, in words. */
export function describeAction(a: KeeperAction, lookup: AssetLookup): string {
  const amount = amountOf(a.amount, a.asset, lookup);
  const other = a.counterparty ? shortAddress(a.counterparty) : '';
  const seized = a.seized_asset && a.seized ? amountOf(a.seized, a.seized_asset, lookup) : '';
  switch (a.kind) {
    case 'supply':
      return other ? `Supplied ${amount}, paid by ${other}` : `Supplied ${amount}`;
    case 'withdraw':
      return other ? `Withdrew ${amount} to ${other}` : `Withdrew ${amount}`;
    case 'borrow':
      return `Borrowed ${amount}`;
    case 'repay':
      return other ? `Repaid ${amount}, paid by ${other}` : `Repaid ${amount}`;
    case 'collateral_on':
      return `Used ${symbolOf(a.asset, lookup)} as collateral`;
    case 'collateral_off':
      return `Stopped using ${symbolOf(a.asset, lookup)} as collateral`;
    case 'liquidated':
      return `Liquidated by ${other}: ${amount} of debt repaid, ${seized} seized`;
    case 'liquidator':
      return `Liquidated ${other}: repaid ${amount} of their debt, received ${seized}`;
    case 'seized_as_supply':
      return `Received ${amount} as supply from a liquidation`;
    case 'bad_debt_written_off':
      return `${amount} of debt written off as bad debt`;
    default:
      return `${String((a as { kind: unknown }).kind)} (an action this page does not know)`;
  }
}

/** The list items of `actions` (newest first, as the index serves them). */
export function historyItems(actions: readonly KeeperAction[], lookup: AssetLookup): SafeHtml[] {
  return actions.map((a) => html`<li data-testid="account-history-item" data-kind="${a.kind}">#${a.block}: ${describeAction(a, lookup)}</li>`);
}
