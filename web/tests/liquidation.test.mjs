// A liquidation in Chromium. From Node: //Alice lends TUSD, //Dave supplies 10 TETH and
// borrows just under his limit (LTV 80 %, liquidation threshold 85 %: health 1.06), then
// the five reporters move the TETH price 10 % down (within the oracle's 20 % deviation
// guard, so one round is accepted): Dave's health factor falls to about 0.96. In the
// browser, //Ferdie finds Dave in the Liquidations list (from the keeper's index, which
// web/run-tests.sh runs behind this deployment's server), previews a 5,000 TUSD repayment
// (the collateral and bonus it brings), liquidates (the approval and the liquidation signed
// once, as one batch), and sees Dave's debt drop by 5,000 and the liquidation in the
// history (the keeper's again).
// CARRACK_WEB_URL_LIQUIDATION: the app served with deploy/devnet.toml deployed without
// the liquidation grace period (web/run-tests.sh), which would otherwise hold
// liquidations back for 10 minutes after the feeds turned Ok at deployment.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withFailureShot, launch, open, pickAccount, screenshot, tab, txRowCount, waitForOneTx } from './helpers.mjs';
import { devnet, units } from './chain.mjs';

const URL = process.env.CARRACK_WEB_URL_LIQUIDATION;
const WAD = 10n ** 18n;
let session;
let chain;

before(async () => {
  assert.ok(URL, 'CARRACK_WEB_URL_LIQUIDATION must point at the app served with the liquidation deployment');
  chain = await devnet(URL);
  session = await launch();
});
after(async () => {
  await session?.close();
  await chain?.close();
});

const num = (text) => Number(text.replace(/[$,]/g, ''));
const short = (address) => `${address.slice(0, 6)}…${address.slice(-6)}`;

