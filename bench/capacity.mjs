// How many extrinsics of one kind fit in a block, from a dry run's weights: shared by
// bench/measure.mjs (block capacity) and bench/pack.mjs (its prediction and the size of
// its batches).
//
// How a block accounts a `contracts.call` extrinsic (pallet-contracts 38, frame_system's
// CheckWeight on substrate-contracts-node 0.42):
//   - before dispatch it must fit in what the block has left with its dispatch weight:
//     the pallet's own weight for `call` (WeightInfo::call, outside the gas) + the gas
//     limit + base_extrinsic;
//   - after dispatch the pallet reports its actual weight, its own weight + the gas
//     consumed, and CheckWeight gives the difference back: the block keeps the charged
//     weight, the pallet's own weight + the gas consumed + base_extrinsic.
// Both also count the extrinsic's encoded length as proof_size (its bytes are in the
// block's proof). So all extrinsics of a block but the last cost their charged weight,
// and the last one still needs room for its dispatch weight.

/** `{ ref_time, proof_size }` of a Weight. */
export const weightOf = (w) => ({ ref_time: Number(w.refTime.toBigInt()), proof_size: Number(w.proofSize.toBigInt()) });

const addWeights = (...ws) => ({
  ref_time: ws.reduce((sum, w) => sum + w.ref_time, 0),
  proof_size: ws.reduce((sum, w) => sum + w.proof_size, 0),
});

/** The node's block limits (`system.blockWeights`), in the results' form. */
export function blockLimits(api) {
  const weights = api.consts.system.blockWeights;
  const normal = weights.perClass.normal;
  const limits = {
    // pallet-contracts' dev node sets no proof_size limit (u64::MAX).
    proof_size_unbounded: weights.maxBlock.proofSize.toBigInt() >= 2n ** 63n,
    max_block: weightOf(weights.maxBlock),
    base_block: weightOf(weights.baseBlock),
    normal_max_total: weightOf(normal.maxTotal.unwrap()),
    base_extrinsic: weightOf(normal.baseExtrinsic),
  };
  limits.normal_share = limits.normal_max_total.ref_time / limits.max_block.ref_time;
  return limits;
}

/** How many extrinsics fit under `limit`: 1 + ⌊(limit − dispatch) ÷ charged⌋ (0 if none). */
export function fitting(limit, dispatch, charged) {
  return dispatch > limit ? 0 : 1 + Math.floor((limit - dispatch) / charged);
}

/**
 * The dispatch and charged weights of one `label` extrinsic on `contract` by `signer`,
 * with a gas limit of `required` (the dry run's gas_required, as a wallet sends it) and
 * `consumed` gas. The pallet's own weight is read from the node: the weight
 * TransactionPaymentApi_query_info gives the extrinsic, minus its gas limit; the length
 * is the extrinsic's, signed (offline, for the signer's next nonce).
 */
export async function extrinsicWeights(api, limits, { contract, label, signer, args, required, consumed }) {
  const gasLimit = api.registry.createType('WeightV2', { refTime: required.ref_time, proofSize: required.proof_size });
  const extrinsic = contract.inner.tx[contract.method(label)]({ gasLimit, storageDepositLimit: null }, ...args);
  const info = await extrinsic.paymentInfo(signer);
  const dispatchInfo = weightOf(info.weight);
  const callOverhead = {
    ref_time: dispatchInfo.ref_time - required.ref_time,
    proof_size: dispatchInfo.proof_size - required.proof_size,
  };
  const nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
  const length = extrinsic.sign(signer, offlineSigning(api, nonce)).encodedLength;
  const bytes = { ref_time: 0, proof_size: length };
  return {
    call_overhead: callOverhead,
    length,
    dispatch: addWeights(callOverhead, required, limits.base_extrinsic, bytes),
    charged: addWeights(callOverhead, consumed, limits.base_extrinsic, bytes),
  };
}

/** Options to sign an extrinsic offline (no node round trip) and immortal, for `nonce`. */
export function offlineSigning(api, nonce) {
  return {
    blockHash: api.genesisHash,
    genesisHash: api.genesisHash,
    runtimeVersion: api.runtimeVersion,
    signedExtensions: api.registry.signedExtensions,
    nonce,
  };
}

/** A relay chain's PoV limit (polkadot-primitives `MAX_POV_SIZE`, 5 MiB): the proof_size
 * budget a parachain block would have, shown next to the dev node's own (unbounded) one. */
export const PARACHAIN_POV_BYTES = 5 * 1024 * 1024;

/**
 * The block capacity of extrinsics weighing `weights` (from extrinsicWeights):
 * `per_block` in the normal class of this node's block, what limits it, the figure one
 * gets by charging every extrinsic its gas limit (`per_block_if_charged_required`, as the
 * benchmark did before it recorded gas_consumed), and the proof_size-only capacity of a
 * parachain block (a 5 MiB PoV, the same normal share).
 */
export function capacityOf(limits, weights) {
  const { dispatch, charged } = weights;
  const max = limits.normal_max_total;
  const byRefTime = fitting(max.ref_time, dispatch.ref_time, charged.ref_time);
  const byProofSize = fitting(max.proof_size, dispatch.proof_size, charged.proof_size);
  const povLimit = Math.floor(PARACHAIN_POV_BYTES * limits.normal_share);
  return {
    call_overhead: weights.call_overhead,
    extrinsic_length: weights.length,
    extrinsic_weight: { dispatch, charged },
    per_block: Math.min(byRefTime, byProofSize),
    by_ref_time: byRefTime,
    by_proof_size: byProofSize,
    limited_by: byRefTime <= byProofSize ? 'ref_time' : 'proof_size',
    per_block_if_charged_required: Math.min(
      Math.floor(max.ref_time / dispatch.ref_time),
      Math.floor(max.proof_size / dispatch.proof_size),
    ),
    by_proof_size_at_5_mib_pov: fitting(povLimit, dispatch.proof_size, charged.proof_size),
    by_proof_size_at_5_mib_pov_if_charged_required: Math.floor(povLimit / dispatch.proof_size),
  };
}
