import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { runFor, serveRounds } from './support.ts';

/**
 * The SCIM benchmark's client: a process of its own (pinned to cores the server does not use, as
 * a directory is another machine), up for the whole run with its connections open. Takes its
 * settings as JSON in argv[2]. Rounds (`serveRounds`):
 * - `creates`: `clients` loops POST a new user, through SCIM or the admin API, for `seconds`
 *   after `ramp`; answers how many completed inside the window and their latencies. Any answer
 *   but 201 ends it with an error: a refused create never counts.
 * - `leavers`: for each leaver in turn, checks that node B accepts their API key and session,
 *   deprovisions them on node A, and polls node B (API key and session, each in its own loop)
 *   until both are refused; answers the milliseconds from sending the deprovisioning to each.
 */
const settings = JSON.parse(process.argv[2] ?? '{}') as {
  nodeA: string;
  nodeB: string;
  slug: string;
  orgId: string;
  scimToken: string;
  adminKey: string;
};

const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 64 });

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const scimHeaders = {
  authorization: `Bearer ${settings.scimToken}`,
  'content-type': 'application/scim+json',
};
const adminHeaders = {
  authorization: `Bearer ${settings.adminKey}`,
  'content-type': 'application/json',
};
const scimUsers = `${settings.nodeA}/scim/v2/${settings.slug}/Users`;

/** What Entra ID sends to create a user (docs/scim.md), with a name of its own. */
const scimUser = (name: string) => ({
  schemas: [
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  ],
  externalId: name,
  userName: `${name}@bench.test`,
  active: true,
  displayName: `Bench ${name}`,
  emails: [{ primary: true, type: 'work', value: `${name}@bench.test` }],
  name: { formatted: `Bench ${name}`, familyName: name, givenName: 'Bench' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Bench' },
});

type Api = 'scim' | 'admin';

async function createOne(api: Api, name: string): Promise<void> {
  const res =
    api === 'scim'
      ? await send(scimUsers, 'POST', scimHeaders, scimUser(name))
      : await send(`${settings.nodeA}/api/v1/orgs/${settings.orgId}/users`, 'POST', adminHeaders, {
          email: `${name}@bench.test`,
          displayName: `Bench ${name}`,
        });
  if (res.status !== 201) throw new Error(`${api} create: ${res.status} ${res.text}`);
}

interface Leaver {
  userId: string;
  apiKey: string;
  session: string;
}
type How = 'scim-patch' | 'scim-delete' | 'admin';

/** Node B's view of a leaver's API key and session: true while it accepts them. */
const onB = {
  apiKey: async (l: Leaver) => {
    const path = `/api/v1/orgs/${settings.orgId}/users?limit=1`;
    const res = await send(`${settings.nodeB}${path}`, 'GET', {
      authorization: `Bearer ${l.apiKey}`,
    });
    if (res.status !== 200 && res.status !== 401)
      throw new Error(`node B API key: ${res.status} ${res.text}`);
    return res.status === 200;
  },
  session: async (l: Leaver) => {
    const res = await send(`${settings.nodeB}/account`, 'GET', {
      cookie: `__Host-vigil-session=${l.session}`,
    });
    return res.status === 200;
  },
};

function deprovision(how: How, l: Leaver) {
  if (how === 'admin')
    return send(
      `${settings.nodeA}/api/v1/orgs/${settings.orgId}/users/${l.userId}/deprovision`,
      'POST',
      { authorization: adminHeaders.authorization },
    );
  if (how === 'scim-delete') return send(`${scimUsers}/${l.userId}`, 'DELETE', scimHeaders);
  // Entra ID's way: PATCH active to false, as a string, without a path.
  return send(`${scimUsers}/${l.userId}`, 'PATCH', scimHeaders, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'Replace', value: { active: 'False' } }],
  });
}

async function leaverRound(how: How, l: Leaver) {
  for (const [surface, accepts] of Object.entries(onB))
    if (!(await accepts(l))) throw new Error(`node B refused the ${surface} before`);
  const sent = performance.now();
  const call = deprovision(how, l).then((res) => {
    if (res.status !== 200 && res.status !== 204)
      throw new Error(`deprovision (${how}): ${res.status} ${res.text}`);
    return performance.now() - sent;
  });
  const denied = Object.values(onB).map(async (accepts) => {
    while (await accepts(l)) {
      if (performance.now() - sent > 30_000) throw new Error('node B still accepts after 30 s');
      await sleep(1);
    }
    return performance.now() - sent;
  });
  const [answered, apiKey = 0, session = 0] = await Promise.all([call, ...denied]);
  return { answered, apiKey, session };
}

await serveRounds<
  | { kind: 'creates'; api: Api; clients: number; seconds: number; ramp: number; tag: string }
  | { kind: 'leavers'; how: How; leavers: Leaver[] }
>(async (round) => {
  if (round.kind === 'leavers') {
    const out = { answered: [] as number[], apiKey: [] as number[], session: [] as number[] };
    for (const l of round.leavers) {
      const one = await leaverRound(round.how, l);
      out.answered.push(one.answered);
      out.apiKey.push(one.apiKey);
      out.session.push(one.session);
    }
    return out;
  }
  let next = 0;
  const done = await runFor(
    round.seconds,
    round.clients,
    () => createOne(round.api, `${round.tag}-${next++}`),
    { ramp: round.ramp },
  );
  return { done, created: next };
});
