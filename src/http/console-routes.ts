import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { randomToken } from '../crypto/index.ts';
import { consolePath } from '../oauth/index.ts';
import { html, page } from './pages/html.ts';
import { consoleCsp, pageCsp } from './security-headers.ts';

/** Where `npm run build:ui` writes the console (docs/console.md#build). */
export const consoleBuildDir = fileURLToPath(new URL('../../ui/dist/', import.meta.url));

/**
 * What the build writes where each response's nonce goes (vite's `html.cspNonce`): on the
 * page's tags and on the `csp-nonce` meta tag, from which Mantine takes it for its <style>s.
 */
export const consoleNoncePlaceholder = 'VIGIL_CSP_NONCE';

/** Hashed file names change with their content: they may be kept for a year. */
const yearMs = 365 * 24 * 3600 * 1000;

const notBuiltPage = page(
  'Console not built',
  html`<h1>The admin console is not built</h1>
<div class="error" role="alert"><p>Run <code>npm run build:ui</code> (or <code>npm start</code>, which builds it when it is missing) and reload.</p></div>`,
);

/**
 * The admin console at `/admin` (docs/console.md): its hashed assets with a long cache, and
 * `index.html` for `/admin` and every client-side route under it, never cached, with a fresh
 * nonce per response for the styles Mantine injects.
 */
export async function registerConsoleRoutes(
  app: FastifyInstance,
  root: string = consoleBuildDir,
): Promise<void> {
  await app.register(fastifyStatic, {
    root: `${root}assets`,
    prefix: `${consolePath}/assets/`,
    decorateReply: false,
    index: false,
    maxAge: yearMs,
    immutable: true,
  });

  const indexPage = async (_request: unknown, reply: FastifyReply) => {
    // Read on each request: a rebuild while the server runs is served at once (it is one small
    // file, and the console's routes load it once per visit).
    const template = await readFile(`${root}index.html`, 'utf8').catch(() => undefined);
    reply.type('text/html; charset=utf-8');
    if (template === undefined)
      return reply.code(503).header('content-security-policy', pageCsp).send(notBuiltPage);
    const nonce = randomToken(16);
    return reply
      .header('content-security-policy', consoleCsp(nonce))
      .header('cache-control', 'no-cache')
      .send(template.replaceAll(consoleNoncePlaceholder, nonce));
  };
  app.get(consolePath, indexPage);
  app.get(`${consolePath}/`, indexPage);
  app.get(`${consolePath}/*`, indexPage);
}
