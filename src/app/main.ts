// First: libuv's thread pool is sized before anything can start it.
import './thread-pool.ts';
import { runCli } from './cli.ts';

/** `npm start`: the server, configured from the environment (README, docs/configuration.md). */
const code = await runCli(['start', ...process.argv.slice(2)]);
if (code !== -1) process.exit(code);
