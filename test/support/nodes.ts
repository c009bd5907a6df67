import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from './http.ts';

const mainScript = new URL('../../src/app/main.ts', import.meta.url).pathname;

export interface VigilNode {
  /** Where this node listens (https://127.0.0.1:port). */
  base: string;
  stop(): Promise<void>;
}

/**
 * Starts `node src/app/main.ts` as its own process with `env` (the server as an operator runs
 * it; docs/configuration.md), on `cores` when given (benchmarks), and resolves once `/healthz`
 * answers. Several over one `DATABASE_URL` are the nodes of one deployment.
 */
export async function startNode(
  port: number,
  env: Record<string, string>,
  options: { cores?: string } = {},
): Promise<VigilNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-node-'));
  const command = [process.execPath, mainScript];
  const [file = process.execPath, ...args] = options.cores
    ? ['taskset', '-c', options.cores, ...command]
    : command;
  const child: ChildProcess = spawn(file, args, {
    env: {
      PATH: process.env.PATH ?? '',
      VIGIL_ENV: 'test',
      VIGIL_HOST: '127.0.0.1',
      VIGIL_PORT: String(port),
      VIGIL_DATA_DIR: dataDir,
      VIGIL_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const base = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node on ${port} exited: ${output}`);
    const up = await request(`${base}/healthz`).catch(() => undefined);
    if (up?.status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node on ${port} did not start within 60 s: ${output}`);
    }
    await sleep(100);
  }
  return {
    base,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
