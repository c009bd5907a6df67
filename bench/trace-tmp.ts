import https from 'node:https';
import pg from 'pg';
import { createServices } from '../src/app/services.ts';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { startPinnedServer } from './server.ts';

const log: string[] = [];
let on = false;
const orig = pg.Client.prototype.query;
(pg.Client.prototype as any).query = function (this: any, ...args: any[]) {
  if (on) log.push(typeof args[0] === 'string' ? args[0] : args[0]?.text);
  return (orig as any).apply(this, args);
};
const bench = await startPinnedServer('trace', ['--server-cores', '9']);
const { core, server } = bench;
const services = createServices(core);
const orgId = await withPlatform(
  core.database,
  async (tx) =>
    (await services.tenancy.createOrganization(tx, { slug: 'bench', name: 'Bench' }, operatorActor))
      .id,
);
await withOrg(core.database, orgId, async (tx) => {
  const user = await services.identity.createUser(
    tx,
    orgId,
    { email: 'u@bench.test', displayName: 'U' },
    operatorActor,
  );
  await services.passwords.set(tx, user, 'Bench-Password-Login-1', {
    actor: operatorActor,
    temporary: false,
    byOwner: false,
  });
});
const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
const call = (method: string, path: string, headers: Record<string, string>, body?: string) =>
  new Promise<{ status: number; cookies: string[] }>((resolve, reject) => {
    const req = https.request(`${server.url}${path}`, { method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, cookies: [res.headers['set-cookie'] ?? []].flat() }),
      );
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
async function signIn() {
  const page = await call('GET', '/login', {});
  const csrf = /__Host-vigil-csrf=([^;]+)/.exec(page.cookies.join(';'))?.[1] ?? '';
  const body = new URLSearchParams({
    email: 'u@bench.test',
    password: 'Bench-Password-Login-1',
    csrf,
  }).toString();
  const res = await call(
    'POST',
    '/login',
    { 'content-type': 'application/x-www-form-urlencoded', cookie: `__Host-vigil-csrf=${csrf}` },
    body,
  );
  if (res.status !== 303) throw new Error(String(res.status));
}
for (let i = 0; i < 5; i++) await signIn();
await new Promise((r) => setTimeout(r, 1500));
on = true;
await signIn();
await new Promise((r) => setTimeout(r, 1500));
on = false;
console.log(log.map((q) => q.replace(/\s+/g, ' ').slice(0, 300)).join('\n'));
agent.destroy();
await bench.stop();
