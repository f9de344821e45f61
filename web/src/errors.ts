// Contract errors in plain words. @polkadot/api-contract decodes an error enum's value
// from the metadata (e.g. `{ core: 'InsufficientCollateral' }`,
// `{ priceNotOk: ['5F…', 'Stale'] }`); its text comes from the table in error-texts.ts,
// by the enum's name and the variant's. No npm imports (unit-tested in Node).

import { ERROR_TEXTS } from './error-texts';

/** What explaining an error may look up. */
export interface ErrorContext {
  /** The symbol of a token address (or a short address). */
  symbol(address: string): string;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `{ key: fields }` or `'Variant'` → [Variant, fields]. */
function variant(err: unknown): [string, unknown] {
  if (typeof err === 'string') return [pascal(err), undefined];
  if (err && typeof err === 'object') {
    const [key] = Object.keys(err);
    if (key !== undefined) return [pascal(key), (err as Record<string, unknown>)[key]];
  }
  return [String(err), undefined];
}

/** A variant the table does not know (a newer contract's), from its name: "Some new error." */
function humanize(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().replace(/^./, (c) => c.toUpperCase()) + '.';
}

/** `err`, a value of the error enum named `enumName` (`PoolError`), in words. */
export function explainError(enumName: string, err: unknown, ctx: ErrorContext): string {
  const [name, fields] = variant(err);
  const text = ERROR_TEXTS[enumName]?.[name];
  if (text === undefined) return humanize(name);
  if (typeof text === 'string') return text;
  if (typeof text === 'function') return text(fields, ctx);
  return `${text.prefix ?? ''}${explainError(text.wraps, fields, ctx)}`;
}

/**
 * `err` in words, by the error type's name as the metadata's message return type gives
 * it (`CarrackPoolErrorPoolError`, `CarrackInterfacesPsp22Psp22Error`): the table's enum
 * whose name ends it.
 */
export function explainContractError(typeName: string, err: unknown, ctx: ErrorContext): string {
  const lower = typeName.toLowerCase();
  const enumName = Object.keys(ERROR_TEXTS)
    .filter((name) => lower.endsWith(name.toLowerCase()))
    .sort((a, b) => b.length - a.length)[0];
  return enumName ? explainError(enumName, err, ctx) : humanize(variant(err)[0]);
}

/** Whether a PoolError is the token's refusal (`Token(..)`), e.g. for lack of allowance. */
export function isTokenRefusal(raw: unknown): boolean {
  return Boolean(raw && typeof raw === 'object' && Object.keys(raw).some((k) => k.toLowerCase() === 'token'));
}

/** Whether a PoolError is the token's `InsufficientAllowance`: the pool may not take the tokens yet. */
export function isAllowanceRefusal(raw: unknown): boolean {
  return isTokenRefusal(raw) && /insufficientallowance/i.test(JSON.stringify(raw));
}

/** A dispatch error (the extrinsic failed at the runtime level) in plain words. */
export function explainDispatch(section: string, name: string): string {
  if (section === 'contracts' && name === 'ContractReverted') {
    return 'The contract refused the transaction on chain (the state changed since the dry run). Review and try again.';
  }
  if (section === 'contracts' && name === 'OutOfGas') return 'The transaction ran out of gas.';
  if (section === 'balances' || name === 'InsufficientBalance') return 'Your account cannot pay the transaction fee.';
  if (section === 'contracts' && name === 'StorageDepositLimitExhausted') return 'The storage deposit limit was exhausted.';
  return `The chain refused the transaction: ${section}.${name}.`;
}
