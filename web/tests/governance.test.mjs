// Governance in Chromium against the deploy/devnet.toml deployment. From Node: //Alice
// (holding the CGOV supply, self-delegated at deployment) sends 1,000 CGOV to //Bob and
// proposes a pool parameter change; blocks follow until the proposal is Active (voting
// delay: 1 block). In the browser: //Alice sees it listed as Active, votes For and sees
// the tally count her votes; //Bob delegates his CGOV to //Alice and sees his delegate
// change (and //Alice's votes grow by his 1,000).
// CARRACK_WEB_URL: the served app (web/run-tests.sh sets it).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withFailureShot, launch, open, pickAccount, screenshot, tab, waitForTxs } from './helpers.mjs';
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

const short = (address) => `${address.slice(0, 6)}…${address.slice(-6)}`;
const text = async (locator) => (await locator.textContent()).replace(/\s+/g, ' ').trim();

/** Proposes from Node and waits (making blocks) until voting is open; returns the id. */
async function proposeAsAlice(description) {
  const governor = await chain.contract('governor', 'carrack_governor');
  const govToken = await chain.contract('gov_token', 'carrack_gov_token');
  const pool = await chain.contract('pool', 'carrack_pool');
  const [alice, bob] = ['//Alice', '//Bob'].map((uri) => chain.key(uri));
  assert.equal(await govToken.view('Votes::delegates', alice.address, alice.address), alice.address, '//Alice delegates to herself at deployment');
  // Also the block after the delegation the governor needs: it reads votes at the
  // previous block.
  await govToken.tx('PSP22::transfer', alice, bob.address, units('1000', 18), []);
  const [, params] = await pool.view('settings', alice.address);
  const action = pool.action('set_pool_params', { liquidationGraceSecs: 900, dustValueWad: BigInt(params.dustValueWad) });
  const id = await governor.tx('propose', alice, [action], description);
  assert.equal(typeof id, 'number', `propose returned ${JSON.stringify(id)}`);
  for (let i = 0; i < 5; i += 1) {
    const state = await governor.view('state', alice.address, id);
    if (state === 'Active') return id;
    assert.equal(state, 'Pending', `proposal #${id} is ${state}`);
    await chain.block(alice);
  }
  throw new Error(`proposal #${id} did not become Active`);
}

test('a proposal is listed with its state, //Alice votes For, //Bob delegates', { timeout: 180_000 }, async () => {
  const { page, problems } = session;
  await withFailureShot(page, 'governance', async () => {
    const description = 'Lengthen the liquidation grace period to 15 minutes';
    const id = await proposeAsAlice(description);
    const alice = chain.key('//Alice').address;

    await open(page, URL);
    await pickAccount(page, '//Alice');
    await tab(page, 'governance');
    const card = page.locator(`[data-testid=proposal][data-id="${id}"]`);
    await card.waitFor({ timeout: 60_000 }).catch(async () => {
      throw new Error(`proposal #${id} is not listed; the page shows: ${await text(page.locator('#view-governance'))}`);
    });
    // The description comes from the ProposalCreated event the page scans for.
    await page.waitForFunction(
      ([i, d]) => document.querySelector(`[data-testid=proposal][data-id="${i}"]`)?.textContent.includes(d),
      [id, description],
      { timeout: 30_000 },
    ).catch(async () => {
      throw new Error(`proposal #${id} is listed without its description; the card says: ${await text(card)}`);
    });
    // Rendered for //Alice: she may vote.
    await card.locator('button[data-vote=For]').waitFor({ timeout: 30_000 });
    assert.equal(await text(card.locator('[data-testid=proposal-state]')), 'Active');
    assert.equal(await text(card.locator('[data-testid=votes-for]')), '0');
    assert.match(await text(card), /by 5Grwva…GKutQY/, 'proposed by //Alice');
    const votes = await text(page.locator('[data-testid=votes]'));
    assert.equal(votes, '999,000', '//Alice votes with what she kept after sending 1,000 CGOV to //Bob');

    // Vote For: the tally counts her votes at the snapshot.
    await card.locator('button[data-vote=For]').click();
    await waitForTxs(page, 1);
    await page.waitForFunction(
      (i) => document.querySelector(`[data-testid=proposal][data-id="${i}"] [data-testid=votes-for]`)?.textContent === '999,000',
      id,
      { timeout: 30_000 },
    ).catch(async () => {
      throw new Error(`the For tally did not become 999,000; the card says: ${await text(card)}`);
    });
    assert.equal(await text(card.locator('[data-testid=receipt]')), 'You voted For.');
    assert.equal(await card.locator('button[data-vote]').count(), 0, 'no second vote offered');
    assert.equal(await text(card.locator('[data-testid=votes-against]')), '0');
    await screenshot(page, 'governance');

    // //Bob holds 1,000 CGOV that vote for nobody until he delegates them.
    await pickAccount(page, '//Bob');
    await page.waitForFunction(() => document.querySelector('[data-testid=cgov-balance]')?.textContent === '1,000', null, { timeout: 30_000 })
      .catch(async () => {
        throw new Error(`//Bob's 1,000 CGOV are not shown; the page says: ${await text(page.locator('#gov-me'))}`);
      });
    assert.equal(await text(page.locator('[data-testid=delegate]')), 'nobody (they do not vote)');
    await page.fill('[data-testid=delegate-to]', alice);
    await page.click('[data-testid=delegate-submit]');
    await waitForTxs(page, 1);
    await page.waitForFunction((a) => document.querySelector('[data-testid=delegate]')?.textContent === a, short(alice), { timeout: 30_000 })
      .catch(async () => {
        throw new Error(`//Bob's delegate did not become ${short(alice)}; the page says: ${await text(page.locator('#gov-me'))}`);
      });
    assert.equal(await text(page.locator('[data-testid=votes]')), '0', 'a delegator keeps no votes');
    await pickAccount(page, '//Alice');
    await page.waitForFunction(() => document.querySelector('[data-testid=votes]')?.textContent === '1,000,000', null, { timeout: 30_000 })
      .catch(async () => {
        throw new Error(`//Alice's votes did not grow by //Bob's 1,000; the page says: ${await text(page.locator('#gov-me'))}`);
      });
    assert.deepEqual(problems, []);
  });
});
