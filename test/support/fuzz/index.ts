import https from 'node:https';
import fc from 'fast-check';
import { operatorActor, platformOrgId, withOrg } from '../../../src/platform/index.ts';
import { startAdminApiWorld } from '../admin-api.ts';
import { browserLike, request } from '../http.ts';
import { redirectUri } from '../oidc.ts';
import { apiRequests } from './api-requests.ts';
import { type Answer, basicProblems, createResponseChecker } from './checks.ts';
import { oauthRequests } from './oauth-requests.ts';
import { formRequests } from './page-requests.ts';
import type { FuzzRequest, FuzzWorld } from './requests.ts';

export interface FuzzFailure {
  request: FuzzRequest;
  status: number;
  problems: string[];
  /** The start of the answer, to see what went wrong. */
  excerpt: string;
}

export interface FuzzResult {
  sent: number;
  byFamily: Record<FuzzRequest['family'], number>;
  /** How many answers had each status: shows how deep the requests got. */
  byStatus: Record<number, number>;
  failureCount: number;
  /** The first failures, in full. */
  failures: FuzzFailure[];
}

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Requests in flight at once. */
  concurrency?: number;
  onProgress?: (sent: number, failures: number) => void;
}

const batchSize = 500;

/**
 * Sends `runs` generated requests (fixed seed: the same requests every time) to a running Vigil:
 * every operation of /api/v1/openapi.json, the hosted forms and the OAuth endpoints. A failure is
 * a 5xx, an answer without the security headers, or an API answer the document does not describe.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const { world, api, tokenFor, userWithRole } = await startAdminApiWorld();
  const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 16 });
  try {
    const fuzzWorld = await prepare();
    const check = createResponseChecker(fuzzWorld.document);
    const requests = fc.oneof(
      { weight: 6, arbitrary: apiRequests(fuzzWorld) },
      { weight: 2, arbitrary: formRequests(fuzzWorld) },
      { weight: 2, arbitrary: oauthRequests(fuzzWorld) },
    );
    const result: FuzzResult = {
      sent: 0,
      byFamily: { api: 0, form: 0, oauth: 0 },
      byStatus: {},
      failureCount: 0,
      failures: [],
    };
    for (let batch = 0; result.sent < options.runs; batch++) {
      const numRuns = Math.min(batchSize, options.runs - result.sent);
      const queue = fc.sample(requests, { seed: options.seed + batch, numRuns });
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const answer = await send(next);
          result.sent++;
          result.byFamily[next.family]++;
          result.byStatus[answer.status] = (result.byStatus[answer.status] ?? 0) + 1;
          const problems = [
            ...basicProblems(answer),
            ...(next.operation ? check(next.operation, answer) : []),
          ];
          if (problems.length === 0) continue;
          result.failureCount++;
          if (result.failures.length < 20)
            result.failures.push({
              request: { ...next, operation: undefined },
              status: answer.status,
              problems,
              excerpt: answer.text.slice(0, 300),
            });
        }
      };
      await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
      options.onProgress?.(result.sent, result.failureCount);
    }
    return result;
  } finally {
    agent.destroy();
    await world.close();
  }

  /** Callers, targets, a client and a signed-in browser for the generators to draw from. */
  async function prepare(): Promise<FuzzWorld> {
    const globex = await world.core.createOrg('globex');
    const root = await userWithRole(platformOrgId, 'root@platform.test', 'platform-admin');
    const admin = await userWithRole(world.orgId, 'admin@acme.test', 'org-admin');
    const owner = await userWithRole(world.orgId, 'owner@acme.test', 'org-owner');
    const targets = [
      await userWithRole(world.orgId, 'member@acme.test', 'member'),
      await userWithRole(globex, 'member@globex.test', 'member'),
      world.user,
    ];
    const { token: apiKey } = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.apiKeys.create(
        tx,
        world.orgId,
        { name: 'fuzz', permissions: ['users.read', 'users.write', 'roles.read', 'roles.manage'] },
        { userId: owner.id, orgId: world.orgId },
        operatorActor,
      ),
    );
    const client = await world.createClient({
      name: 'Fuzzed RP',
      kind: 'web',
      firstParty: false,
      redirectUris: [redirectUri],
    });
    // A browser signed in as a user without a second factor, for the account pages.
    const browserEmail = 'browser@acme.test';
    await world.auth.createUser(world.orgId, browserEmail, world.password);
    const browser = browserLike(world.base);
    await browser.get('/login');
    await browser.post('/login', {
      email: browserEmail,
      password: world.password,
      csrf: browser.csrf(),
    });
    const document = JSON.parse((await request(`${api}/openapi.json`)).text);
    return {
      document,
      orgIds: [world.orgId, globex],
      userIds: targets.map((u) => u.id),
      roleKeys: ['member', 'org-admin', 'org-auditor', 'support'],
      authorizations: [
        [6, `Bearer ${await tokenFor(root)}`],
        [2, `Bearer ${await tokenFor(admin)}`],
        [2, `Bearer ${apiKey}`],
        [1, 'Bearer vigil_nonsense.nonsense'],
        [1, 'Basic Og=='],
        [1, ''],
      ],
      clientId: client.id,
      clientSecret: client.secret,
      csrf: browser.csrf(),
      cookie: [...browser.jar].map(([k, v]) => `${k}=${v}`).join('; '),
    };
  }

  function send(r: FuzzRequest): Promise<Answer> {
    const { hostname, port } = new URL(world.base);
    return new Promise((resolve, reject) => {
      // The path goes as it is: a URL object would resolve `..` and re-encode escapes.
      const req = https.request(
        { hostname, port, path: r.path, method: r.method, headers: r.headers, agent },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      if (r.body !== undefined) req.write(r.body);
      req.end();
    });
  }
}
