// The main flow in Chromium against a devnet deployed from deploy/devnet.toml:
// pick a dev account, get test tokens, supply, borrow (the health factor changes as
// previewed), see a refusal in plain words, repay with Max, withdraw with Max. A supply or
// repayment that needs an approval is signed once: one transaction, a `utility.batchAll`
// of the approval and the action, both of which happened on chain.
// CARRACK_WEB_URL: the served app (web/run-tests.sh sets it).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withFailureShot, cell, healthFactor, launch, open, pickAccount, prepare, screenshot, tab, txRowCount, waitForOneTx, waitForTxs } from './helpers.mjs';
import { devnet } from './chain.mjs';

const URL = process.env.CARRACK_WEB_URL;
let session;
let chain;

before(async () => {
  assert.ok(URL, 'CARRACK_WEB_URL must point at the served app');
  chain = await devnet(URL);
  session = await launch();
});
after(async () => {
  await session?.close();
  await chain?.close();
});

/**
 * The one transaction a click signed, in block `hash`: //Charlie's batch of the approval
 * of `token` and the pool's action, completed, with events from both contracts; and no
 * allowance left over when the action spent all of it.
 */
async function assertApprovedAndActed(hash, token, { allowanceLeft = 0n } = {}) {
  const pool = chain.address('pool');
  const charlie = chain.key('//Charlie').address;
  const [batch, ...more] = await chain.batches(charlie, { hash });
  assert.equal(more.length, 0);
  assert.deepEqual(batch?.calls, [{ call: 'contracts.call', dest: token.address }, { call: 'contracts.call', dest: pool }], JSON.stringify(batch));
  assert.equal(batch.completed, true, JSON.stringify(batch));
  assert.ok(batch.emitters.includes(token.address) && batch.emitters.includes(pool), `events from ${batch.emitters.join(', ')}`);
  const allowance = BigInt(await token.view('PSP22::allowance', charlie, charlie, pool));
  if (allowanceLeft === 0n) assert.equal(allowance, 0n);
  else assert.ok(allowance > 0n && allowance <= allowanceLeft, `allowance left ${allowance}`);
}

const num = (text) => Number(text.replace(/[,$∞]/g, '') || 'NaN');

test('markets show prices, Ok oracle status, rates and the rate curves', async () => {
  const { page } = session;
  await withFailureShot(page, 'markets-show-prices-Ok-oracle-status-rat', async () => {
    await open(page, URL);
    const rows = page.locator('[data-testid=market-row]');
    assert.equal(await rows.count(), 3);
    for (const symbol of ['TUSD', 'TBTC', 'TETH']) {
      const row = page.locator(`[data-testid=market-row][data-symbol=${symbol}]`);
      assert.equal((await row.locator('[data-testid=oracle-status]').textContent()).trim(), 'Ok');
    }
    assert.match(await page.locator('[data-testid=market-row][data-symbol=TBTC]').textContent(), /\$60,000/);
    assert.equal(await page.locator('svg.curve').count(), 3);
    // No two labels of a curve overlap, and none leaves the picture (TUSD's kink is at 90 %).
    const clashes = await page.$$eval('svg.curve', (svgs) => svgs.flatMap((svg) => {
      const view = svg.viewBox.baseVal;
      const boxes = [...svg.querySelectorAll('text')].map((t) => ({ text: t.textContent, box: t.getBBox() }));
      const out = [];
      for (const [i, a] of boxes.entries()) {
        if (a.box.x < view.x || a.box.y < view.y || a.box.x + a.box.width > view.x + view.width || a.box.y + a.box.height > view.y + view.height) {
          out.push(`${svg.getAttribute('aria-label')}: "${a.text}" leaves the picture`);
        }
        for (const b of boxes.slice(i + 1)) {
          const apart = a.box.x + a.box.width <= b.box.x || b.box.x + b.box.width <= a.box.x || a.box.y + a.box.height <= b.box.y || b.box.y + b.box.height <= a.box.y;
          if (!apart) out.push(`${svg.getAttribute('aria-label')}: "${a.text}" overlaps "${b.text}"`);
        }
      }
      return out;
    }));
    assert.deepEqual(clashes, [], 'rate-curve labels overlap');
    assert.match(await page.locator('#curves').textContent(), /kink 90%.*kink 45%.*kink 80%/s);
    await screenshot(page, 'markets');
  });
});

