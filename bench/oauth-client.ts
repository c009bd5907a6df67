import https from 'node:https';
import { runFor, serveRounds } from './support.ts';

/**
 * The OAuth load generator: a process of its own (pinned by the benchmark to cores the server
 * does not use, as a real client is another machine). Takes its settings as JSON in argv[2]; each
 * round (`serveRounds`) answers the completed requests, its own CPU time and the last access token
 * it got. Refresh chains carry over from one round to the next. Any unexpected answer ends it with
 * an error: a failed request never counts.
 */
type Phase = 'jwt' | 'client_credentials' | 'refresh' | 'lookup' | 'introspection';
const { url, phase, path, auth, token, refreshTokens, concurrency } = JSON.parse(
  process.argv[2] ?? '{}',
) as {
  url: string;
  phase: Phase;
  path: string;
  /** `Authorization: Basic` value. */
  auth: string;
  /** The token introspected (introspection, lookup). */
  token: string;
  /** One refresh token per loop (refresh). */
  refreshTokens?: string[];
  concurrency: number;
};

const agent = new https.Agent({
  keepAlive: true,
  rejectUnauthorized: false,
  maxSockets: concurrency,
});
const post = (params: Record<string, string>) =>
  new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const headers = {
      authorization: `Basic ${auth}`,
      'content-type': 'application/x-www-form-urlencoded',
    };
    const req = https.request(`${url}${path}`, { method: 'POST', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          reject(new Error(`${phase}: ${res.statusCode} with a body that is not JSON: ${text}`));
        }
      });
    });
    req.on('error', reject);
    req.end(new URLSearchParams(params).toString());
  });

/** The request's answer, or an error naming the phase, status and body. */
async function expect(
  params: Record<string, string>,
  ok: (body: Record<string, unknown>) => boolean,
) {
  const res = await post(params);
  if (res.status !== 200 || !ok(res.body))
    throw new Error(`${phase} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

// Refresh: as many chains as loops; a loop takes a free chain's token and returns the one it gets.
const chains = [...(refreshTokens ?? [])];
let accessToken = '';
const op = (): Promise<unknown> => {
  switch (phase) {
    case 'jwt':
    case 'client_credentials':
      return expect({ grant_type: 'client_credentials' }, (b) => {
        accessToken = String(b.access_token);
        return typeof b.access_token === 'string';
      });
    case 'lookup':
    case 'introspection':
      return expect({ token, token_type_hint: 'access_token' }, (b) => b.active === true);
    case 'refresh':
      return refresh(chains.pop() ?? '');
  }
};
async function refresh(refreshToken: string): Promise<void> {
  const body = await expect(
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    (b) => typeof b.refresh_token === 'string' && typeof b.access_token === 'string',
  );
  chains.push(body.refresh_token as string);
}

await serveRounds(async ({ seconds }: { seconds: number }) => {
  const started = process.cpuUsage();
  const done = await runFor(seconds, concurrency, op);
  const cpu = process.cpuUsage(started);
  return { done, cpuMs: (cpu.user + cpu.system) / 1000, accessToken };
});
agent.destroy();
