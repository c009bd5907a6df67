import type { CustomFetch } from 'openid-client';
import { type AppError, isAppError, type Outbound } from '../../platform/index.ts';

/** Discovery documents and JWKS are small; a provider answering more is refused, not buffered. */
const maxAnswerBytes = 256 * 1024;

/**
 * openid-client's `customFetch` over the platform's outbound client, so that every call to an
 * upstream provider (discovery, JWKS, token, UserInfo) passes the SSRF guard: public addresses
 * only unless VIGIL_OUTBOUND_ALLOW says otherwise, plain http only for allowed targets, no
 * redirects followed, bounded time and size.
 */
export function outboundFetch(outbound: Outbound, timeoutMs: number): CustomFetch {
  return async (url, options) => {
    const method = options.method.toUpperCase();
    if (method !== 'GET' && method !== 'POST' && method !== 'PUT')
      throw new TypeError(`unsupported method ${method}`);
    const answer = await outbound.request(url, {
      method,
      headers: options.headers,
      body: bodyOf(options.body),
      timeoutMs,
      maxBodyBytes: maxAnswerBytes + 1,
    });
    if (answer.truncated)
      throw new TypeError(`the answer of ${url} exceeds ${maxAnswerBytes} bytes`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const one of [value ?? []].flat()) headers.append(name, one);
    }
    // A Response cannot carry a body with these statuses, nor have a status outside 200..599.
    const status = answer.status >= 200 && answer.status <= 599 ? answer.status : 502;
    const empty = status === 204 || status === 205 || status === 304;
    return new Response(empty ? null : new Uint8Array(answer.body), { status, headers });
  };
}

function bodyOf(body: Parameters<CustomFetch>[1]['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // openid-client streams nothing for the calls Vigil makes.
  throw new TypeError('streamed request bodies are not sent upstream');
}

/**
 * The outbound client's refusal (outbound.*) somewhere in an openid-client error's causes: it
 * wraps what a custom fetch throws in its own ClientError.
 */
export function outboundErrorIn(err: unknown): AppError | null {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (isAppError(current) && current.code.startsWith('outbound.')) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
