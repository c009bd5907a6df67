import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { request } from './http.ts';
import { certificatesIn } from './saml-sp.ts';

/** What the SP learned from one accepted response. */
export interface SpSignIn {
  nameID: string;
  attributes: Record<string, unknown>;
  relayState: string;
}

/**
 * A SAML application on its own origin (http://127.0.0.1:<port>; Vigil is https://localhost:<port>)
 * for browser tests: node-saml in the SP role as a real application would use it. `/login` answers
 * node-saml's self-posting AuthnRequest form (the HTTP-POST binding) to Vigil's SSO URL; `/acs`
 * takes Vigil's self-posted response, which node-saml checks (signatures against the IdP
 * metadata's certificates, audience, destination, InResponseTo of a request it sent) before the
 * page says who signed in.
 */
export async function startSamlSpSite(vigilBase: string, slug: string) {
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      errors.push(String(err));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`SP error: ${String(err)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${origin}/metadata`;
  const acsUrl = `${origin}/acs`;
  const signIns: SpSignIn[] = [];
  const errors: string[] = [];
  let saml: SAML | undefined;

  const page = (res: ServerResponse, body: string) =>
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><title>SP</title><h1>${body}</h1>`);

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    if (!saml) throw new Error('the SP has not read the IdP metadata yet: call trustIdp()');
    if (url.pathname === '/login' && req.method === 'GET') {
      const form = await saml.getAuthorizeFormAsync(
        url.searchParams.get('relay') ?? '',
        undefined,
        {},
      );
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(form);
      return;
    }
    if (url.pathname === '/acs' && req.method === 'POST') {
      const fields = Object.fromEntries(new URLSearchParams(await readBody(req)));
      const { profile } = await saml.validatePostResponseAsync(fields);
      if (!profile) throw new Error('no profile in the response');
      const { nameID, issuer: _issuer, sessionIndex: _index, ...attributes } = profile;
      signIns.push({ nameID, attributes, relayState: fields.RelayState ?? '' });
      page(res, `Signed in at the SP as ${nameID}`);
      return;
    }
    res.writeHead(404).end();
  }

  return {
    origin,
    entityId,
    acsUrl,
    signIns,
    errors,
    /** Reads Vigil's IdP metadata for the organization and trusts its signing certificates. */
    async trustIdp() {
      const metadata = (await request(`${vigilBase}/saml/${slug}/metadata`)).text;
      const idpCert = certificatesIn(metadata, 'signing');
      if (idpCert.length === 0) throw new Error('the IdP metadata has no signing certificate');
      saml = new SAML({
        entryPoint: `${vigilBase}/saml/${slug}/sso`,
        issuer: entityId,
        audience: entityId,
        callbackUrl: acsUrl,
        idpCert,
        wantAssertionsSigned: true,
        wantAuthnResponseSigned: true,
        identifierFormat: null,
        disableRequestedAuthnContext: true,
        authnRequestBinding: 'HTTP-POST',
        // The POST binding carries the request base64-encoded, not deflated (SAML Bindings
        // 3.5.4); node-saml deflates unless told, and Vigil reads the message as the standard says.
        skipRequestCompression: true,
        validateInResponseTo: ValidateInResponseTo.always,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
