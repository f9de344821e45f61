// Whether the manifest's contract addresses hold the code the served metadata describes
// (review D2). The app encodes every call with the served metadata and sends it to the
// manifest's address; a manifest whose `pool` names another contract would have the user
// sign `PSP22::approve(that contract, amount)`. So before anything is signed, the code
// hash deployed at each address (`contracts.contractInfoOf(address).codeHash`) must equal
// the metadata's own `source.hash` (the hash of the Wasm it was built with). No npm
// imports: unit-tested in Node (tests/code-check.test.mjs).

/** One manifest contract: its address, the served metadata's hash and what the chain holds. */
export interface CodeCheck {
  /** The manifest's name (`pool`, `oracle`, `governor`, `gov_token`). */
  name: string;
  /** The metadata bundle the app uses for it (`carrack_pool`). */
  bundle: string;
  /** The manifest's address. */
  address: string;
  /** The served metadata's `source.hash` (undefined: the metadata has none). */
  expected: string | undefined;
  /** The code hash of the contract at `address`; null: no contract there. */
  deployed: string | null;
}

export type CodeProblemKind = 'no-metadata-hash' | 'no-contract' | 'other-code';

export interface CodeProblem extends CodeCheck {
  kind: CodeProblemKind;
}

/** `0x` + lower-case hex, for comparing hashes written either way. */
export function normalizeHash(hash: string): string {
  const h = hash.trim().toLowerCase();
  return h.startsWith('0x') ? h : `0x${h}`;
}

/** `0x12345678…9abcdef0`: enough to tell two hashes apart by eye (the comparison uses all of them). */
export function shortHash(hash: string): string {
  const h = normalizeHash(hash);
  return h.length > 20 ? `${h.slice(0, 10)}…${h.slice(-8)}` : h;
}

const HASH = /^0x[0-9a-f]{64}$/;

/** The checks that fail, in the order given; empty when every address holds its metadata's code. */
export function codeProblems(checks: CodeCheck[]): CodeProblem[] {
  const problems: CodeProblem[] = [];
  for (const check of checks) {
    const expected = check.expected === undefined ? undefined : normalizeHash(check.expected);
    if (expected === undefined || !HASH.test(expected) || /^0x0+$/.test(expected)) {
      problems.push({ ...check, kind: 'no-metadata-hash' });
    } else if (check.deployed === null) {
      problems.push({ ...check, kind: 'no-contract' });
    } else if (normalizeHash(check.deployed) !== expected) {
      problems.push({ ...check, kind: 'other-code' });
    }
  }
  return problems;
}

/** One sentence per problem, and what it means: nothing will be signed. */
export function codeProblemText(problems: CodeProblem[]): string {
  const lines = problems.map((p) => {
    const expected = p.expected === undefined ? '' : shortHash(p.expected);
    switch (p.kind) {
      case 'no-metadata-hash':
        return `The served metadata ${p.bundle}.json carries no code hash (source.hash), so the manifest's ${p.name} contract at ${p.address} cannot be checked.`;
      case 'no-contract':
        return `The manifest's ${p.name} address ${p.address} holds no contract on this chain (the served ${p.bundle} metadata has code hash ${expected}).`;
      default:
        return `The manifest's ${p.name} contract at ${p.address} runs code ${shortHash(p.deployed!)}, not the code ${expected} of the served ${p.bundle} metadata.`;
    }
  });
  return `${lines.join(' ')} The manifest or the metadata is not this deployment's: nothing will be signed. Ask the site's operator to fix its deployment files.`;
}
