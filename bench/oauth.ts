import { createServer, type Server } from 'node:https';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';
import pg from 'pg';
import type { Core } from '../src/app/core.ts';
import { createServices, type Services } from '../src/app/services.ts';
import { loadTlsMaterial } from '../src/app/tls.ts';
import { sha256 } from '../src/crypto/index.ts';
import type { TlsMaterial } from '../src/http/index.ts';
import {
  type Config,
  createLogger,
  operatorActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { cpuSpent, cpuTime } from './cores.ts';
import { startLoadGenerator, startPinnedServer } from './server.ts';
import { option } from './support.ts';

/**
 * OAuth token endpoint and introspection over HTTPS against PostgreSQL: client-credentials grants,
 * refresh-token rotations (each worker follows its own chain) and introspections per second, next
 * to two bare Fastify endpoints measured in the same run, in the same process and on the same
 * cores: one that signs one ES256 JWT per request (the baseline of both grants) and one that
 * reads one `oidc_models` row by primary key (the baseline of introspection). For reference, it
 * also measures oidc-provider on its own (its in-memory adapter, one static client, no Fastify, no
 * audit): the part of a grant's cost that the library itself takes. The server and the
 * baselines are pinned to `--server-cores` cores; the load generator and PostgreSQL run on the
 * others, as other machines would.
 *
 *   npm run bench -- oauth [--seconds 10] [--concurrency 8] [--server-cores <half>]
 */
export async function main(argv: string[]): Promise<void> {
  const seconds = option(argv, 'seconds', 10);
  const concurrency = option(argv, 'concurrency', 8);
  const bench = await startPinnedServer('oauth', argv);
  const { core, server, config, db } = bench;
  const pool = new pg.Pool({ connectionString: db.url, max: config.VIGIL_DB_POOL_SIZE });
  let baseline: FastifyInstance | undefined;
  let library: Server | undefined;
  try {
    const services = createServices(core);
    await services.oauth.reload();
    const seed = await seedClients(core, services);
    const tls = await loadTlsMaterial(config, createLogger('warn'));
    if (!tls) throw new Error('no TLS material');
    baseline = await startBaseline(config, tls, pool);
    const baselineUrl = server.url.replace(/:\d+$/, `:${port(baseline)}`);
    console.log(
      `oauth benchmark: PostgreSQL, ${concurrency} concurrent clients, ${seconds} s per phase; ${bench.placement}`,
    );

    /** One phase: a warm-up run, then a measured one; prints its rate (with `ratio`) and CPU. */
    const measure = async (
      label: string,
      settings: Record<string, unknown>,
      ratio: (rate: number) => string = () => '',
    ) => {
      const client = startLoadGenerator<{ seconds: number }, ClientResult>(
        './oauth-client.ts',
        bench.clientCores,
        { concurrency, ...settings },
      );
      await client.round({ seconds: Math.min(2, seconds) }); // JIT, connection pools, TLS sessions
      await bench.pinBackends();
      const before = cpuTime();
      const result = await client.round({ seconds });
      await client.stop();
      const { done, cpuMs } = result;
      const spent = cpuSpent(before, cpuTime());
      const rate = done / seconds;
      const postgres = spent.get('postgres') ?? 0;
      const serverMs = [...spent].reduce((sum, [k, ms]) => (k === 'postgres' ? sum : sum + ms), 0);
      const per = (ms: number) => `${(ms / done).toFixed(2)} ms`;
      console.log(
        `${label.padEnd(34)} ${rate.toFixed(0).padStart(6)} /s  ${ratio(rate)}`.trimEnd(),
      );
      console.log(
        `  CPU per operation: server ${per(serverMs)}, PostgreSQL ${per(postgres)}, client ${per(cpuMs)}`,
      );
      return { rate, accessToken: result.accessToken };
    };
    const basic = (id: string, secret: string) =>
      Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
    const machine = basic(seed.machine.id, seed.machine.secret);
    const api = basic(seed.api.id, seed.api.secret);
    const web = basic(seed.web.id, seed.web.secret);
    const tokenPath = '/oauth2/token';

    const { rate: jwt } = await measure('baseline: sign one ES256 JWT', {
      url: baselineUrl,
      phase: 'jwt',
      path: '/jwt',
      auth: machine,
    });
    const { rate: grants } = await measure(
      'client credentials (ES256 JWT access token)',
      { url: server.url, phase: 'client_credentials', path: tokenPath, auth: api },
      (rate) => `ratio ${(rate / jwt).toFixed(2)}`,
    );
    library = await startLibraryReference(config, tls);
    // The target compares Vigil's grants with oidc-provider's own on the same machine and run.
    await measure(
      '  reference: oidc-provider alone',
      {
        url: server.url.replace(/:\d+$/, `:${port(library)}`),
        phase: 'client_credentials',
        path: '/token',
        auth: basic(libraryClient.id, libraryClient.secret),
      },
      (rate) =>
        `ratio ${(rate / jwt).toFixed(2)}; client credentials ÷ this ${(grants / rate).toFixed(2)} (target ≥ 0.5)`,
    );
    // Introspected below: an opaque token (JWT access tokens are checked by the API itself).
    const accessToken = await opaqueToken(server.url, machine);
    await measure(
      'refresh rotations',
      {
        url: server.url,
        phase: 'refresh',
        path: tokenPath,
        auth: web,
        refreshTokens: await mintRefreshTokens(services, seed, concurrency),
      },
      (rate) => `ratio to JWT baseline ${(rate / jwt).toFixed(2)}`,
    );

    const { rate: lookup } = await measure('baseline: one primary-key lookup', {
      url: baselineUrl,
      phase: 'lookup',
      path: '/lookup',
      auth: web,
      token: accessToken,
    });
    await measure(
      'introspection',
      {
        url: server.url,
        phase: 'introspection',
        path: '/oauth2/introspect',
        auth: web,
        token: accessToken,
      },
      (rate) => `ratio ${(rate / lookup).toFixed(2)} (target ≥ 0.5)`,
    );
  } finally {
    library?.close();
    await baseline?.close();
    await pool.end();
    await bench.stop();
  }
}

interface Seed {
  userId: string;
  machine: { id: string; secret: string };
  /** A machine client with a resource server: its access tokens are ES256 JWTs. */
  api: { id: string; secret: string };
  web: { id: string; secret: string };
}

/** An organization with a user, a `machine` client and a confidential `web` client. */
async function seedClients(core: Core, services: Services): Promise<Seed> {
  const orgId = await withPlatform(
    core.database,
    async (tx) =>
      (
        await services.tenancy.createOrganization(
          tx,
          { slug: 'bench', name: 'Bench' },
          operatorActor,
        )
      ).id,
  );
  return withOrg(core.database, orgId, async (tx) => {
    const user = await services.identity.createUser(
      tx,
      orgId,
      { email: 'user@bench.test', displayName: 'User' },
      operatorActor,
    );
    const client = async (input: Record<string, unknown>) => {
      const { client, secret } = await services.oauth.clients.create(
        tx,
        orgId,
        input,
        operatorActor,
      );
      if (!secret) throw new Error(`client ${client.name} has no secret`);
      return { id: client.id, secret };
    };
    return {
      userId: user.id,
      machine: await client({ name: 'Bench machine', kind: 'machine' }),
      api: await client({
        name: 'Bench API client',
        kind: 'machine',
        resources: ['https://api.bench.test/'],
        apiScopes: ['bench:read'],
      }),
      web: await client({
        name: 'Bench web',
        kind: 'web',
        redirectUris: ['https://app.bench.test/callback'],
      }),
    };
  });
}

/**
 * Refresh tokens of the web client for the user, one per worker, each on its own grant, made
 * with the provider's models (what the code flow would have stored).
 */
async function mintRefreshTokens(services: Services, seed: Seed, count: number): Promise<string[]> {
  const provider = services.oauth.provider();
  const client = await provider.Client.find(seed.web.id);
  if (!client) throw new Error('the web client is not found by the provider');
  const scope = 'openid offline_access';
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const grant = new provider.Grant({ accountId: seed.userId, clientId: seed.web.id });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const token = new provider.RefreshToken({
      accountId: seed.userId,
      client,
      grantId,
      scope,
      gty: 'authorization_code',
      authTime: Math.floor(Date.now() / 1000),
    });
    tokens.push(await token.save());
  }
  return tokens;
}

