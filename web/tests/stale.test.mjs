// A stale price feed in Chromium: the deployment of tests/stale.toml has a 30 s oracle
// heartbeat. Supplying works whatever the prices; once the heartbeat has passed and a
// block moves the chain clock (the dev node seals a block per transaction), the markets
// show Stale and a borrow is refused, before submission, with a readable reason.
// CARRACK_WEB_URL_STALE: the app served with that deployment's manifest;
// The test first refreshes every feed with a full round of the five reporters (other
// tests ran since the deployment, and supplies only become collateral at an Ok price).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withFailureShot, launch, open, pickAccount, prepare, screenshot, tab, txRowCount, waitForOneTx, waitForTxs } from './helpers.mjs';
import { devnet } from './chain.mjs';

const URL = process.env.CARRACK_WEB_URL_STALE;
const HEARTBEAT_SECS = 30;
let session;

/** Every feed gets its current price again from all five reporters (a round closes when
 * every reporter has submitted); returns when (Unix ms) the prices were refreshed. */
async function refreshPrices() {
  const chain = await devnet(URL);
  try {
    const oracle = await chain.contract('oracle', 'carrack_oracle');
    const [alice, ...reporters] = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map((uri) => chain.key(uri));
    const assets = await oracle.view('assets', alice.address);
    for (const asset of assets) {
      const feed = await oracle.view('feed_info', alice.address, asset);
      // The dev node seals a block per transaction, so between transactions its clock
      // (the newest block's time) stands still: after a quiet spell it can lie more than
      // the 10 s round window behind the block a submission lands in, and a submission
      // observed at it passes its dry run (same old clock) but is refused on chain as
      // SubmissionTooOld. A block first brings the clock to the present.
      await chain.block(alice);
      for (const reporter of reporters) {
        // Observed no later than the chain's clock (else ObservedInFuture), read per
        // submission: each one's block moves the clock on.
        const now = await chain.chainNowSecs();
        try {
          await oracle.tx('submit', reporter, asset, BigInt(feed.price), now);
        } catch (err) {
          const again = await oracle.query('submit', reporter.address, asset, BigInt(feed.price), now);
          throw new Error(`${err.message} (observed at ${now}, chain clock now ${await chain.chainNowSecs()}, `
            + `the same submission dry-run now: ${JSON.stringify(again.err ?? 'Ok')})`);
        }
      }
      const price = await oracle.view('PriceOracle::price', alice.address, asset);
      assert.equal(price.status, 'Ok', `the refreshed feed of ${asset}: ${JSON.stringify(price)}`);
    }
    return Date.now();
  } finally {
    await chain.close();
  }
}

before(async () => {
  assert.ok(URL, 'CARRACK_WEB_URL_STALE must point at the app served with the stale.toml deployment');
  session = await launch();
});
after(async () => session?.close());

test('a stale feed shows as Stale and borrowing is refused in plain words', { timeout: 180_000 }, async () => {
  const { page } = session;
  await withFailureShot(page, 'a-stale-feed-shows-as-Stale-and-borrowin', async () => {
    const refreshedAt = await refreshPrices();
    await open(page, URL);
    await pickAccount(page, '//Eve');
    await page.click('[data-testid=faucet]');
    await waitForTxs(page, 3);
    await tab(page, 'account');
    await page.waitForFunction(() => document.querySelector('[data-testid=position-row][data-symbol=TETH] [data-testid=wallet]')?.textContent !== '0');
    // Cash to borrow from (else the borrow is refused for lack of cash first), then collateral.
    // Each supply signed once with its approval.
    for (const [symbol, amount] of [['TUSD', '10000'], ['TETH', '1']]) {
      assert.equal(await prepare(page, 'supply', symbol, amount), null);
      const before = await txRowCount(page);
      await page.click('[data-testid=action-submit]');
      assert.equal((await waitForOneTx(page, before)).calls, 2, `the approval and the ${symbol} supply in one batch`);
    }
    await page.waitForFunction(() => document.querySelector('[data-testid=position-row][data-symbol=TETH] [data-testid=supplied]')?.textContent === '1');

    // Wait out the heartbeat on the chain's clock, then make a block so the clock moves.
    const wait = refreshedAt + (HEARTBEAT_SECS + 2) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    assert.equal(await prepare(page, 'supply', 'TETH', '0.5'), null, 'supplying works whatever the prices');
    await page.click('[data-testid=action-submit]');
    await waitForTxs(page, 1);

    await tab(page, 'markets');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=market-row] [data-testid=oracle-status]')].every((s) => s.textContent.trim() === 'Stale'),
    { timeout: 30_000 });
    assert.match(await page.locator('[data-testid=market-row][data-symbol=TUSD]').textContent(), /stale: no new price within the heartbeat/);
    await screenshot(page, 'stale-markets');

    await tab(page, 'account');
    await page.waitForSelector('[data-testid=prices-not-ok]');
    const refusal = await prepare(page, 'borrow', 'TUSD', '100');
    assert.match(refusal, /The pool would refuse this: The (TUSD|TETH) price is Stale \(stale: no new price within the heartbeat\)\. Borrowing, withdrawing collateral and liquidating need fresh prices/);
    assert.ok(await page.locator('[data-testid=action-submit]').isDisabled());
    await screenshot(page, 'stale-borrow-refused');
  });
});
