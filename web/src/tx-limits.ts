// The limits a transaction is signed with: gas from the dry run (doubled for margin) and a
// storage deposit limit from the dry run's charge, never the unlimited `null`, so a token
// (or a node) cannot charge more than the dry run showed. For the second call of an
// approve-and-act batch the dry run cannot get past the missing allowance (the approval is
// in the same batch), so its limits are bounded from what that dry run and a token
// transfer's dry run show. No npm imports (unit-tested in Node: tests/tx-limits.test.mjs).

/** A weight: execution time (picoseconds) and proof size (bytes). */
export interface Gas {
  refTime: bigint;
  proofSize: bigint;
}

/** The gas a call is signed with: twice its dry run's, plus one. */
export function signedGas(dryRun: Gas): Gas {
  return { refTime: dryRun.refTime * 2n + 1n, proofSize: dryRun.proofSize * 2n + 1n };
}

/**
 * The storage deposit limit a transaction is signed with: twice the dry run's charge, plus
 * one storage item's deposit for a new entry the dry run did not foresee.
 */
export function storageDepositLimit(storageCharge: bigint, depositPerItem: bigint): bigint {
  return storageCharge * 2n + depositPerItem;
}

/**
 * The gas of a pool call batched after its approval, whose dry run was refused at the
 * token for lack of allowance. The pool makes its token transfers last, so that dry run
 * ran everything but `transfers` token transfers (a liquidation's pull and its collateral
 * out: 2; a supply's or repayment's pull: 1), each costing at most a plain transfer's dry
 * run `tokenTransfer` (the failed pull's own cost is in both: margin); doubled like every
 * call's gas.
 */
export function batchedActGas(refusedDryRun: Gas, tokenTransfer: Gas, transfers: number): Gas {
  const n = BigInt(transfers);
  return signedGas({
    refTime: refusedDryRun.refTime + n * tokenTransfer.refTime,
    proofSize: refusedDryRun.proofSize + n * tokenTransfer.proofSize,
  });
}

/** New storage entries a batched pool call may add beyond its refused dry run (a position, a token balance). */
export const BATCHED_ACT_NEW_ITEMS = 2n;
/** The size bound of each such entry, in bytes (an account entry with every position is far smaller). */
export const BATCHED_ACT_ITEM_BYTES = 1_024n;

/**
 * The storage deposit limit of a pool call batched after its approval: a refused dry run
 * charges nothing, so the limit is room for `BATCHED_ACT_NEW_ITEMS` new entries of
 * `BATCHED_ACT_ITEM_BYTES` each (its allowance entry, spent, is refunded meanwhile).
 */
export function batchedActDepositLimit(depositPerItem: bigint, depositPerByte: bigint): bigint {
  return BATCHED_ACT_NEW_ITEMS * (depositPerItem + BATCHED_ACT_ITEM_BYTES * depositPerByte);
}