test('supply, borrow, health factor, refusal, repay with Max, withdraw with Max', async () => {
  const { page, problems } = session;
  await withFailureShot(page, 'supply-borrow-health-factor-refusal-repa', async () => {
    await open(page, URL);
    // A lender first: //Alice (the deployer, holding the test tokens) supplies 100,000 TUSD.
    await pickAccount(page, '//Alice');
    await tab(page, 'account');
    await page.waitForSelector('[data-testid=position-row][data-symbol=TUSD]');
    const lent = num(await cell(page, 'TUSD', 'supplied'));
    assert.equal(await prepare(page, 'supply', 'TUSD', '100000'), null);
    await page.click('[data-testid=action-submit]');
    await waitForTxs(page, 1);
    await page.waitForFunction((was) => Number(document.querySelector('[data-testid=position-row][data-symbol=TUSD] [data-testid=supplied]')?.textContent.replace(/,/g, '')) >= was + 100000, lent);

    await pickAccount(page, '//Charlie');
    await page.click('[data-testid=faucet]');
    await waitForTxs(page, 3);
    await tab(page, 'account');
    await page.waitForFunction(() => document.querySelector('[data-testid=position-row][data-symbol=TETH] [data-testid=wallet]')?.textContent !== '0');
    assert.equal(await healthFactor(page), '∞');

    // Supply 2 TETH: the approval and the supply signed once, as one transaction.
    assert.equal(await prepare(page, 'supply', 'TETH', '2'), null);
    assert.match(await page.locator('[data-testid=approval-needed]').textContent(), /One signature: a single transaction approves the pool to take 2 TETH and makes the supply/);
    let before = await txRowCount(page);
    await page.click('[data-testid=action-submit]');
    let tx = await waitForOneTx(page, before);
    assert.equal(tx.calls, 2, 'the approval and the supply in one batch');
    assert.match(await page.locator('[data-testid=tx-step] .tx-label').first().textContent(), /^Approve 2 TETH and supply 2 TETH \(one transaction\)$/);
    await assertApprovedAndActed(tx.block, await chain.contract('token:TETH', 'carrack_token'));
    await page.waitForFunction(() => document.querySelector('[data-testid=position-row][data-symbol=TETH] [data-testid=supplied]')?.textContent === '2');
    // 2 TETH at $3,000 with an 80 % LTV.
    assert.equal((await page.locator('[data-testid=borrowing-power]').textContent()).trim(), '$4,800');

    // Borrowing beyond the power is refused before anything is submitted, in plain words.
    const refusal = await prepare(page, 'borrow', 'TUSD', '5000');
    assert.match(refusal, /would refuse this: Your debt would exceed your borrowing power/);
    assert.ok(await page.locator('[data-testid=action-submit]').isDisabled());

    // Borrow 3,000 TUSD: the preview says 2 * 3,000 * 85 % / 3,000 = 1.70.
    assert.equal(await prepare(page, 'borrow', 'TUSD', '3000'), null);
    assert.equal((await page.locator('[data-testid=hf-after]').textContent()).trim(), '1.70');
    await screenshot(page, 'account-borrow-preview');
    await page.click('[data-testid=action-submit]');
    await waitForTxs(page, 1);
    await page.waitForFunction(() => document.querySelector('[data-testid=health-factor]')?.textContent !== '∞');
    const hf = num(await healthFactor(page));
    assert.ok(hf > 1.68 && hf <= 1.70, `health factor ${hf} after borrowing`);
    assert.match(await cell(page, 'TUSD', 'borrowed'), /^3,000(\.\d+)?$/);
    await screenshot(page, 'account');

    // Repay with Max: approve a little over the debt and repay(u128::MAX), signed once;
    // what the interest did not take of the 0.1 % margin (3 TUSD and a unit) is left.
    assert.equal(await prepare(page, 'repay', 'TUSD', 'max'), null);
    assert.equal((await page.locator('[data-testid=hf-after]').textContent()).trim(), '∞');
    // A new block re-renders the preview (the note goes while it checks again): wait for it.
    await page.locator('[data-testid=approval-needed]').waitFor({ timeout: 30_000 });
    before = await txRowCount(page);
    await page.click('[data-testid=action-submit]');
    tx = await waitForOneTx(page, before);
    assert.equal(tx.calls, 2, 'the approval and the repayment in one batch');
    await assertApprovedAndActed(tx.block, await chain.contract('token:TUSD', 'carrack_token'), { allowanceLeft: 3_000_001n });
    await page.waitForFunction(() => document.querySelector('[data-testid=health-factor]')?.textContent === '∞');
    assert.equal(await cell(page, 'TUSD', 'borrowed'), '0');

    // Withdraw with Max: everything comes back.
    assert.equal(await prepare(page, 'withdraw', 'TETH', 'max'), null);
    await page.click('[data-testid=action-submit]');
    await waitForTxs(page, 1);
    await page.waitForFunction(() => document.querySelector('[data-testid=position-row][data-symbol=TETH] [data-testid=supplied]')?.textContent === '0');
    assert.deepEqual(problems, []);
  });
});

test('liquidations and governance views load', async () => {
  const { page, problems } = session;
  await withFailureShot(page, 'liquidations-and-governance-views-load', async () => {
    await tab(page, 'liquidations');
    await page.waitForFunction(() => /borrower\(s\) found/.test(document.querySelector('[data-testid=liq-summary]')?.textContent ?? ''));
    assert.match(await page.locator('[data-testid=liq-summary]').textContent(), /1 borrower\(s\) found.*0 below health factor 1/);
    await tab(page, 'governance');
    await pickAccount(page, '//Alice');
    await page.waitForFunction(() => document.querySelector('[data-testid=delegate]')?.textContent === 'yourself');
    assert.match(await page.locator('[data-testid=votes]').textContent(), /^1,000,000/);
    // The screenshots of these views, with a liquidatable account and a proposal with
    // votes, come from liquidation.test.mjs and governance.test.mjs.
    assert.deepEqual(problems, []);
  });
});
