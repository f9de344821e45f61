// Shared Playwright helpers: Debian's Chromium driven by playwright-core, headless, with
// everything that would reach for the network switched off.

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const SCREENSHOTS = process.env.CARRACK_SCREENSHOTS ?? '';

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'carrack-chromium-'));
  // A fresh profile per run: launchPersistentContext passes it as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  return {
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function open(page, url) {
  await page.goto(url);
  await page.waitForSelector('body[data-loaded=true]', { timeout: 60_000 });
}

export async function screenshot(page, name) {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Picks a dev account (`//Charlie`) in the account selector. */
export async function pickAccount(page, name) {
  const value = await page.$eval('#account-select', (select, n) => {
    const option = [...select.options].find((o) => o.textContent.startsWith(n));
    return option ? option.value : null;
  }, name);
  if (!value) throw new Error(`no account ${name} in the selector`);
  await page.selectOption('#account-select', value);
}

export async function tab(page, name) {
  await page.click(`nav button[data-tab=${name}]`);
}

/** Waits until the newest `count` transaction rows are in a block (or finalized); fails if one of them failed. */
export async function waitForTxs(page, count, timeout = 60_000) {
  await page.waitForFunction(
    (n) => {
      const rows = [...document.querySelectorAll('[data-testid=tx-step]')].slice(0, n);
      if (rows.some((r) => r.dataset.state === 'failed')) return true;
      return rows.length >= n && rows.every((r) => r.dataset.state === 'in-block' || r.dataset.state === 'finalized');
    },
    count,
    { timeout },
  );
  const failed = await page.$$eval('[data-testid=tx-step]', (rows, n) => rows.slice(0, n).filter((r) => r.dataset.state === 'failed').map((r) => r.textContent), count);
  if (failed.length) throw new Error(`transaction failed: ${failed.join(' | ')}`);
  // The page re-reads the chain after each action before it is done.
  await page.waitForSelector('body[data-busy=false]', { timeout });
}

export async function txRowCount(page) {
  return page.locator('[data-testid=tx-step]').count();
}

/**
 * After a click that signs once: waits until exactly one transaction row more than
 * `before` is in a block (waitForTxs) and returns that row's calls (li[data-calls]: 2 for an
 * approval and its action in one `utility.batchAll`) and block hash. Fails if a second
 * row (a second signature) appears.
 */
export async function waitForOneTx(page, before) {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=tx-step]').length > n, before);
  await waitForTxs(page, 1);
  const rows = await txRowCount(page);
  if (rows !== before + 1) throw new Error(`${rows - before} transactions were signed, expected one`);
  const newest = page.locator('[data-testid=tx-step]').first();
  return { calls: Number(await newest.getAttribute('data-calls')), block: await newest.getAttribute('data-block') };
}

/** Fills the action form and waits for the dry-run verdict (passed or refused). */
export async function prepare(page, kind, symbol, amount) {
  await page.selectOption('[data-testid=action-kind]', kind);
  await page.selectOption('[data-testid=action-market]', { label: symbol });
  if (amount === 'max') await page.click('[data-testid=action-max]');
  else await page.fill('[data-testid=action-amount]', amount);
  const key = `${kind}:${symbol}:${amount}`;
  // Also until the page is no longer busy with an earlier action (it re-reads the chain
  // after one): a click on Submit while it is busy does nothing.
  await page.waitForFunction(
    (k) => {
      const p = document.querySelector('[data-testid=preview]');
      return p && p.dataset.state === 'done' && p.dataset.for === k && document.body.dataset.busy !== 'true';
    },
    key,
    { timeout: 30_000 },
  );
  const refusal = await page.locator('[data-testid=refusal]').count();
  return refusal ? page.locator('[data-testid=refusal]').textContent() : null;
}

export async function cell(page, symbol, testid) {
  return (await page.locator(`[data-testid=position-row][data-symbol=${symbol}] [data-testid=${testid}]`).textContent()).trim();
}

export async function healthFactor(page) {
  return (await page.locator('[data-testid=health-factor]').textContent()).trim();
}

/** Runs `fn`; on failure saves a screenshot and the page's banner/status to $CARRACK_TEST_ARTIFACTS. */
export async function withFailureShot(page, name, fn) {
  try {
    await fn();
  } catch (err) {
    const dir = process.env.CARRACK_TEST_ARTIFACTS;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `failed-${name}.png`), fullPage: true }).catch(() => {});
    }
    const banner = await page.locator('[data-testid=banner]').textContent().catch(() => '');
    const steps = await page.$$eval('[data-testid=tx-step]', (rows) => rows.slice(0, 4).map((r) => r.textContent.replace(/\s+/g, ' ').trim())).catch(() => []);
    err.message += `\n  page banner: ${banner || '(none)'}\n  latest transactions: ${steps.join(' | ') || '(none)'}`;
    throw err;
  }
}
