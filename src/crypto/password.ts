import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which erasable TypeScript cannot import). */
const argon2id = 2;

/** argon2id with OWASP's parameters (m=19 MiB, t=2, p=1); they travel inside the encoded hash. */
export const passwordHashParams = {
  algorithm: argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * How many argon2id computations may be handed to libuv's thread pool at once, given the pool's
 * size and the cores this process may use. Each one fills 19 MiB: more of them running than cores
 * only take turns on the same cores and evict each other's memory from the CPU caches, and
 * verify fewer passwords per second (bench/RESULTS.md#password-hashing). So when the pool has
 * more threads than cores (libuv's default is 4), one per core. When it has at most one thread
 * per core (`sizeThreadPoolForHashing`), the pool itself keeps them from running more than that,
 * and one more per thread waits in its queue: a thread that finishes a hash starts the next at
 * once, without waiting for the event loop (docs/authentication.md#scheduling).
 */
export function hashesInFlight(poolSize: number, cores: number): number {
  return poolSize <= cores ? 2 * poolSize : cores;
}

/** libuv's thread pool size: `UV_THREADPOOL_SIZE` as libuv reads it when the pool starts (4 unset). */
function threadPoolSize(): number {
  const size = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4;
}
/** Read once, at the first hash, as libuv reads it once: when its pool starts, at the latest then. */
let poolSize: number | undefined;

/**
 * Sizes libuv's thread pool to one thread per core this process may use, unless
 * `UV_THREADPOOL_SIZE` is set already. libuv reads it once, when the pool starts: this must run
 * before anything uses the pool, so it is the first thing the `vigil` entry points import
 * (`src/app/thread-pool.ts`).
 */
export function sizeThreadPoolForHashing(cores = availableParallelism()): void {
  process.env.UV_THREADPOOL_SIZE ??= String(cores);
}

/**
 * The argon2id computations handed to the pool (`hashesInFlight`); the others wait their turn in
 * arrival order, holding no memory. `availableParallelism()` follows the process's CPU affinity
 * and cgroup quota, and is read at each turn because both can change while it runs.
 */
export const passwordHashing = {
  running: 0,
  waiting: [] as (() => void)[],
  /** How many may be handed to the pool now. */
  limit(): number {
    poolSize ??= threadPoolSize();
    return hashesInFlight(poolSize, availableParallelism());
  },
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.limit()) this.running++;
    else await new Promise<void>((turn) => this.waiting.push(turn));
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so `running` never overshoots.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  },
};

export function hashPassword(password: string): Promise<string> {
  return passwordHashing.run(() => hash(password.normalize('NFKC'), passwordHashParams));
}

export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  try {
    return await passwordHashing.run(() => verify(encoded, password.normalize('NFKC')));
  } catch {
    return false;
  }
}

/** True when the stored hash was made with other parameters and should be rehashed at sign-in. */
export function passwordNeedsRehash(encoded: string): boolean {
  const p = passwordHashParams;
  return !encoded.startsWith(
    `$argon2id$v=19$m=${p.memoryCost},t=${p.timeCost},p=${p.parallelism}$`,
  );
}
