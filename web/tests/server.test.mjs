// web/server.mjs against hostile requests (review S1-S3, D5), without a chain: a scratch
// dist/, metadata and manifest, the server started on a free port, raw HTTP over a socket
// (so malformed targets reach the server exactly as written).
//   node --test tests/server.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER = new URL('../server.mjs', import.meta.url).pathname;
const BUNDLES = ['carrack_pool', 'carrack_oracle', 'carrack_token', 'carrack_governor', 'carrack_gov_token'];
let work;
let server;
let port;
let output = '';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'carrack-server-test-'));
  const dist = join(work, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(work, 'secret.txt'), 'TOPSECRET');
  symlinkSync(join(work, 'secret.txt'), join(dist, 'link.txt'));
  for (const name of BUNDLES) {
    mkdirSync(join(work, 'bundles', name), { recursive: true });
    writeFileSync(join(work, 'bundles', name, `${name}.json`), JSON.stringify({ source: { hash: '0x00' }, name }));
  }
  writeFileSync(join(work, 'manifest.json'), JSON.stringify({
    chain: { genesis_hash: '0xabc', node_url: 'wss://operator:hunter2@rpc.example.org/', start_block: 1, last_block: 9 },
    config: { kind: 'devnet', path: '/home/someone/carrack/deploy/devnet.toml', digest: '0x01' },
    bundles_dir: '/home/someone/.cache/carrack/target-release/ink',
    deployer: '5Grw',
    contracts: { pool: { bundle: 'carrack_pool', address: '5Pool', code_hash: '0x02' } },
  }));
  server = spawn(process.execPath, [SERVER, '--manifest', join(work, 'manifest.json'), '--bundles', join(work, 'bundles'), '--dist', dist, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => { output += d; });
  server.stderr.on('data', (d) => { output += d; });
  for (let i = 0; i < 100 && !/Carrack web app: /.test(output); i += 1) await new Promise((r) => setTimeout(r, 50));
  const m = /Carrack web app: http:\/\/[^:]+:(\d+)\//.exec(output);
  assert.ok(m, `the server did not start: ${output}`);
  port = Number(m[1]);
});

after(() => {
  server?.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Sends `request` as written; resolves with { status, headers, body } ('' status if the connection died). */
function raw(request) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (d) => { data += d; });
    socket.on('error', () => {});
    socket.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const status = (/^HTTP\/1\.1 (\d+)/.exec(lines[0]) ?? [])[1] ?? '';
      const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status, headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(request);
  });
}

const get = (target, method = 'GET') => raw(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);

test('malformed request targets get 400 and the server keeps serving', async () => {
  for (const target of ['/%', '//', '//etc/passwd', '/%E0%A4%A', '/a%00b', '/carrack/%ZZ']) {
    const r = await get(target);
    assert.equal(r.status, '400', `${target}: ${r.status} ${r.body}`);
    assert.equal(server.exitCode, null, `the server exited on ${target}: ${output}`);
    assert.equal((await get('/')).status, '200', `after ${target}`);
  }
});

test('every answer carries a CSP that forbids framing and inline script, and nosniff', async () => {
  for (const target of ['/', '/assets/app.js', '/carrack/manifest.json', '/nope/../%']) {
    const r = await get(target);
    const csp = r.headers['content-security-policy'] ?? '';
    assert.match(csp, /frame-ancestors 'none'/, `${target}: ${csp}`);
    assert.match(csp, /script-src 'self'(?! 'unsafe-inline')/, `${target}: ${csp}`);
    assert.match(csp, /object-src 'none'/, `${target}: ${csp}`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', target);
    assert.equal(r.headers['x-frame-options'], 'DENY', target);
  }
});

test('symlinks out of dist/ are not followed', async () => {
  const r = await get('/link.txt');
  assert.ok(!r.body.includes('TOPSECRET'), r.body);
  assert.equal(r.status, '403');
});

test('only GET and HEAD are served', async () => {
  assert.equal((await get('/', 'POST')).status, '405');
  assert.equal((await get('/', 'DELETE')).status, '405');
  const head = await get('/', 'HEAD');
  assert.equal(head.status, '200');
  assert.equal(head.body, '');
});

test('the served manifest has no credentials or local paths', async () => {
  const r = await get('/carrack/manifest.json');
  assert.equal(r.status, '200');
  assert.ok(!r.body.includes('hunter2'), r.body);
  assert.ok(!r.body.includes('/home/someone'), r.body);
  const m = JSON.parse(r.body);
  assert.equal(m.chain.node_url, 'wss://rpc.example.org/');
  assert.equal(m.chain.genesis_hash, '0xabc');
  assert.equal(m.config.kind, 'devnet');
  assert.deepEqual(m.contracts.pool, { bundle: 'carrack_pool', address: '5Pool', code_hash: '0x02' });
});

test('an unreadable manifest is a fixed 404 text, not a path and an errno', async () => {
  rmSync(join(work, 'manifest.json'));
  const r = await get('/carrack/manifest.json');
  assert.equal(r.status, '404');
  assert.ok(!r.body.includes(work), r.body);
  assert.ok(!r.body.includes('ENOENT'), r.body);
});

test('a request for another Host name is refused (DNS rebinding), this server\'s names are served', async () => {
  const as = (host) => raw(`GET /carrack/manifest.json HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  for (const host of ['attacker.example', `attacker.example:${port}`, '127.0.0.1', `127.0.0.2:${port}`]) {
    const answer = await as(host);
    assert.equal(answer.status, '421', `Host ${host}`);
    assert.match(answer.body, /unknown Host/, `Host ${host}`);
  }
  // Node's parser already refuses an HTTP/1.1 request without Host (400).
  const hostless = await raw(`GET / HTTP/1.1\r\nConnection: close\r\n\r\n`);
  assert.ok(['400', '421'].includes(hostless.status), `no Host at all: ${hostless.status}`);
  // (The manifest itself is gone by now: the test before removed it.)
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
    const answer = await raw(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.equal(answer.status, '200', `Host ${host}`);
    assert.match(answer.body, /<title>app<\/title>/);
  }
});