/** The baselines: a bare Fastify over HTTPS with the server's certificate and TLS settings. */
async function startBaseline(
  config: Config,
  tls: TlsMaterial,
  pool: pg.Pool,
): Promise<FastifyInstance> {
  const app = Fastify({
    https: {
      key: tls.key,
      cert: tls.cert,
      minVersion: config.VIGIL_TLS_MIN_VERSION,
      honorCipherOrder: true,
    },
  }) as unknown as FastifyInstance;
  await app.register(formbody);
  const { privateKey } = await generateKeyPair('ES256');
  app.post('/jwt', async () => {
    const accessToken = await new SignJWT({ scope: 'api', client_id: 'bench' })
      .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
      .setIssuer(config.VIGIL_PUBLIC_URL)
      .setSubject('bench')
      .setAudience('api')
      .setIssuedAt()
      .setExpirationTime('10m')
      .setJti(crypto.randomUUID())
      .sign(privateKey);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: 600 };
  });
  app.post<{ Body: { token?: string } }>('/lookup', async (request) => {
    // Bearer tokens are stored under their SHA-256, as the adapter does.
    const id = sha256(request.body.token ?? '').toString('base64url');
    const { rows } = await pool.query<{ payload: { clientId?: string; exp?: number } }>(
      'SELECT payload FROM oidc_models WHERE model = $1 AND id = $2',
      ['ClientCredentials', id],
    );
    const payload = rows[0]?.payload;
    return payload
      ? { active: true, client_id: payload.clientId, exp: payload.exp }
      : { active: false };
  });
  await app.listen({ host: config.VIGIL_HOST, port: 0 });
  return app;
}

