import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type RunningServer, startServer } from '../../src/app/server.ts';
import {
  createLogger,
  loadConfig,
  type Mailer,
  type MailMessage,
} from '../../src/platform/index.ts';
import type { TestCore } from './core.ts';

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers.
  json(): any;
}

/** A request that accepts the test server's self-signed certificate. */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, rejectUnauthorized: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
          }),
        );
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/**
 * The same request handed to the server in-process (Fastify's `inject`): no socket and no TLS,
 * for tests about what a route answers rather than how it travels. Only a path is sent; the
 * server sees a plain-HTTP request from 127.0.0.1.
 */
export async function inject(
  app: FastifyInstance,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const res = await app.inject({
    method: (options.method ?? 'GET') as 'GET',
    url: path,
    headers: options.headers,
    payload: options.body,
  });
  return {
    status: res.statusCode,
    headers: res.headers as http.IncomingHttpHeaders,
    text: res.body,
    json: () => JSON.parse(res.body),
  };
}

export function form(fields: Record<string, string>): {
  headers: Record<string, string>;
  body: string;
} {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Starts the real server (HTTPS, generated certificate) on a free port over a test core. */
export async function startTestServer(
  core: TestCore,
  env: Record<string, string> = {},
  options: { mailer?: Mailer } = {},
): Promise<RunningServer> {
  const { config } = loadConfig({
    VIGIL_ENV: 'test',
    VIGIL_HOST: '127.0.0.1',
    VIGIL_PORT: '0',
    VIGIL_MASTER_KEY: core.masterKey,
    VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-http-')),
    VIGIL_AUDIT_SEAL_INTERVAL_MS: '50',
    ...env,
  });
  return startServer(config, createLogger('silent'), {
    core: { ...core, config },
    announce: () => {},
    mailer: options.mailer,
  });
}

/** A mailer that keeps what it sends, for tests to read links from. */
export function captureMail(): Mailer & { sent: MailMessage[]; next(): Promise<MailMessage> } {
  const sent: MailMessage[] = [];
  const waiting: ((m: MailMessage) => void)[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
      waiting.shift()?.(message);
    },
    next() {
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** A minimal cookie jar over the test request helper. */
export function browserLike(base: string) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (setCookie: string | string[] | undefined) => {
    for (const line of [setCookie ?? []].flat()) {
      const [pair = ''] = line.split(';');
      const [name = '', ...value] = pair.split('=');
      if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value.join('='));
    }
  };
  return {
    jar,
    async get(path: string) {
      const res = await request(`${base}${path}`, { headers: { cookie: cookieHeader() } });
      remember(res.headers['set-cookie']);
      return res;
    },
    async post(path: string, fields: Record<string, string>) {
      const f = form(fields);
      const res = await request(`${base}${path}`, {
        method: 'POST',
        headers: { ...f.headers, cookie: cookieHeader() },
        body: f.body,
      });
      remember(res.headers['set-cookie']);
      return res;
    },
    csrf: () => jar.get('__Host-vigil-csrf') ?? '',
  };
}
