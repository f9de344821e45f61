// Unit test of the error-text table (src/error-texts.ts) against the contracts' metadata:
// the release bundles' type registries (scripts/error-variants.mjs; the bundles at
// $CARRACK_RELEASE_TARGET_DIR/ink, as web/run-tests.sh uses them). Fails when any variant
// of any contract's error enum has no text, when a text names a variant the contracts do
// not have, or when a variant carrying another error does not read that error's text.
// Also: the explanations the app shows, in words (src/errors.ts).
//   node --test tests/errors.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorEnums, defaultBundlesDir } from '../scripts/error-variants.mjs';
import { loadSrc } from './transpile.mjs';

const { ERROR_TEXTS } = await loadSrc('error-texts');
const { explainContractError, explainError, isAllowanceRefusal, isTokenRefusal } = await loadSrc('errors');
const enums = errorEnums();
const ctx = { symbol: (address) => ({ '5TETH': 'TETH' })[address] ?? address.slice(0, 6) };

test('the metadata has the error enums the app explains', () => {
  for (const name of ['PoolError', 'CoreError', 'ConfigError', 'OracleError', 'PSP22Error', 'AdminError', 'GovernorError', 'VotesError', 'ActionsError', 'TimelockError', 'LangError']) {
    assert.ok(enums.has(name), `no ${name} in the metadata at ${defaultBundlesDir()}: found ${[...enums.keys()].join(', ')}`);
  }
});

test('every variant of every contract error enum has a text', () => {
  const missing = [];
  for (const [name, { contracts, variants }] of enums) {
    for (const variant of variants.keys()) {
      if (ERROR_TEXTS[name]?.[variant] === undefined) missing.push(`${name}::${variant} (${[...contracts].join(', ')})`);
    }
  }
  assert.deepEqual(missing, [], `web/src/error-texts.ts has no text for ${missing.length} variant(s):\n  ${missing.join('\n  ')}`);
});

test('every text belongs to a variant the contracts have, and a carried error reads its own enum', () => {
  const stale = [];
  const wrongWraps = [];
  for (const [name, texts] of Object.entries(ERROR_TEXTS)) {
    for (const [variant, text] of Object.entries(texts)) {
      const known = enums.get(name)?.variants.get(variant);
      if (!known) {
        stale.push(`${name}::${variant}`);
        continue;
      }
      const wraps = typeof text === 'object' ? text.wraps : null;
      if (wraps !== known.wraps) wrongWraps.push(`${name}::${variant}: the table reads ${wraps ?? 'no inner error'}, the metadata carries ${known.wraps ?? 'none'}`);
    }
  }
  assert.deepEqual(stale, [], `texts for variants no contract has: ${stale.join(', ')}`);
  assert.deepEqual(wrongWraps, []);
});

test('errors read as sentences, inner errors through their own texts', () => {
  assert.equal(explainContractError('CarrackPoolErrorPoolError', { core: 'InsufficientCollateral' }, ctx), 'Your debt would exceed your borrowing power. Supply more collateral or use a smaller amount.');
  assert.equal(explainContractError('CarrackPoolErrorPoolError', { oracle: 'FeedFrozen' }, ctx), 'The price oracle refused: The price feed is frozen.');
  assert.equal(explainContractError('CarrackPoolErrorPoolError', { token: 'InsufficientAllowance' }, ctx), 'The pool is not allowed to take this much of your token yet (approve first).');
  assert.match(explainContractError('CarrackPoolErrorPoolError', { priceNotOk: ['5TETH', 'stale'] }, ctx), /^The TETH price is Stale \(stale: no new price within the heartbeat\)\. Borrowing/);
  assert.equal(explainContractError('CarrackInterfacesPsp22Psp22Error', { custom: 'paused' }, ctx), 'The token refused: paused');
  assert.equal(explainContractError('CarrackGovernorErrorGovernorError', { timelock: { actionFailed: 2 } }, ctx), 'The timelock refused: Action #2 failed, so the whole execution was undone.');
  assert.equal(explainContractError('CarrackGovernorErrorGovernorError', { actions: 'NoActions' }, ctx), "The proposal's actions are malformed: There are no actions.");
  assert.equal(explainContractError('CarrackInterfacesAdminAdminError', 'NotPendingGovernance', ctx), 'Only the account nominated to take governance over may accept it.');
  assert.equal(explainError('CoreError', { invalidConfig: 'LtvNotBelowLiquidationThreshold' }, ctx), 'A market parameter is out of bounds: The LTV must be below the liquidation threshold (unless both are zero).');
  assert.equal(explainError('LangError', 'CouldNotReadInput', ctx), 'The contract could not decode the call: the served metadata does not match its code.');
});

test('a variant or enum the table does not know is said in words from its name', () => {
  assert.equal(explainError('PoolError', 'FlashLoanTooLarge', ctx), 'Flash loan too large.');
  assert.equal(explainContractError('SomeOtherError', { brandNew: null }, ctx), 'Brand new.');
});

test('a refusal by the token, and for lack of allowance, is recognized', () => {
  assert.equal(isTokenRefusal({ token: { insufficientAllowance: null } }), true);
  assert.equal(isAllowanceRefusal({ token: { insufficientAllowance: null } }), true);
  assert.equal(isAllowanceRefusal({ token: 'InsufficientBalance' }), false);
  assert.equal(isTokenRefusal({ core: 'ZeroAmount' }), false);
});
