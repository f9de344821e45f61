// The benchmark node's clock, moved forward on demand. scripts/bench.sh starts the node
// with bench/node-clock.c preloaded: its wall clock reads the real clock plus the offset
// in the file this module writes (16 bytes: the offset in nanoseconds as a little-endian
// int64, then its bitwise complement, so the node never uses a half-written offset).
// The dev node stamps each block with its wall clock when it seals it, so moving the
// offset moves the chain's time: a block can be sealed in a chosen second, or one day
// later, without waiting for it.
//
// The node and this process read the same real clock, so the node's clock is known here
// to the millisecond: `now()` is what the next block's timestamp would be if sealed at
// once (sealing adds the few milliseconds between the request and the block's start).

import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** Bytes in the offset file (bench/node-clock.c reads exactly these). */
const FILE_BYTES = 16;

/** The 16 bytes that set an offset of `offsetNs` nanoseconds. */
export function encodeOffset(offsetNs) {
  const bytes = Buffer.alloc(FILE_BYTES);
  bytes.writeBigInt64LE(offsetNs, 0);
  bytes.writeBigInt64LE(~offsetNs, 8);
  return bytes;
}

export class NodeClock {
  /** Opens the offset file that the node was started with (see scripts/bench.sh). */
  constructor(path) {
    this.path = path;
    this.fd = openSync(path, 'r+');
    const bytes = Buffer.alloc(FILE_BYTES);
    if (readSync(this.fd, bytes, 0, FILE_BYTES, 0) !== FILE_BYTES) {
      throw new Error(`${path} is not a node clock file (${FILE_BYTES} bytes expected; scripts/bench.sh writes it)`);
    }
    const offsetNs = bytes.readBigInt64LE(0);
    if (bytes.readBigInt64LE(8) !== ~offsetNs) {
      throw new Error(`${path} holds no valid offset (the complement check fails)`);
    }
    /** The offset in milliseconds: the node's clock minus the real one. */
    this.offsetMs = Number(offsetNs / 1_000_000n);
  }

  /** The node's wall clock now, in milliseconds since the epoch. */
  now() {
    return Date.now() + this.offsetMs;
  }

  /**
   * Sets the node's clock to read `targetMs` now (it runs on from there at real speed).
   * Refuses to move it back: a block stamped earlier than its parent is invalid, and a
   * chain whose time went back would make every later figure meaningless.
   */
  setTo(targetMs) {
    const offsetMs = Math.round(targetMs - Date.now());
    if (offsetMs < this.offsetMs) {
      throw new Error(`the node's clock cannot go back (it reads ${this.now()}, asked for ${targetMs})`);
    }
    writeSync(this.fd, encodeOffset(BigInt(offsetMs) * 1_000_000n), 0, FILE_BYTES, 0);
    this.offsetMs = offsetMs;
  }

  close() {
    closeSync(this.fd);
  }
}

/** Where in a target second a block is sealed: sealing takes ≈ 50–100 ms after the
 * request here, so 100 ms in leaves most of the second as margin. */
export const SEAL_AT_MS_INTO_SECOND = 100;

/** The timestamp (ms) of block `hash`, or of the latest block. */
export async function timestampMs(api, hash) {
  const at = hash === undefined ? api : await api.at(hash);
  return Number((await at.query.timestamp.now()).toBigInt());
}

/**
 * Makes the chain's head a block sealed exactly `gapSecs` whole seconds after the block of
 * a state change (pallet timestamps count in ms, contracts here in whole seconds:
 * block time / 1000). `touch()` makes the change and resolves with `{ blockHash }`;
 * `seal()` seals an empty-handed block (a remark) and resolves the same way. The node's
 * clock is moved to the touched second + `gapSecs` and the block sealed in it; both
 * timestamps are read back, and the sealed block must be the chain's head (the state a
 * dry run sees). A seal that lands in another second (a stalled machine) is retried with
 * a fresh touch; after `attempts` this fails rather than leave another gap.
 */
export async function pinGap({ api, clock, touch, seal, gapSecs, what, attempts = 3 }) {
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const touched = await touch();
    const touchedSecs = Math.floor((await timestampMs(api, touched.blockHash)) / 1000);
    const targetSecs = touchedSecs + gapSecs;
    if (clock.now() >= targetSecs * 1000) {
      console.error(`    (the node's clock passed second ${targetSecs} before the seal; touching ${what} again)`);
      continue;
    }
    clock.setTo(targetSecs * 1000 + SEAL_AT_MS_INTO_SECOND);
    const sealed = await seal();
    const sealedMs = await timestampMs(api, sealed.blockHash);
    const gap = Math.floor(sealedMs / 1000) - touchedSecs;
    const head = await api.rpc.chain.getHeader();
    if (gap === gapSecs && head.hash.eq(sealed.blockHash)) return;
    const why = gap === gapSecs
      ? `the head is block ${head.number.toNumber()} (${head.hash.toHex()}), not the sealed ${sealed.blockHash.toHex()}`
      : `the sealed block is ${gap} s after ${what}'s update, not ${gapSecs}`;
    console.error(`    (${why}; touching ${what} again)`);
  }
  throw new Error(`could not seal a block exactly ${gapSecs} s after ${what}'s last update in ${attempts} attempts`);
}
