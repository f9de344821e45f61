// Unit test of src/history.ts (an account's history from the keeper's index, in words),
// in Node without a browser or a chain.
//   node --test tests/history.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSrc } from './transpile.mjs';

const { describeAction, historyItems } = await loadSrc('history');

const TUSD = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
const TETH = '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y';
const FERDIE = '5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL';
const MARKETS = { [TUSD]: { symbol: 'TUSD', decimals: 6 }, [TETH]: { symbol: 'TETH', decimals: 18 } };
const lookup = (address) => MARKETS[address];
const row = (kind, extra = {}) => ({ block: 7, event_index: 1, kind, asset: TUSD, amount: '5000000000', counterparty: null, seized_asset: null, seized: null, ...extra });

test('every kind of action reads as a sentence with symbols and whole units', () => {
  assert.equal(describeAction(row('supply'), lookup), 'Supplied 5,000 TUSD');
  assert.equal(describeAction(row('supply', { counterparty: FERDIE }), lookup), 'Supplied 5,000 TUSD, paid by 5CiPPs…SK2DjL');
  assert.equal(describeAction(row('withdraw', { counterparty: FERDIE }), lookup), 'Withdrew 5,000 TUSD to 5CiPPs…SK2DjL');
  assert.equal(describeAction(row('borrow'), lookup), 'Borrowed 5,000 TUSD');
  assert.equal(describeAction(row('repay'), lookup), 'Repaid 5,000 TUSD');
  assert.equal(describeAction(row('collateral_on', { asset: TETH, amount: '0' }), lookup), 'Used TETH as collateral');
  assert.equal(describeAction(row('collateral_off', { asset: TETH, amount: '0' }), lookup), 'Stopped using TETH as collateral');
  const seized = { counterparty: FERDIE, seized_asset: TETH, seized: '1990740740740740740' };
  assert.equal(describeAction(row('liquidated', seized), lookup), 'Liquidated by 5CiPPs…SK2DjL: 5,000 TUSD of debt repaid, 1.9907 TETH seized');
  assert.equal(describeAction(row('liquidator', seized), lookup), 'Liquidated 5CiPPs…SK2DjL: repaid 5,000 TUSD of their debt, received 1.9907 TETH');
  assert.equal(describeAction(row('seized_as_supply', { asset: TETH, amount: '10' + '0'.repeat(17) }), lookup), 'Received 1 TETH as supply from a liquidation');
  assert.equal(describeAction(row('bad_debt_written_off'), lookup), '5,000 TUSD of debt written off as bad debt');
});

test('an unknown market or kind is said as such, not dropped', () => {
  assert.equal(describeAction(row('borrow', { asset: FERDIE, amount: '12' }), lookup), 'Borrowed 12 units of 5CiPPs…SK2DjL');
  assert.match(describeAction(row('teleport'), lookup), /teleport \(an action this page does not know\)/);
});

test('list items escape what the index says', () => {
  const hostile = { [TUSD]: { symbol: '<img src=x onerror=alert(1)>', decimals: 6 } };
  const [item] = historyItems([row('borrow')], (a) => hostile[a]);
  const out = item.toString();
  assert.ok(!out.includes('<img'), out);
  assert.match(out, /data-kind="borrow">#7: Borrowed 5,000 &lt;img/);
});
