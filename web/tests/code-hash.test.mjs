// A served manifest that names the wrong contract (review D2), against the deploy/devnet.toml
// deployment: the page's request for carrack/manifest.json is answered (Playwright's
// page.route) with the real manifest whose `contracts.pool.address` is swapped for another
// deployed contract (the oracle), or for an account without code. The app must compare
// the code hash at each address with the served metadata's `source.hash`, name the
// contract, the address and both hashes in its banner, and offer nothing to sign: no
// account to pick, no faucet, no submit, no wallet connection, no transaction row.
// Read-only: sends no transaction. CARRACK_WEB_URL: the served app (web/run-tests.sh).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withFailureShot } from './helpers.mjs';

const URL = process.env.CARRACK_WEB_URL;
let session;
let manifest;
let poolHash;

before(async () => {
  assert.ok(URL, 'CARRACK_WEB_URL must point at the served app');
  manifest = await (await fetch(new globalThis.URL('carrack/manifest.json', URL))).json();
  poolHash = (await (await fetch(new globalThis.URL('carrack/metadata/carrack_pool.json', URL))).json()).source.hash;
  assert.match(poolHash, /^0x[0-9a-f]{64}$/);
  session = await launch();
});
after(async () => session?.close());

const short = (hash) => `${hash.slice(0, 10)}…${hash.slice(-8)}`;

/** Opens the app with the manifest's pool address replaced by `address`; resolves once an error banner shows. */
async function openWithPoolAt(page, address) {
  await page.unrouteAll();
  await page.route('**/carrack/manifest.json', async (route) => {
    const response = await route.fetch();
    const json = await response.json();
    json.contracts.pool.address = address;
    await route.fulfill({ response, json });
  });
  await page.goto(URL);
  await page.waitForFunction(() => {
    const b = document.querySelector('[data-testid=banner]');
    return b && !b.hidden && b.classList.contains('error') && b.textContent.trim() !== '';
  }, null, { timeout: 60_000 });
}

/** Nothing on the page can lead to a signature. */
async function assertNothingToSign(page) {
  const accounts = await page.$$eval('#account-select option', (options) => options.filter((o) => o.value).map((o) => o.textContent));
  assert.deepEqual(accounts, [], 'accounts offered for signing');
  assert.equal(await page.locator('#faucet').isHidden(), true, 'the faucet is offered');
  assert.equal(await page.locator('[data-testid=action-submit]').isDisabled(), true, 'the submit button is enabled');
  assert.notEqual(await page.getAttribute('body', 'data-loaded'), 'true', 'the app loaded as if the deployment were fine');
  const before = await page.locator('[data-testid=banner]').textContent();
  // A wallet connection would offer the wallet's accounts (headless Chromium has none: the
  // app would say "No browser wallet answered" instead of keeping the refusal).
  await page.click('#connect-wallet');
  await page.waitForTimeout(1_000);
  assert.equal(await page.locator('[data-testid=banner]').textContent(), before, 'the banner changed after "Connect wallet"');
  assert.equal(await page.locator('[data-testid=tx-step]').count(), 0, 'a transaction row appeared');
}

test('a manifest whose pool address is the oracle\'s: the banner names both hashes, nothing can be signed', async () => {
  const { page } = session;
  await withFailureShot(page, 'code-hash-pool-swapped-for-oracle', async () => {
    const oracle = manifest.contracts.oracle;
    await openWithPoolAt(page, oracle.address);
    const text = await page.locator('[data-testid=banner]').textContent();
    assert.ok(text.includes(`manifest's pool contract at ${oracle.address} runs code ${short(oracle.code_hash)}, not the code ${short(poolHash)} of the served carrack_pool metadata`), text);
    assert.match(text, /The manifest or the metadata is not this deployment's: nothing will be signed\./);
    assert.equal(await page.getAttribute('body', 'data-halted'), 'code-mismatch');
    await assertNothingToSign(page);
  });
});

test('a manifest whose pool address holds no contract: the banner says so, nothing can be signed', async () => {
  const { page } = session;
  await withFailureShot(page, 'code-hash-pool-without-contract', async () => {
    // The deployer: an account, no contract.
    await openWithPoolAt(page, manifest.deployer);
    const text = await page.locator('[data-testid=banner]').textContent();
    assert.ok(text.includes(`manifest's pool address ${manifest.deployer} holds no contract on this chain (the served carrack_pool metadata has code hash ${short(poolHash)})`), text);
    assert.match(text, /nothing will be signed/);
    await assertNothingToSign(page);
  });
});
