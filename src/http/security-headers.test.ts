import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowFormsTo, oauthPageCsp, pageCsp } from './security-headers.ts';

const formAction = (csp: string) =>
  csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith('form-action'));

describe('page policies that lead to a relying party', () => {
  it('names only the origin of each target, once', () => {
    const csp = allowFormsTo(pageCsp, [
      'https://rp.example.test/callback?next=/a',
      'https://rp.example.test/signed-out',
      'http://127.0.0.1:8080/cb',
    ]);
    assert.equal(
      formAction(csp),
      "form-action 'self' https://rp.example.test http://127.0.0.1:8080",
    );
  });

  it('cannot be used to inject a directive or a scheme', () => {
    const csp = allowFormsTo(pageCsp, [
      "https://rp.example.test/cb;script-src 'unsafe-inline'",
      'javascript:alert(1)',
      'data:text/html,x',
      'not a url',
    ]);
    assert.equal(formAction(csp), "form-action 'self' https://rp.example.test");
    assert.doesNotMatch(csp, /unsafe-inline|javascript|data:text/);
    assert.equal(allowFormsTo(pageCsp, ['javascript:alert(1)']), pageCsp);
  });

  it("allows oidc-provider's script hashes only, and no script without one", () => {
    const hash = "'sha256-AbCdEf0123456789+/AbCdEf0123456789+/AbCdEf0='";
    assert.match(oauthPageCsp([], []), /script-src 'none'$/);
    assert.match(
      oauthPageCsp([], [hash, "'unsafe-inline'"]),
      new RegExp(`script-src ${hash.replaceAll('+', '\\+')}$`),
    );
  });
});