const libraryClient = { id: 'bench-library', secret: 'bench-library-secret-of-more-than-32-bytes' };

/**
 * oidc-provider as its own documentation sets it up, nothing of Vigil's around it: the in-memory
 * adapter, one static machine client, client credentials issuing ES256 JWT access tokens for one
 * resource, served by node:https with the server's certificate and TLS settings.
 */
async function startLibraryReference(config: Config, tls: TlsMaterial): Promise<Server> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const resource = 'https://api.bench.test/';
  const provider = new Provider(config.VIGIL_PUBLIC_URL, {
    clients: [
      {
        client_id: libraryClient.id,
        client_secret: libraryClient.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          audience: resource,
          scope: 'bench:read',
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    routes: { token: '/token' },
    ttl: { ClientCredentials: 600 },
  });
  const server = createServer(
    { key: tls.key, cert: tls.cert, minVersion: config.VIGIL_TLS_MIN_VERSION },
    provider.callback(),
  );
  await new Promise<void>((resolve) => server.listen(0, config.VIGIL_HOST, resolve));
  return server;
}

const port = (app: FastifyInstance | Server) => {
  const address = 'server' in app ? app.server.address() : app.address();
  return typeof address === 'object' && address ? address.port : 0;
};

interface ClientResult {
  done: number;
  cpuMs: number;
  accessToken: string;
}

/** One opaque client-credentials access token (the server's certificate is self-signed). */
async function opaqueToken(url: string, auth: string): Promise<string> {
  const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  try {
    const res = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${auth}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const body = (await res.json()) as { access_token?: unknown };
    if (typeof body.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
    return body.access_token;
  } finally {
    if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
  }
}
