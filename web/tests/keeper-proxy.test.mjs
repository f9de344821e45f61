// web/server.mjs's proxy to the keeper's API (--keeper), without a chain: a fake keeper
// on a free port, the server in front of it. Only the API's own read-only paths pass
// (with at most a limit=N query), a missing or dead keeper is an error the page can show,
// and a server without --keeper answers JSON null (the page then scans the chain).
//   node --test tests/keeper-proxy.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER = new URL('../server.mjs', import.meta.url).pathname;
const BUNDLES = ['carrack_pool', 'carrack_oracle', 'carrack_token', 'carrack_governor', 'carrack_gov_token'];
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
let work;
let keeper;
let keeperPort;
const seen = [];
const servers = [];

/** Starts web/server.mjs with `extra` options; resolves with its port. */
async function startServer(extra) {
  let output = '';
  const child = spawn(process.execPath, [SERVER, '--manifest', join(work, 'manifest.json'), '--bundles', join(work, 'bundles'), '--dist', join(work, 'dist'), '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  for (let i = 0; i < 100 && !/Carrack web app: /.test(output); i += 1) await new Promise((r) => setTimeout(r, 50));
  const m = /Carrack web app: http:\/\/[^:]+:(\d+)\//.exec(output);
  assert.ok(m, `the server did not start: ${output}`);
  return Number(m[1]);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'carrack-keeper-proxy-test-'));
  mkdirSync(join(work, 'dist'), { recursive: true });
  writeFileSync(join(work, 'dist', 'index.html'), '<!doctype html><title>app</title>');
  for (const name of BUNDLES) {
    mkdirSync(join(work, 'bundles', name), { recursive: true });
    writeFileSync(join(work, 'bundles', name, `${name}.json`), JSON.stringify({ source: { hash: '0x00' }, name }));
  }
  writeFileSync(join(work, 'manifest.json'), JSON.stringify({ chain: {}, contracts: {} }));
  keeper = createServer((req, res) => {
    seen.push(req.url);
    if (req.url === '/api/status') return; // a keeper that never answers
    if (req.url === '/api/liquidations?limit=500') return res.end('x'.repeat(9 * 1024 * 1024)); // over the cap
    const body = JSON.stringify({ path: req.url });
    const failing = /^\/api\/accounts\/[^/]+$/.test(req.url); // an account's positions: a keeper error
    res.writeHead(failing ? 500 : 200, { 'content-type': 'application/json' });
    res.end(failing ? 'database is locked' : body);
  });
  await new Promise((r) => keeper.listen(0, '127.0.0.1', r));
  keeperPort = keeper.address().port;
});

after(() => {
  for (const s of servers) s.kill();
  keeper?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const get = (port, path) => fetch(`http://127.0.0.1:${port}${path}`).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), body: await r.text() }));

test('the API paths pass through, nothing else does', async () => {
  const port = await startServer(['--keeper', `http://127.0.0.1:${keeperPort}`]);
  const atRisk = await get(port, '/carrack/keeper/api/at-risk');
  assert.equal(atRisk.status, 200);
  assert.match(atRisk.type, /application\/json/);
  assert.deepEqual(JSON.parse(atRisk.body), { path: '/api/at-risk' });
  assert.deepEqual(JSON.parse((await get(port, '/carrack/keeper/api/liquidations?limit=10')).body), { path: '/api/liquidations?limit=10' });
  assert.equal((await get(port, `/carrack/keeper/api/markets/${ALICE}/history?limit=5`)).status, 200);
  assert.deepEqual(JSON.parse((await get(port, `/carrack/keeper/api/accounts/${ALICE}/history?limit=20`)).body), { path: `/api/accounts/${ALICE}/history?limit=20` });
  const before = seen.length;
  for (const path of [
    '/carrack/keeper/metrics',
    '/carrack/keeper/api/at-risk?limit=1&x=2',
    '/carrack/keeper/api/liquidations?colour=red',
    '/carrack/keeper/api/accounts/..%2F..%2Fmetrics',
    '/carrack/keeper/api/accounts/not-an-address',
    '/carrack/keeper/api/status/extra',
  ]) {
    assert.equal((await get(port, path)).status, 404, path);
  }
  assert.equal(seen.length, before, `refused paths reached the keeper: ${seen.slice(before)}`);
  // The keeper's own failure is shown, as a 502 with its reason.
  const failed = await get(port, `/carrack/keeper/api/accounts/${ALICE}`);
  assert.equal(failed.status, 502);
  assert.match(failed.body, /the keeper answered 500: database is locked/);
});

test('a silent keeper is a 504 after 5 s, an oversized answer a 502', { timeout: 20_000 }, async () => {
  const port = await startServer(['--keeper', `http://127.0.0.1:${keeperPort}`]);
  const started = Date.now();
  const silent = await get(port, '/carrack/keeper/api/status');
  assert.equal(silent.status, 504);
  assert.ok(Date.now() - started >= 4_500, `answered after ${Date.now() - started} ms`);
  const large = await get(port, '/carrack/keeper/api/liquidations?limit=500');
  assert.equal(large.status, 502);
  assert.match(large.body, /too large/);
});

test('a dead keeper is a 502, and no --keeper a JSON null', async () => {
  const dead = createServer();
  await new Promise((r) => dead.listen(0, '127.0.0.1', r));
  const deadPort = dead.address().port;
  await new Promise((r) => dead.close(r));
  const port = await startServer(['--keeper', `http://127.0.0.1:${deadPort}`]);
  const r = await get(port, '/carrack/keeper/api/at-risk');
  assert.equal(r.status, 502);
  assert.match(r.body, /the keeper is not reachable/);
  const without = await startServer([]);
  const none = await get(without, '/carrack/keeper/api/at-risk');
  assert.equal(none.status, 200);
  assert.equal(none.body, 'null');
  assert.equal((await get(without, '/carrack/keeper/metrics')).status, 404);
});

test('--keeper must be a plain http://HOST:PORT', async () => {
  for (const bad of ['ftp://127.0.0.1:1', 'http://127.0.0.1:1/api', 'http://user:pw@127.0.0.1:1', 'not a url']) {
    const child = spawn(process.execPath, [SERVER, '--manifest', join(work, 'manifest.json'), '--bundles', join(work, 'bundles'), '--dist', join(work, 'dist'), '--port', '0', '--keeper', bad], { stdio: ['ignore', 'pipe', 'pipe'] });
    const code = await new Promise((r) => child.on('exit', r));
    assert.notEqual(code, 0, bad);
  }
});
