// A hostile token symbol (review W1) against the deploy/devnet.toml deployment: the page's
// WebSocket to the node goes through a proxy (Playwright's routeWebSocket) that answers
// TUSD's `PSP22Metadata::token_symbol` dry run with `"><img src=x onerror=…>` — what a
// token's deployer, or a node in the middle, could return. On every tab that shows
// symbols the symbol must be text (the action form's preview too): no element injected,
// no handler run. The server's CSP header is checked as well (a second line of defence,
// not what this test relies on: the DOM is inspected for the injected element whether or
// not a handler could run).
// Read-only: sends no transaction. CARRACK_WEB_URL: the served app (web/run-tests.sh).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withFailureShot, launch, pickAccount, tab } from './helpers.mjs';
import { devnet } from './chain.mjs';

const URL = process.env.CARRACK_WEB_URL;
const HOSTILE = '"><img src=x onerror="window.__xss=1">';
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

const hex = (bytes) => Buffer.from(bytes).toString('hex');

/** SCALE compact length prefix (lengths below 2^14 are enough here). */
function compact(n) {
  if (n < 64) return [n << 2];
  return [((n << 2) | 1) & 0xff, n >> 6];
}

/** The ink! output `Ok(Some(text))` of a `Option<String>` message, as a SCALE `Vec<u8>`. */
function symbolOutput(text) {
  const utf8 = [...Buffer.from(text, 'utf8')];
  const data = [0x00, 0x01, ...compact(utf8.length), ...utf8];
  return [...compact(data.length), ...data];
}

/**
 * Routes the page's node WebSocket through a proxy that rewrites the answers to
 * `token_symbol` dry runs of `token` (from `real` to `fake`); everything else passes.
 */
async function forgeSymbol(page, token, real, fake) {
  const selector = token.abi.messages.find((m) => m.identifier === 'PSP22Metadata::token_symbol').selector.toHex().slice(2);
  const dest = hex(chain.api.createType('AccountId', token.address).toU8a());
  const from = hex(symbolOutput(real));
  const to = hex(symbolOutput(fake));
  const forged = new Set();
  let rewritten = 0;
  await page.routeWebSocket((url) => url.protocol === 'ws:', (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      try {
        const req = JSON.parse(message);
        const [method, data] = req.params ?? [];
        // ContractsApi_call's input ends with the message's input: selector only (no args).
        if (req.method === 'state_call' && method === 'ContractsApi_call' && data.includes(dest) && data.endsWith(`10${selector}`)) forged.add(req.id);
      } catch {
        // not JSON: pass it on as it is
      }
      server.send(message);
    });
    server.onMessage((message) => {
      try {
        const res = JSON.parse(message);
        if (forged.has(res.id) && typeof res.result === 'string' && res.result.includes(from)) {
          forged.delete(res.id);
          res.result = res.result.replace(from, to);
          rewritten += 1;
          return ws.send(JSON.stringify(res));
        }
      } catch {
        // not JSON: pass it on as it is
      }
      return ws.send(message);
    });
  });
  return () => rewritten;
}

test('a token symbol with markup renders as text on every tab and runs nothing', { timeout: 180_000 }, async () => {
  const { page, problems } = session;
  await withFailureShot(page, 'xss-token-symbol', async () => {
    const tusd = await chain.contract('token:TUSD', 'carrack_token');
    assert.equal(await tusd.view('PSP22Metadata::token_symbol', chain.key('//Alice').address), 'TUSD');
    const rewritten = await forgeSymbol(page, tusd, 'TUSD', HOSTILE);

    const response = await page.goto(URL);
    const csp = response.headers()['content-security-policy'] ?? '';
    assert.match(csp, /frame-ancestors 'none'/, csp);
    assert.match(csp, /script-src 'self'/, csp);
    assert.equal(response.headers()['x-content-type-options'], 'nosniff');
    await page.waitForSelector('body[data-loaded=true]', { timeout: 60_000 });
    assert.ok(rewritten() > 0, 'the proxy forged no token_symbol answer: the test did not test anything');

    const injected = () => page.evaluate(() => ({
      images: document.querySelectorAll('img[src=x], img[onerror]').length,
      ran: window.__xss === 1,
    }));
    const expectText = async (where, selector) => {
      const texts = await page.$$eval(selector, (els) => els.map((e) => e.textContent));
      assert.ok(texts.some((t) => t.includes(HOSTILE)), `${where}: the symbol is not shown as text in ${selector}: ${texts.join(' | ')}`);
      assert.deepEqual(await injected(), { images: 0, ran: false }, `${where}: markup from the symbol was injected`);
    };

    // Markets: the table row and the rate curve (its caption and the SVG's aria-label).
    await expectText('markets table', '[data-testid=market-row]');
    await expectText('rate curve caption', '#curves figcaption');
    const labels = await page.$$eval('svg.curve', (svgs) => svgs.map((s) => s.getAttribute('aria-label')));
    assert.ok(labels.some((l) => l.startsWith(HOSTILE)), labels.join(' | '));

    // Account: positions and the action form (market choice and the wallet line).
    await tab(page, 'account');
    await pickAccount(page, '//Charlie');
    await page.waitForSelector('[data-testid=position-row]');
    await expectText('positions', '[data-testid=position-row]');
    const options = await page.$$eval('#action-market option', (os) => os.map((o) => o.textContent));
    assert.ok(options.includes(HOSTILE), options.join(' | '));
    await page.selectOption('#action-market', { label: HOSTILE });
    await page.waitForFunction((s) => document.querySelector('#action-info')?.textContent.includes(s), HOSTILE);
    assert.deepEqual(await injected(), { images: 0, ran: false }, 'action info');
    // A supply's preview: its one-signature approval note (or the wallet's refusal) names the symbol.
    await page.selectOption('#action-kind', 'supply');
    await page.fill('#action-amount', '1000');
    await page.waitForFunction((s) => {
      const p = document.querySelector('[data-testid=preview]');
      return p?.dataset.state === 'done' && p.dataset.for === `supply:${s}:1000`;
    }, HOSTILE);
    await expectText('action preview', '#preview');

    // Liquidations: the asset choices.
    await tab(page, 'liquidations');
    await page.waitForFunction((s) => [...document.querySelectorAll('#liq-debt option')].some((o) => o.textContent === s), HOSTILE);
    assert.deepEqual(await injected(), { images: 0, ran: false }, 'liquidations');

    assert.deepEqual(problems.filter((p) => /Content Security Policy/.test(p)), [], 'no CSP violation (nothing tried to run)');
  });
});
