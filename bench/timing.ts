import https from 'node:https';
import { createServices } from '../src/app/services.ts';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { startPinnedServer } from './server.ts';
import { option } from './support.ts';

/**
 * What a client over HTTPS can tell from response times (docs/authentication.md#timing): the
 * median time of `POST /login` for a locked account with its right password and with a wrong one
 * (and for an unknown email), and of `POST /password-reset` for an active account's email and an
 * unknown one. One request at
 * a time, the classes in a new random order in every sample, so that the machine's changes of
 * speed weigh on all of them alike. Reports the medians and their differences; a difference of a
 * statement or a transaction (0.2 ms and more on loopback) stands out of the noise with a few
 * hundred samples.
 *
 *   npm run bench -- timing [--samples 200] [--server-cores <half>]
 */
export async function main(argv: string[]): Promise<void> {
  const samples = option(argv, 'samples', 200);
  // Every sign-in here fails: the per-address limit would soon answer all of them alike.
  const bench = await startPinnedServer('timing', argv, {
    VIGIL_SIGNIN_IP_MAX_FAILURES: '100000',
    // Without SMTP the reset mails are logged at `warn`.
    VIGIL_LOG_LEVEL: 'error',
  });
  const password = 'Bench-Password-Timing-1';
  try {
    const { locked, known } = await seedAccounts(bench.core, password);
    const post = client(bench.server.url);
    const csrf = await post.csrf();
    const classes: Record<string, () => Promise<number>> = {
      'sign-in, locked account, right password': () =>
        post.form('/login', { email: locked, password, csrf }, 401),
      'sign-in, locked account, wrong password': () =>
        post.form('/login', { email: locked, password: 'Not-The-Password-1', csrf }, 401),
      // For comparison: an unknown email still takes a path of its own (no organization's
      // transaction; docs/authentication.md#timing).
      'sign-in, unknown email': () =>
        post.form('/login', { email: 'nobody@timing.bench', password, csrf }, 401),
      'password reset, active account': () => post.form('/password-reset', { email: known, csrf }),
      'password reset, unknown email': () =>
        post.form('/password-reset', { email: 'nobody@timing.bench', csrf }),
    };
    const names = Object.keys(classes);
    const times = new Map(names.map((name) => [name, [] as number[]]));
    for (const name of names) await classes[name]?.(); // warm-up
    for (let i = 0; i < samples; i++) {
      for (const name of shuffled(names)) times.get(name)?.push(await (classes[name] ?? noop)());
    }
    console.log(`timing benchmark: PostgreSQL, ${samples} samples per class; ${bench.placement}`);
    const median = (name: string) => medianOf(times.get(name) ?? []);
    for (const name of names)
      console.log(`${name.padEnd(44)} median ${median(name).toFixed(2)} ms`);
    const differences: [string, string, string][] = [
      ['locked sign-in: right − wrong password', names[0] ?? '', names[1] ?? ''],
      ['sign-in: locked account − unknown email', names[1] ?? '', names[2] ?? ''],
      ['password reset: active − unknown email', names[3] ?? '', names[4] ?? ''],
    ];
    for (const [label, a, b] of differences)
      console.log(`${label.padEnd(44)} ${(median(a) - median(b)).toFixed(2)} ms`);
  } finally {
    await bench.stop();
  }
}

const noop = async () => 0;

/** An organization with an account locked for a day and an active one, both with a password. */
async function seedAccounts(core: Parameters<typeof createServices>[0], password: string) {
  const { tenancy, identity, passwords } = createServices(core);
  const orgId = await withPlatform(
    core.database,
    async (tx) =>
      (await tenancy.createOrganization(tx, { slug: 'timing', name: 'Timing' }, operatorActor)).id,
  );
  const create = (email: string) =>
    withOrg(core.database, orgId, async (tx) => {
      const user = await identity.createUser(
        tx,
        orgId,
        { email, displayName: email.split('@')[0] ?? email },
        operatorActor,
      );
      await passwords.set(tx, user, password, {
        actor: operatorActor,
        temporary: false,
        byOwner: false,
      });
      return user;
    });
  const locked = await create('locked@timing.bench');
  const known = await create('known@timing.bench');
  await withOrg(core.database, orgId, (tx) =>
    tx
      .insertInto('auth_lockouts')
      .values({
        user_id: locked.id,
        org_id: orgId,
        factor: 'password',
        failures: 10,
        last_failure_at: new Date(),
        locked_until: new Date(Date.now() + 86_400_000),
        lock_count: 1,
        locked_permanently: false,
      })
      .execute(),
  );
  return { locked: locked.email, known: known.email };
}

/** Form posts over one kept-alive connection, timed from the request to the answer's end. */
function client(url: string) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
  let cookie = '';
  const call = (method: string, path: string, body?: string) =>
    new Promise<{ status: number; ms: number; cookies: string[] }>((resolve, reject) => {
      const headers: Record<string, string> = { cookie };
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const started = performance.now();
      const req = https.request(`${url}${path}`, { method, headers, agent }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - started,
            cookies: [res.headers['set-cookie'] ?? []].flat(),
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    /** The CSRF value every form repeats (its cookie is kept for the following posts). */
    async csrf(): Promise<string> {
      const page = await call('GET', '/login');
      const value = /__Host-vigil-csrf=([^;]+)/.exec(page.cookies.join(';'))?.[1] ?? '';
      cookie = `__Host-vigil-csrf=${value}`;
      return value;
    },
    async form(path: string, fields: Record<string, string>, status = 200): Promise<number> {
      const res = await call('POST', path, new URLSearchParams(fields).toString());
      if (res.status !== status) throw new Error(`POST ${path} answered ${res.status}`);
      return res.ms;
    },
  };
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
