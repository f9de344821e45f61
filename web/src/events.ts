// The page's own index of the pool's and governor's events, for a server without a
// keeper: the borrowers (Borrowed), the liquidations (Liquidated) and the proposals'
// descriptions (ProposalCreated) of the last 10,000 blocks, scanned 16 blocks at a time.

import { chain, state } from './store';

/** A `Liquidated` event's fields (JSON of the decoded event) and its block. */
export interface ScannedLiquidation {
  block: number;
  fields: Record<string, any>;
}

/** What the scan found so far. */
export const scanned = {
  /** Accounts that borrowed. */
  borrowers: new Set<string>(),
  /** Liquidations, oldest first. */
  liquidations: [] as ScannedLiquidation[],
  /** Proposal descriptions by id. */
  proposalDescriptions: new Map<number, string>(),
  /** The last block scanned (-1: none yet). */
  toBlock: -1,
};

/** How far back the scan reaches from the head, in blocks. */
export const SCAN_DEPTH_BLOCKS = 10_000;

/** The first block the scan covers: the deployment's, or the head's depth back. */
export function scanStartBlock(): number {
  return Math.max(chain().manifest.chain.start_block ?? 0, state.headNumber - SCAN_DEPTH_BLOCKS);
}

let scanQueue: Promise<void> = Promise.resolve();

/**
 * Indexes the events up to the current head. Calls queue up, so whoever awaits it (the
 * liquidations and governance views both do, concurrently) sees every event to the head.
 */
export function scanEvents(): Promise<void> {
  scanQueue = scanQueue.then(scanNewBlocks, scanNewBlocks);
  return scanQueue;
}

async function scanNewBlocks(): Promise<void> {
  const { api, pool, governor } = chain();
  const head = state.headNumber;
  const start = Math.max(scanned.toBlock + 1, scanStartBlock());
  if (start > head) return;
  for (let from = start; from <= head; from += 16) {
    const numbers = Array.from({ length: Math.min(16, head - from + 1) }, (_, i) => from + i);
    await Promise.all(
      numbers.map(async (n) => {
        const hash = await api.rpc.chain.getBlockHash(n);
        const at = await api.at(hash);
        const records = (await at.query.system.events()) as any;
        for (const record of records) {
          if (!api.events.contracts.ContractEmitted.is(record.event)) continue;
          const emitter = record.event.data[0].toString();
          const abi = emitter === pool.address ? pool.abi : governor && emitter === governor.address ? governor.abi : null;
          if (!abi) continue;
          try {
            const decoded = abi.decodeEvent(record);
            const name = decoded.event.identifier.split('::').pop();
            const fields: Record<string, any> = {};
            decoded.event.args.forEach((arg, i) => {
              fields[arg.name] = decoded.args[i].toJSON();
            });
            if (name === 'Borrowed') scanned.borrowers.add(fields.account);
            if (name === 'Liquidated') scanned.liquidations.push({ block: n, fields });
            if (name === 'ProposalCreated') scanned.proposalDescriptions.set(Number(fields.proposalId), String(fields.description));
          } catch {
            // An event of another version of the contract: not ours to show.
          }
        }
      }),
    );
  }
  scanned.toBlock = head;
}
