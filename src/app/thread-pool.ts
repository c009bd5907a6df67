import { sizeThreadPoolForHashing } from '../crypto/index.ts';

/**
 * Imported first by the `vigil` entry points, before anything can start libuv's thread pool:
 * one thread per core, so that password hashes queue in the pool and each thread goes from one
 * to the next without waiting for the event loop (docs/authentication.md#scheduling).
 */
sizeThreadPoolForHashing();
