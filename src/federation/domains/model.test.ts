import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { domainOfEmail, fileContent, normalizeDomain, parseFile } from './model.ts';

const statement = {
  orgId: '019fbc8d-3a80-741f-9311-5dfe9c9f7483',
  domain: 'acme.test',
  date: '2026-08-01',
};

describe('SSO domain names and verification files', () => {
  it('lowercases a domain and drops its trailing dot; refuses what is no DNS name', () => {
    assert.equal(normalizeDomain(' Mail.ACME.test. '), 'mail.acme.test');
    for (const bad of [
      '',
      'acme',
      'acme..test',
      'acme.test:443',
      'https://acme.test',
      '1.2.3.4',
      'a_b.test',
      'xn--.test',
    ]) {
      assert.throws(() => normalizeDomain(bad), { code: 'sso.domain_invalid' }, bad);
    }
  });

  it('takes an email’s domain, or none', () => {
    assert.equal(domainOfEmail('Jane.Doe@Acme.Test'), 'acme.test');
    assert.equal(domainOfEmail('a@b@acme.test'), 'acme.test');
    assert.equal(domainOfEmail('@acme.test'), null);
    assert.equal(domainOfEmail('jane'), null);
    assert.equal(domainOfEmail('jane@localhost'), null);
  });

  it('reads back the file it writes, CRLF too, and refuses a field given twice or missing', () => {
    const text = fileContent(statement, 'key-1', 'sig');
    assert.deepEqual(parseFile(text), { statement, keyId: 'key-1', signature: 'sig' });
    assert.deepEqual(parseFile(text.replace(/\n/g, '\r\n')), {
      statement,
      keyId: 'key-1',
      signature: 'sig',
    });
    assert.equal(parseFile(`${text}domain=evil.test\n`), null, 'a second domain');
    assert.equal(parseFile(text.replace('vigil-domain-verification=v1\n', '')), null);
    assert.equal(parseFile(text.replace(/signature=.*\n/, '')), null);
    assert.equal(parseFile(`${text}not a field\n`), null);
  });
});
