// Unit test of src/code-check.ts: a manifest address must hold the code of the served
// metadata (review D2), compared in full, whatever the hashes' case or prefix.
//   node --test tests/code-check.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSrc } from './transpile.mjs';

const { codeProblems, codeProblemText, normalizeHash, shortHash } = await loadSrc('code-check');

const POOL_HASH = `0x${'ab'.repeat(31)}01`;
const ORACLE_HASH = `0x${'cd'.repeat(32)}`;
const POOL = '5Dpool1111111111111111111111111111111111111111';
const ORACLE = '5Doracle22222222222222222222222222222222222222';

const check = (over = {}) => ({ name: 'pool', bundle: 'carrack_pool', address: POOL, expected: POOL_HASH, deployed: POOL_HASH, ...over });

test('matching code hashes pass, whatever their case and 0x prefix', () => {
  assert.deepEqual(codeProblems([]), []);
  assert.deepEqual(codeProblems([check()]), []);
  assert.deepEqual(codeProblems([check({ deployed: POOL_HASH.toUpperCase().replace('0X', '0x') })]), []);
  assert.deepEqual(codeProblems([check({ expected: POOL_HASH.slice(2) })]), []);
  assert.equal(normalizeHash(' 0xAB '), '0xab');
});

test('another contract at the address is a problem naming the contract, the address and both hashes', () => {
  const problems = codeProblems([check(), check({ name: 'oracle', bundle: 'carrack_oracle', address: ORACLE, expected: ORACLE_HASH, deployed: ORACLE_HASH }), check({ deployed: ORACLE_HASH })]);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].kind, 'other-code');
  const text = codeProblemText(problems);
  assert.match(text, /manifest's pool contract at 5Dpool1111111111111111111111111111111111111111 runs code 0xcdcdcdcd…cdcdcdcd, not the code 0xabababab…ababab01 of the served carrack_pool metadata/);
  assert.match(text, /not this deployment's: nothing will be signed/);
});

test('hashes differing only in the middle are told apart (the full hash is compared)', () => {
  const near = `${POOL_HASH.slice(0, 30)}ff${POOL_HASH.slice(32)}`;
  assert.equal(shortHash(near), shortHash(POOL_HASH));
  assert.equal(codeProblems([check({ deployed: near })])[0].kind, 'other-code');
});

test('no contract at the address, and metadata without a hash, are problems too', () => {
  const [none] = codeProblems([check({ deployed: null })]);
  assert.equal(none.kind, 'no-contract');
  assert.match(codeProblemText([none]), /pool address 5Dpool1+ holds no contract on this chain \(the served carrack_pool metadata has code hash 0xabababab…ababab01\)/);
  for (const expected of [undefined, '', '0x1234', `0x${'00'.repeat(32)}`, `0x${'zz'.repeat(32)}`]) {
    const problems = codeProblems([check({ expected })]);
    assert.equal(problems.length, 1, String(expected));
    assert.equal(problems[0].kind, 'no-metadata-hash', String(expected));
    assert.match(codeProblemText(problems), /carrack_pool\.json carries no code hash/);
  }
});

test('every problem is listed, in order', () => {
  const problems = codeProblems([
    check({ deployed: null }),
    check({ name: 'governor', bundle: 'carrack_governor', address: ORACLE, expected: ORACLE_HASH, deployed: POOL_HASH }),
  ]);
  assert.deepEqual(problems.map((p) => `${p.name}:${p.kind}`), ['pool:no-contract', 'governor:other-code']);
  const text = codeProblemText(problems);
  assert.ok(text.indexOf('pool address') < text.indexOf('governor contract'), text);
});
