// Unit test of src/node-url.ts: a link's ?rpc= cannot choose the node (review W2).
//   node --test tests/node-url.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSrc } from './transpile.mjs';

const { chooseNode, isLocalNode, nodeLabel } = await loadSrc('node-url');
const OWN = 'wss://rpc.example.org';

test('without ?rpc= the manifest node is used', () => {
  assert.deepEqual(chooseNode(OWN, 'production', null), { url: OWN });
});

test('?rpc= is ignored, with a reason, for non-devnet deployments and non-local nodes', () => {
  for (const [kind, rpc] of [
    ['production', 'ws://127.0.0.1:9944'],
    ['testnet', 'wss://attacker.example'],
    ['devnet', 'wss://attacker.example'],
    ['devnet', 'ws://127.0.0.1.attacker.example:9944'],
    ['devnet', 'http://127.0.0.1:9944'],
    ['devnet', 'not a url'],
  ]) {
    const choice = chooseNode(OWN, kind, rpc);
    assert.equal(choice.url, OWN, `${kind} ${rpc}`);
    assert.match(choice.ignored, /ignored/, `${kind} ${rpc}`);
  }
});

test('a devnet deployment may use another node on this machine', () => {
  for (const rpc of ['ws://127.0.0.1:9955', 'ws://localhost:9955', 'ws://[::1]:9955']) {
    assert.deepEqual(chooseNode('ws://127.0.0.1:9944', 'devnet', rpc), { url: rpc });
  }
});

test('only a ws(s) node on loopback is local, by its parsed host', () => {
  for (const url of ['ws://127.0.0.1:9944', 'ws://localhost:1', 'wss://[::1]:9944/']) assert.ok(isLocalNode(url), url);
  for (const url of ['ws://127.0.0.1.evil.example:9944', 'wss://rpc.example.org', 'http://127.0.0.1:9944', 'ws://10.0.0.1:9944', '']) {
    assert.ok(!isLocalNode(url), url);
  }
});

test('node labels show no credentials, path or query', () => {
  assert.equal(nodeLabel('wss://user:secret@rpc.example.org:443/key/abc?apikey=1'), 'wss://rpc.example.org');
  assert.equal(nodeLabel('ws://127.0.0.1:9944'), 'ws://127.0.0.1:9944');
});