/** Makes //Dave liquidatable; returns what the browser should then show. */
async function makeDaveLiquidatable() {
  const pool = await chain.contract('pool', 'carrack_pool');
  const oracle = await chain.contract('oracle', 'carrack_oracle');
  const tusd = await chain.contract('token:TUSD', 'carrack_token');
  const teth = await chain.contract('token:TETH', 'carrack_token');
  const [alice, dave, ferdie] = ['//Alice', '//Dave', '//Ferdie'].map((uri) => chain.key(uri));

  // //Alice (the deployer, holding every test token and minting them) lends 100,000 TUSD.
  const lent = units('100000', 6);
  await tusd.tx('PSP22::approve', alice, pool.address, lent);
  await pool.tx('supply', alice, tusd.address, lent, alice.address);
  // //Dave: 10 TETH of collateral, then 99.9 % of what he may borrow.
  const collateral = units('10', 18);
  await teth.tx('PSP22Mintable::mint', alice, dave.address, collateral);
  await teth.tx('PSP22::approve', dave, pool.address, collateral);
  await pool.tx('supply', dave, teth.address, collateral, dave.address);
  const { maxBorrow } = await pool.view('limits', dave.address, dave.address, tusd.address);
  const borrowed = (BigInt(maxBorrow) * 999n) / 1000n;
  assert.ok(borrowed > units('23000', 6), `Dave may borrow ${maxBorrow} TUSD units, expected about 24,000 TUSD`);
  await pool.tx('borrow', dave, tusd.address, borrowed);
  // //Ferdie, the liquidator, gets TUSD to repay with.
  await tusd.tx('PSP22Mintable::mint', alice, ferdie.address, units('10000', 6));

  // TETH from $3,000 to $2,700: a round closes once every reporter has submitted, and a
  // 10 % move is within the 20 % deviation guard, so its median is accepted at once. Each
  // reporter's observation must be newer than its last one and not after the block's time.
  const feed = await oracle.view('feed_info', alice.address, teth.address);
  assert.equal(BigInt(feed.price), 3_000n * 10n ** 8n, 'TETH starts at $3,000');
  const now = await chain.chainNowSecs();
  const reporters = feed.reporters.filter((r) => r.lastObservedAtSecs < now).map((r) => r.account);
  assert.equal(reporters.length, feed.reporters.length, `only ${reporters.length} reporters can submit at chain time ${now}`);
  const keys = ['//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map((uri) => chain.key(uri));
  for (const account of reporters) {
    const reporter = keys.find((k) => k.address === account);
    assert.ok(reporter, `reporter ${account} is not a dev account`);
    await oracle.tx('submit', reporter, teth.address, 2_700n * 10n ** 8n, now);
  }
  const price = await oracle.view('PriceOracle::price', alice.address, teth.address);
  assert.equal(BigInt(price.value), 2_700n * 10n ** 8n, `the round was not accepted: ${JSON.stringify(price)}`);
  assert.equal(price.status, 'Ok');

  const view = await pool.view('account', alice.address, dave.address);
  const hf = BigInt(view.healthFactorWad);
  assert.ok(hf < WAD && hf > (95n * WAD) / 100n, `Dave's health factor ${Number(hf) / 1e18} should be a little below 1`);
  return { dave, pool, tusd, teth, debtValue: Number(BigInt(view.debtValueWad) / 10n ** 16n) / 100 };
}

test('an account below health 1 is listed, previewed and liquidated from the browser', { timeout: 180_000 }, async () => {
  const { page, problems } = session;
  await withFailureShot(page, 'liquidation', async () => {
    const { dave, pool, tusd, debtValue } = await makeDaveLiquidatable();

    await open(page, URL);
    await pickAccount(page, '//Ferdie');
    await tab(page, 'liquidations');
    const row = page.locator(`[data-testid=liq-row][data-address="${dave.address}"]`);
    await row.waitFor({ timeout: 60_000 }).catch(async () => {
      throw new Error(`Dave is not listed as liquidatable; the page says: ${await page.locator('[data-testid=liq-summary]').textContent()}`);
    });
    // The list comes from the keeper's index (web/run-tests.sh serves this deployment with a
    // report-only keeper behind it), each listed account re-read on chain by the page.
    const summary = await page.locator('[data-testid=liq-summary]').textContent();
    assert.match(summary, /in the keeper's index \(to block #\d+\); 1 below health factor 1/, summary);
    const hf = Number(await row.locator('[data-testid=liq-hf]').textContent());
    assert.ok(hf < 1 && hf >= 0.95, `health factor shown ${hf}, expected 0.95..1`);
    const shownDebt = num(await row.locator('[data-testid=liq-debt-value]').textContent());
    assert.ok(Math.abs(shownDebt - debtValue) < 1, `debt value shown $${shownDebt}, Node read $${debtValue}`);

    // The form: repay 5,000 TUSD, seize TETH. The liquidator has no allowance yet, so the
    // preview is the estimate from the market's bonus (7.5 %) and protocol fee (10 % of
    // the bonus): 5,000 * 1.075 / 2,700 TETH seized, 5,000 * 0.075 * 0.1 / 2,700 of it
    // to the protocol, so 1.97685 TETH ($5,337.50) received: a $337.50 bonus.
    await row.locator('button[data-liquidate]').click();
    assert.equal(await page.inputValue('#liq-borrower'), dave.address);
    await page.selectOption('#liq-debt', { label: 'TUSD' });
    await page.selectOption('#liq-collateral', { label: 'TETH' });
    await page.fill('#liq-amount', '5000');
    const expected = page.locator('[data-testid=liq-expected][data-for="5000"]');
    await expected.waitFor({ timeout: 30_000 }).catch(async () => {
      throw new Error(`no liquidation preview; the form says: ${await page.locator('#liq-preview').textContent()}`);
    });
    const preview = (await expected.textContent()).replace(/\s+/g, ' ');
    assert.match(preview, /You repay 5,000 TUSD \(\$5,000\)/, preview);
    assert.match(preview, /receive 1\.9768 TETH \(\$5,337\.(49|5)\)/, preview);
    const bonus = num(/a bonus of \$([\d,]+(\.\d+)?)/.exec(preview)?.[1] ?? 'NaN');
    assert.ok(Math.abs(bonus - 337.5) <= 0.01, `bonus shown $${bonus}, expected $337.50 (${preview})`);
    assert.equal(await page.locator('#liq-submit').isDisabled(), false);
    await screenshot(page, 'liquidations');

    // Approve 5,000 TUSD and liquidate, signed once: one transaction, a batch of both,
    // the approval spent by the liquidation.
    const firstBlock = (await chain.api.rpc.chain.getHeader()).number.toNumber();
    const before = await txRowCount(page);
    await page.click('#liq-submit');
    const tx = await waitForOneTx(page, before);
    assert.equal(tx.calls, 2, 'the approval and the liquidation in one batch');
    assert.match(await page.locator('[data-testid=tx-step] .tx-label').first().textContent(), /^Approve 5,000 TUSD and liquidate .+ \(one transaction\)$/);
    const ferdie = chain.key('//Ferdie').address;
    const batches = await chain.batches(ferdie, { from: firstBlock });
    assert.equal(batches.length, 1, JSON.stringify(batches));
    assert.deepEqual(batches[0].calls.map((c) => c.dest), [tusd.address, pool.address]);
    assert.equal(batches[0].completed, true);
    assert.equal(BigInt(await tusd.view('PSP22::allowance', ferdie, ferdie, pool.address)), 0n, 'the liquidation spent the approval');
    // Dave is still below 1 (a liquidation at a 7.5 % bonus takes more collateral value
    // than it repays), now with $5,000 less debt.
    await page.waitForFunction(
      ([address, before]) => {
        const cell = document.querySelector(`[data-testid=liq-row][data-address="${address}"] [data-testid=liq-debt-value]`);
        return cell && Number(cell.textContent.replace(/[$,]/g, '')) < before - 4_999;
      },
      [dave.address, shownDebt],
      { timeout: 30_000 },
    );
    const debtAfter = num(await row.locator('[data-testid=liq-debt-value]').textContent());
    assert.ok(Math.abs(shownDebt - debtAfter - 5_000) < 1, `debt went from $${shownDebt} to $${debtAfter}, expected $5,000 less`);
    // The history is the keeper's too: it shows the liquidation once the keeper indexed its
    // (finalized) block.
    const expectedHistory = new RegExp(`${short(chain.key('//Ferdie').address)} repaid 5,000 TUSD of ${short(dave.address)}'s debt and seized 1\\.9907 TETH`);
    await page
      .waitForFunction((source) => new RegExp(source).test((document.querySelector('#liq-history li')?.textContent ?? '').replace(/\s+/g, ' ')), expectedHistory.source, { timeout: 30_000 })
      .catch(async () => {
        throw new Error(`the liquidation is not in the history: ${await page.locator('#liq-history').textContent()}`);
      });

    // The chain agrees: Dave owes 5,000 TUSD less.
    const view = await pool.view('account', dave.address, dave.address);
    const debt = BigInt(view.positions.find((p) => p.position.asset === tusd.address).debt);
    const { maxBorrow } = await pool.view('limits', dave.address, dave.address, tusd.address);
    assert.equal(BigInt(maxBorrow), 0n, 'Dave may not borrow more while below health 1');
    assert.ok(debt < units('19000', 6) && debt > units('18900', 6), `Dave owes ${debt} TUSD units after the liquidation`);

    // Dave's history on the Account tab, from the keeper's index too: newest first, the
    // liquidation (by Ferdie, what was repaid and seized), then his borrow and his supply.
    await pickAccount(page, '//Dave');
    await tab(page, 'account');
    const liquidatedItem = page.locator('[data-testid=account-history-item][data-kind=liquidated]');
    await liquidatedItem.waitFor({ timeout: 30_000 }).catch(async () => {
      throw new Error(`the liquidation is not in Dave's history: ${await page.locator('#view-account').textContent()}`);
    });
    const items = await page.locator('[data-testid=account-history-item]').evaluateAll((lis) => lis.map((li) => [li.dataset.kind, li.textContent.replace(/\s+/g, ' ')]));
    const kinds = items.map(([kind]) => kind);
    assert.ok(kinds.indexOf('liquidated') < kinds.indexOf('borrow') && kinds.indexOf('borrow') < kinds.indexOf('supply'), `Dave's history, newest first: ${JSON.stringify(items)}`);
    assert.match(items[kinds.indexOf('liquidated')][1], new RegExp(`Liquidated by ${short(chain.key('//Ferdie').address)}: 5,000 TUSD of debt repaid, 1\\.9907 TETH seized`));
    assert.match(items[kinds.indexOf('borrow')][1], /Borrowed 2\d,\d{3}(\.\d+)? TUSD/);
    assert.match(items[kinds.indexOf('supply')][1], /Supplied 10 TETH$/);
    assert.match(await page.locator('[data-testid=account-history-note]').textContent(), /in the keeper's index \(to block #\d+\)/);
    await screenshot(page, 'account-history');
    assert.deepEqual(problems, []);
  });
});
