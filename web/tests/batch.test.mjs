// Approve-and-act is one `utility.batchAll`: both calls happen or neither does. Against
// the deploy/devnet.toml deployment with //Dave, whom the other tests of this deployment
// leave alone. From Node: //Alice mints //Dave 10 TETH, and //Dave lets //Ferdie take
// them (a PSP22 allowance). In the browser //Dave supplies 4 TETH: one signature for the
// approval and the supply. The page's submission is held back (a proxy between the page
// and the node, Playwright's routeWebSocket) while //Ferdie takes all of //Dave's TETH, so
// the supply the dry run accepted is refused on chain: the batch fails as a whole and
// leaves no allowance for the pool behind. With the tokens back, the same supply goes
// through, again as one transaction of both calls.
// CARRACK_WEB_URL: the served app (web/run-tests.sh).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withFailureShot, launch, open, pickAccount, prepare, tab, txRowCount, waitForOneTx } from './helpers.mjs';
import { devnet, units } from './chain.mjs';

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
 * Routes the page's node WebSocket through a proxy that, once armed, holds the page's next
 * transaction submission (`author_submitAndWatchExtrinsic`) until released.
 */
async function holdSubmissions(page) {
  let armed = false;
  let held = null;
  let onHeld = () => {};
  await page.routeWebSocket((url) => url.protocol === 'ws:', (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (armed && /"method":"author_submitAndWatchExtrinsic"/.test(String(message))) {
        armed = false;
        held = () => server.send(message);
        onHeld();
        return;
      }
      server.send(message);
    });
    server.onMessage((message) => ws.send(message));
  });
  return {
    /** Resolves once the next submission is held. */
    arm() {
      armed = true;
      return new Promise((resolve) => {
        onHeld = resolve;
      });
    },
    /** Sends the held submission on to the node. */
    release() {
      held?.();
      held = null;
    },
  };
}

test('a supply with its approval is one transaction; refused on chain, it leaves no allowance behind', { timeout: 180_000 }, async () => {
  const { page, problems } = session;
  await withFailureShot(page, 'batch', async () => {
    const pool = await chain.contract('pool', 'carrack_pool');
    const teth = await chain.contract('token:TETH', 'carrack_token');
    const [alice, dave, ferdie] = ['//Alice', '//Dave', '//Ferdie'].map((uri) => chain.key(uri));
    const ten = units('10', 18);
    await teth.tx('PSP22Mintable::mint', alice, dave.address, ten);
    await teth.tx('PSP22::approve', dave, ferdie.address, ten);
    const allowance = async () => BigInt(await teth.view('PSP22::allowance', dave.address, dave.address, pool.address));
    const supplied = async () => {
      const view = await pool.view('account', dave.address, dave.address);
      return BigInt(view.positions.find((p) => p.position.asset === teth.address)?.supply ?? 0);
    };
    assert.equal(await allowance(), 0n);

    const hold = await holdSubmissions(page);
    await open(page, URL);
    await pickAccount(page, '//Dave');
    await tab(page, 'account');
    await page.waitForFunction(() => document.querySelector('[data-testid=position-row][data-symbol=TETH] [data-testid=wallet]')?.textContent === '10');
    assert.equal(await prepare(page, 'supply', 'TETH', '4'), null);
    // A new block re-renders the preview (the note goes while it checks again): wait for it.
    await page.locator('[data-testid=approval-needed]').waitFor({ timeout: 30_000 });

    // The dry runs pass; while the signed batch is held back, //Ferdie takes the TETH.
    const firstBlock = (await chain.api.rpc.chain.getHeader()).number.toNumber();
    let rows = await txRowCount(page);
    const held = hold.arm();
    await page.click('[data-testid=action-submit]');
    await held;
    await teth.tx('PSP22::transfer_from', ferdie, dave.address, ferdie.address, ten, []);
    hold.release();
    const failed = page.locator('[data-testid=tx-step]').first();
    await page.waitForFunction(() => document.querySelector('[data-testid=tx-step]')?.dataset.state === 'failed', null, { timeout: 60_000 });
    assert.equal(await txRowCount(page), rows + 1, 'one transaction signed');
    assert.equal(await failed.getAttribute('data-calls'), '2');
    assert.match(await failed.textContent(), /The contract refused the transaction on chain/);
    const [refused, ...others] = await chain.batches(dave.address, { from: firstBlock });
    assert.equal(others.length, 0);
    assert.deepEqual(refused.calls.map((c) => c.dest), [teth.address, pool.address]);
    assert.deepEqual([refused.failed, refused.completed], [true, false], JSON.stringify(refused));
    assert.equal(await allowance(), 0n, 'the refused supply took its approval with it');
    assert.equal(await supplied(), 0n);

    // The tokens back, the same supply: one transaction of both calls, both done.
    await teth.tx('PSP22::transfer', ferdie, dave.address, ten, []);
    await page.waitForFunction(() => document.querySelector('[data-testid=position-row][data-symbol=TETH] [data-testid=wallet]')?.textContent === '10');
    assert.equal(await prepare(page, 'supply', 'TETH', '4'), null);
    rows = await txRowCount(page);
    await page.click('[data-testid=action-submit]');
    const tx = await waitForOneTx(page, rows);
    assert.equal(tx.calls, 2);
    const [done] = await chain.batches(dave.address, { hash: tx.block });
    assert.deepEqual([done.failed, done.completed], [false, true], JSON.stringify(done));
    assert.ok(done.emitters.includes(teth.address) && done.emitters.includes(pool.address), `events from ${done.emitters.join(', ')}`);
    assert.equal(await allowance(), 0n, 'the supply spent the approval');
    const four = units('4', 18);
    const now = await supplied();
    assert.ok(now <= four && four - now <= 1n, `//Dave supplied ${now} TETH units, 4 TETH less rounding expected`);
    assert.deepEqual(problems, []);
  });
});
