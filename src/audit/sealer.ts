import {
  type LoadedPlatformKey,
  type PlatformKeys,
  sha256,
  signEd25519,
  verifyEd25519,
} from '../crypto/index.ts';
import {
  type Clock,
  type Database,
  type Logger,
  repeatEvery,
  withPlatform,
} from '../platform/index.ts';
import * as store from './store.ts';

export const genesisHash = Buffer.alloc(32);

/** The bytes a seal block's signature covers. */
export function blockSigningBytes(b: Omit<store.BlockRow, 'signature'>): Buffer {
  return Buffer.from(
    JSON.stringify([
      'v1',
      String(b.block_no),
      b.first_tx,
      String(b.first_seq),
      b.last_tx,
      String(b.last_seq),
      b.event_count,
      b.event_ids,
      Buffer.from(b.prev_hash).toString('hex'),
      Buffer.from(b.chain_hash).toString('hex'),
      b.key_id,
      b.sealed_at.getTime(),
    ]),
  );
}

/** chain_hash = SHA-256(prev_hash ‖ mac₁ ‖ … ‖ macₙ): each block commits to all before it. */
export function chainHash(prev: Uint8Array, macs: Uint8Array[]): Buffer {
  return sha256(Buffer.concat([prev, ...macs]));
}

export function signBlock(key: LoadedPlatformKey, b: Omit<store.BlockRow, 'signature'>): Buffer {
  if (!key.privateKey) throw new Error('seal key has no private key');
  return signEd25519(key.privateKey, blockSigningBytes(b));
}

export function blockSignatureValid(key: LoadedPlatformKey, b: store.BlockRow): boolean {
  if (!key.publicKey) return false;
  return verifyEd25519(key.publicKey, blockSigningBytes(b), b.signature);
}

export interface SealerDeps {
  database: Database;
  keys: PlatformKeys;
  clock: Clock;
  blockSize: number;
}

/**
 * Appends every finished, unsealed event to the chain, in (tx, seq) order, as signed blocks.
 * One node seals at a time (advisory lock); the others skip. Returns how many events it sealed.
 */
export async function sealPending(deps: SealerDeps, maxBlocks = 50): Promise<number> {
  const key = await deps.keys.active('audit-seal');
  return withPlatform(
    deps.database,
    async (tx) => {
      if (!(await store.trySealerLock(tx))) return 0;
      const last = await store.lastBlock(tx);
      let prev: Uint8Array = last ? last.chain_hash : genesisHash;
      let cursor = last ? { tx: last.last_tx, seq: String(last.last_seq) } : { tx: '0', seq: '0' };
      let blockNo = last ? BigInt(last.block_no) : 0n;
      let sealed = 0;
      for (let i = 0; i < maxBlocks; i++) {
        const events = await store.sealCandidates(tx, cursor.tx, cursor.seq, deps.blockSize);
        const first = events[0];
        const lastEvent = events[events.length - 1];
        if (!first || !lastEvent) break;
        blockNo += 1n;
        const chain = chainHash(
          prev,
          events.map((e) => e.mac),
        );
        const block: Omit<store.BlockRow, 'signature'> = {
          block_no: blockNo.toString(),
          first_tx: first.tx,
          first_seq: String(first.seq),
          last_tx: lastEvent.tx,
          last_seq: String(lastEvent.seq),
          event_count: events.length,
          event_ids: events.map((e) => e.id),
          prev_hash: prev,
          chain_hash: chain,
          key_id: key.id,
          sealed_at: deps.clock.now(),
        };
        await store.insertBlock(tx, { ...block, signature: signBlock(key, block) });
        prev = chain;
        cursor = { tx: lastEvent.tx, seq: String(lastEvent.seq) };
        sealed += events.length;
        if (events.length < deps.blockSize) break;
      }
      return sealed;
    },
    // Read committed: every statement after the lock sees the blocks of the previous sealer.
    'read committed',
  );
}

/** Seals until nothing finished is left (CLI, shutdown). */
export async function sealAll(deps: SealerDeps): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await sealPending(deps);
    total += n;
    if (n === 0) return total;
  }
}

/** Runs the sealer on an interval; `stop()` seals what is left and returns. */
export function startSealer(deps: SealerDeps & { intervalMs: number; logger: Logger }): {
  stop(): Promise<void>;
} {
  const rounds = repeatEvery({
    name: 'audit sealing',
    intervalMs: deps.intervalMs,
    run: () => sealPending(deps),
    logger: deps.logger,
  });
  return {
    async stop() {
      await rounds.stop();
      await sealAll(deps).catch((err: unknown) =>
        deps.logger.error({ err }, 'final audit sealing failed; the next start seals the rest'),
      );
    },
  };
}
