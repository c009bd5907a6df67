import https from 'node:https';
import { serveRounds } from './support.ts';

/**
 * The user-list client: a process of its own (pinned by the benchmark to cores the server does
 * not use, as a browser is another machine), up for the whole run, its connection kept open as a
 * console's is. Takes its settings as JSON in argv[2]. Each round (`serveRounds`) sends one GET
 * after the other, as one administrator paging and searching does, and answers how long each
 * took (ms) and each path's first answer. A walk answers the users and cursors it saw and the
 * walk's whole time. A status other than 200 ends it with an error: a refused request never
 * counts.
 */
const { url, token } = JSON.parse(process.argv[2] ?? '{}') as { url: string; token: string };

const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 1 });

const get = (path: string) =>
  new Promise<string>((resolve, reject) => {
    const headers = { authorization: `Bearer ${token}` };
    const req = https.request(`${url}${path}`, { headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(text);
        else reject(new Error(`GET ${path}: ${res.statusCode} ${text}`));
      });
    });
    req.on('error', reject);
    req.end();
  });

interface Round {
  /** Paths, each sent `times` times in turn (interleaved, so a slower second weighs on all). */
  paths: string[];
  times: number;
  /** Follow `nextCursor` from the first path until the last page instead (a walk). */
  walk?: boolean;
}

await serveRounds<Round>(async ({ paths, times, walk }) => {
  if (walk) {
    const [first = ''] = paths;
    const cursors: string[] = [];
    let items = 0;
    const started = performance.now();
    let cursor: string | null = null;
    do {
      const separator = first.includes('?') ? '&' : '?';
      const path: string = cursor ? `${first}${separator}cursor=${cursor}` : first;
      const page = JSON.parse(await get(path)) as { items: unknown[]; nextCursor: string | null };
      items += page.items.length;
      cursor = page.nextCursor;
      if (cursor) cursors.push(cursor);
    } while (cursor);
    return { items, cursors, ms: [[performance.now() - started]], bodies: [] };
  }
  const ms: number[][] = paths.map(() => []);
  const bodies: string[] = [];
  for (let i = 0; i < times; i++)
    for (const [p, path] of paths.entries()) {
      const started = performance.now();
      const body = await get(path);
      ms[p]?.push(performance.now() - started);
      if (i === 0) bodies.push(body);
    }
  return { items: 0, cursors: [], ms, bodies };
});
