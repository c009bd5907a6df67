import https from 'node:https';
import { cpuSpent, cpuTime } from './cores.ts';
import { runFor, serveRounds } from './support.ts';

/**
 * The sign-in load generator: a process of its own (pinned by the benchmark to cores the server
 * does not use, as a real client is another machine), up for the whole run. Takes its settings as
 * JSON in argv[2]. In each round (`serveRounds`) it signs in for `ramp` seconds, then counts the
 * sign-ins completed in the next `seconds` (`runFor`), and reads the CPU time the server's threads,
 * PostgreSQL and itself spend in that window.
 */
const { url, emails, password, concurrency, serverPid } = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  emails: string[];
  password: string;
  concurrency: number;
  serverPid: number;
};

const agent = new https.Agent({
  keepAlive: true,
  rejectUnauthorized: false,
  maxSockets: concurrency * 2,
});
const call = (method: string, path: string, headers: Record<string, string>, body?: string) =>
  new Promise<{ status: number; cookies: string[] }>((resolve, reject) => {
    const req = https.request(`${url}${path}`, { method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, cookies: [res.headers['set-cookie'] ?? []].flat() }),
      );
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });

/**
 * Each user signs in from one browser of their own, which keeps the device cookie its first
 * sign-in got (docs/authentication.md#trusted-browsers), as a returning user's browser does.
 */
const deviceCookies = new Map<string, string>();
const cookieValue = (cookies: string[], name: string) =>
  new RegExp(`(?:^|;\\s*)${name}=([^;]+)`).exec(cookies.join(';'))?.[1];

let n = 0;
async function signIn(): Promise<void> {
  const email = emails[n++ % emails.length] ?? '';
  const page = await call('GET', '/login', {});
  const csrf = cookieValue(page.cookies, '__Host-vigil-csrf') ?? '';
  const device = deviceCookies.get(email);
  const body = new URLSearchParams({ email, password, csrf }).toString();
  const res = await call(
    'POST',
    '/login',
    {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `__Host-vigil-csrf=${csrf}${device ? `; __Host-vigil-device=${device}` : ''}`,
    },
    body,
  );
  if (res.status !== 303 || !res.cookies.some((c) => c.startsWith('__Host-vigil-session='))) {
    throw new Error(`sign-in failed with ${res.status}`);
  }
  const issued = cookieValue(res.cookies, '__Host-vigil-device');
  if (issued) deviceCookies.set(email, issued);
}

const timed = async (into: number[], op: () => Promise<unknown>) => {
  const t = performance.now();
  await op();
  into.push(performance.now() - t);
};

/**
 * One round: the sign-ins completed in its window and the CPU spent in it, with the milliseconds
 * each sign-in took, and each probe: a /healthz every 100 ms beside the sign-ins (rare enough that
 * its own cost, charged to the sign-ins, stays under 1%).
 */
await serveRounds(async ({ seconds, ramp }: { seconds: number; ramp: number }) => {
  const signInMs: number[] = [];
  const probeMs: number[] = [];
  const edges: { spent: Map<string, number>; client: NodeJS.CpuUsage }[] = [];
  const atWindowEdge = () => edges.push({ spent: cpuTime(serverPid), client: process.cpuUsage() });
  const end = performance.now() + (ramp + seconds) * 1000;
  const [done] = await Promise.all([
    runFor(seconds, concurrency, () => timed(signInMs, signIn), { ramp, atWindowEdge }),
    (async () => {
      while (performance.now() < end) {
        await timed(probeMs, () => call('GET', '/healthz', {}));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })(),
  ]);
  const [opened, closed] = edges;
  if (!opened || !closed) throw new Error('the window did not open and close');
  const clientUs = (at: typeof opened) => at.client.user + at.client.system;
  const cpuMs = (clientUs(closed) - clientUs(opened)) / 1000;
  const spent = [...cpuSpent(opened.spent, closed.spent)];
  return { done, cpuMs, spent, signInMs, probeMs };
});
agent.destroy();
