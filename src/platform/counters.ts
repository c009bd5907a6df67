import { createClient } from 'redis';

/**
 * A counter per key that expires on its own: the per-address failure windows of the sign-in limit.
 * In PostgreSQL by default (every node shares it); in Redis when VIGIL_REDIS_URL is set, which
 * keeps this high-volume, short-lived data out of the database.
 */
export interface WindowCounter {
  get(key: string): Promise<number>;
  /** Adds one and returns the new count; the key expires after `ttlSeconds`. */
  increment(key: string, ttlSeconds: number): Promise<number>;
  close(): Promise<void>;
}

export async function createRedisCounter(url: string, prefix = 'vigil:'): Promise<WindowCounter> {
  const client = createClient({ url });
  client.on('error', () => {
    // Reported through the failing commands; a sign-in then fails closed.
  });
  await client.connect();
  return {
    async get(key) {
      return Number((await client.get(prefix + key)) ?? 0);
    },
    async increment(key, ttlSeconds) {
      const [count] = await client
        .multi()
        .incr(prefix + key)
        .expire(prefix + key, ttlSeconds, 'NX')
        .exec();
      return Number(count);
    },
    async close() {
      await client.quit();
    },
  };
}
