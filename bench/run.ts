import { sizeThreadPoolForHashing } from '../src/crypto/index.ts';
import { serverCoreCount } from './cores.ts';

/**
 * `npm run bench -- <name> [options]`: each benchmark reports absolute numbers and ratios to a
 * baseline measured in the same run on the same machine (docs/architecture.md#benchmarks).
 */
const benches: Record<string, () => Promise<{ main(argv: string[]): Promise<void> }>> = {
  audit: () => import('./audit.ts'),
  evidence: () => import('./evidence.ts'),
  login: () => import('./login.ts'),
  oauth: () => import('./oauth.ts'),
  reviews: () => import('./reviews.ts'),
  scim: () => import('./scim.ts'),
  timing: () => import('./timing.ts'),
  users: () => import('./users.ts'),
};

const [name, ...rest] = process.argv.slice(2);
// As `vigil start` does (src/app/thread-pool.ts), for the cores the server will be pinned to, before
// anything starts libuv's thread pool.
sizeThreadPoolForHashing(serverCoreCount(rest));
const load = name ? benches[name] : undefined;
if (!load) {
  process.stderr.write(`Usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]\n`);
  process.exit(2);
}
await (await load()).main(rest);
