#!/usr/bin/env node
// Every error enum of the contracts the web app talks to, read from the release bundles'
// metadata (`<bundles>/<name>/<name>.json`, its type registry): each enum whose Rust path
// ends in `…Error`, by that last segment (`PoolError`), with its variants and, for a
// variant carrying another error enum, that enum's name. tests/errors.test.mjs checks
// src/error-texts.ts against it. Run alone, it prints one variant path a line:
//
//   node web/scripts/error-variants.mjs [BUNDLES_DIR]
//   PoolError::Core(CoreError)   carrack_pool
//   PoolError::OracleCallFailed  carrack_pool
//   …
//
// BUNDLES_DIR defaults to $CARRACK_RELEASE_TARGET_DIR/ink, as scripts/lib/common.sh sets
// it ($CARRACK_CACHE/target-release, $CARRACK_CACHE defaulting to ~/.cache/carrack).

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The bundles of the contracts the web app calls, and the timelock (its errors reach the app through the governor's). */
export const CONTRACTS = ['carrack_pool', 'carrack_oracle', 'carrack_token', 'carrack_governor', 'carrack_gov_token', 'carrack_timelock'];

/** Where the release bundles are, as scripts/lib/common.sh puts them. */
export function defaultBundlesDir() {
  const cache = process.env.CARRACK_CACHE ?? join(homedir(), '.cache', 'carrack');
  return join(process.env.CARRACK_RELEASE_TARGET_DIR ?? join(cache, 'target-release'), 'ink');
}

const lastSegment = (type) => type?.path?.[type.path.length - 1];
const isErrorEnum = (type) => Boolean(type?.def?.variant) && /Error$/.test(lastSegment(type) ?? '');

/**
 * The error enums of `contracts` in `bundlesDir`: a Map from enum name to
 * `{ contracts: Set<bundle>, variants: Map<variant, { wraps: enum name | null }> }`
 * (variants of same-named enums of several contracts merged). Throws, naming the file,
 * when a bundle's metadata is missing.
 */
export function errorEnums(bundlesDir = defaultBundlesDir(), contracts = CONTRACTS) {
  const enums = new Map();
  for (const contract of contracts) {
    const file = join(bundlesDir, contract, `${contract}.json`);
    if (!existsSync(file)) throw new Error(`no metadata at ${file}: build the contracts first (scripts/build.sh)`);
    const metadata = JSON.parse(readFileSync(file, 'utf8'));
    const types = new Map(metadata.types.map((t) => [t.id, t.type]));
    for (const type of types.values()) {
      if (!isErrorEnum(type)) continue;
      const name = lastSegment(type);
      const entry = enums.get(name) ?? { contracts: new Set(), variants: new Map() };
      entry.contracts.add(contract);
      for (const variant of type.def.variant.variants) {
        const fields = variant.fields ?? [];
        const inner = fields.length === 1 ? types.get(fields[0].type) : undefined;
        entry.variants.set(variant.name, { wraps: isErrorEnum(inner) ? lastSegment(inner) : null });
      }
      enums.set(name, entry);
    }
  }
  return enums;
}

/** One line per variant: `Enum::Variant` (`(Inner)` when it carries an error) and the contracts. */
export function variantLines(enums) {
  const lines = [];
  for (const [name, entry] of [...enums].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [variant, { wraps }] of entry.variants) {
      lines.push(`${name}::${variant}${wraps ? `(${wraps})` : ''}\t${[...entry.contracts].join(', ')}`);
    }
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    console.log(variantLines(errorEnums(process.argv[2] ?? defaultBundlesDir())).join('\n'));
  } catch (err) {
    console.error(`error-variants.mjs: ${err.message}`);
    process.exit(1);
  }
}
