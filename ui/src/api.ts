import { accessToken, renew, signIn } from './auth.ts';

/** An RFC 9457 problem document as the admin API answers it (docs/errors.md). */
export interface Problem {
  status: number;
  title: string;
  code: string;
  detail?: string;
  requestId?: string;
  /** Bad input: every failed field (`path` is the field, dotted). */
  errors?: { path: string; message: string }[];
}

/** A refused call, with its problem document. */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.problem = problem;
  }

  /** The message of each failed field, by field name (for the form that sent them). */
  fieldErrors(): Record<string, string> {
    const byField: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) byField[e.path] ??= e.message;
    return byField;
  }
}

/** An answer with the ETag that a later change must send back as If-Match. */
export interface Versioned<T> {
  body: T;
  etag: string | undefined;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** The ETag read before a change (`PATCH` a user or role, `PUT` a policy). */
  ifMatch?: string;
}

async function problemOf(res: Response): Promise<Problem> {
  const fallback: Problem = { status: res.status, title: res.statusText, code: 'unknown' };
  if (!res.headers.get('content-type')?.includes('json')) return fallback;
  return { ...fallback, ...((await res.json()) as Partial<Problem>) };
}

async function send(path: string, options: RequestOptions, token: string | undefined) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  return fetch(`/api/v1${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'omit',
  });
}

/**
 * One admin API call with the signed-in user's bearer token, answered when it succeeded. A 401
 * renews the token once; when that is refused too, the user goes through sign-in and comes back
 * to this page.
 */
async function authorized(path: string, options: RequestOptions): Promise<Response> {
  let res = await send(path, options, await accessToken());
  if (res.status === 401) {
    const renewed = await renew();
    if (renewed) res = await send(path, options, renewed.access_token);
    if (res.status === 401) {
      await signIn();
      // The browser is leaving for the sign-in page; nothing is left to answer.
      return new Promise(() => {});
    }
  }
  if (!res.ok) throw new ApiError(await problemOf(res));
  return res;
}

/** One admin API call answered with JSON (see `authorized`). */
export async function request<T>(
  path: string,
  options: RequestOptions = {},
): Promise<Versioned<T>> {
  const res = await authorized(path, options);
  const body = (res.status === 204 ? undefined : await res.json()) as T;
  return { body, etag: res.headers.get('etag') ?? undefined };
}

/** A file the admin API answers (an export): its bytes, with the type the server gave them. */
export async function requestFile(path: string): Promise<Blob> {
  return (await authorized(path, {})).blob();
}

/**
 * A file the admin API answers as an attachment, with the name its `Content-Disposition` gives
 * (the name the CLI saves it under too), or `fallback` without one.
 */
export async function requestAttachment(
  path: string,
  fallback: string,
): Promise<{ file: Blob; name: string }> {
  const res = await authorized(path, {});
  const named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  return { file: await res.blob(), name: named ?? fallback };
}

/** The admin API's shapes the console reads (from /api/v1/openapi.json). */
export interface Organization {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'suspended';
}

export interface Role {
  key: string;
  name: string;
  permissions: string[];
}

export interface Assignment {
  userId: string;
  roleKey: string;
  expiresAt: string | null;
}

export const api = {
  organizations: async () => (await request<{ items: Organization[] }>('/orgs')).body.items,
  organization: async (orgId: string) =>
    (await request<Organization>(`/orgs/${encodeURIComponent(orgId)}`)).body,
  createOrganization: async (input: { slug: string; name: string }) =>
    (await request<Organization>('/orgs', { method: 'POST', body: input })).body,
  /** Suspends (a reason required) or reactivates (a reason optional) an organization. */
  setOrganizationStatus: async (orgId: string, change: 'suspend' | 'reactivate', reason: string) =>
    (
      await request<Organization>(`/orgs/${encodeURIComponent(orgId)}/${change}`, {
        method: 'POST',
        body: reason ? { reason } : {},
      })
    ).body,
  roles: async (orgId: string) =>
    (await request<{ items: Role[] }>(`/orgs/${encodeURIComponent(orgId)}/roles`)).body.items,
  /** The role assignments of one user of the organization: every page (one, as a rule). */
  assignmentsOf: async (orgId: string, userId: string) => {
    const all: Assignment[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ userId, limit: '200' });
      if (cursor) query.set('cursor', cursor);
      const page: { items: Assignment[]; nextCursor: string | null } = (
        await request<{ items: Assignment[]; nextCursor: string | null }>(
          `/orgs/${encodeURIComponent(orgId)}/assignments?${query}`,
        )
      ).body;
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  },
};
