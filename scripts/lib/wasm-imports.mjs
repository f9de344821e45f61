// Lists the host functions a contract's .wasm imports (`module::name`, e.g. `seal2::call`)
// and, with --deny, fails when it imports any of the named ones. scripts/lib/common.sh
// uses it to check that a `call-v1` build (scripts/build.sh --call-v1) makes no call
// through pallet-contracts' v2 call ABI, which chains on the polkadot-sdk 1.6 line refuse.
//
//   node scripts/lib/wasm-imports.mjs CONTRACT.wasm [--deny seal2::call,seal2::instantiate]
//
// Exit code 1 when a denied import is present, 2 on bad usage or an unreadable module.

import { readFileSync } from 'node:fs';

const [path, flag, list] = process.argv.slice(2);
if (!path || (flag !== undefined && (flag !== '--deny' || !list))) {
  console.error('usage: node scripts/lib/wasm-imports.mjs CONTRACT.wasm [--deny MODULE::NAME[,...]]');
  process.exit(2);
}
let imports;
try {
  imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(path)))
    .filter((entry) => entry.kind === 'function')
    .map((entry) => `${entry.module}::${entry.name}`);
} catch (err) {
  console.error(`${path}: not a readable wasm module (${err.message})`);
  process.exit(2);
}
const denied = new Set(list ? list.split(',') : []);
const found = imports.filter((name) => denied.has(name));
if (found.length > 0) {
  console.error(`${path} imports ${found.join(', ')} (denied: ${[...denied].join(', ')})`);
  process.exit(1);
}
console.log(imports.join(' '));
