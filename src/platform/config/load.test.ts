import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from './load.ts';

const key = Buffer.alloc(32, 7).toString('base64');

function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('expected the configuration to be refused');
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const { config, warnings } = loadConfig({});
    assert.equal(config.VIGIL_ENV, 'development');
    assert.equal(config.VIGIL_PORT, 8443);
    assert.equal(config.VIGIL_DATA_DIR, './data');
    assert.equal(config.VIGIL_TLS_MIN_VERSION, 'TLSv1.2');
    assert.equal(config.VIGIL_PUBLIC_URL, 'https://localhost:8443');
    assert.ok(warnings.some((w) => w.startsWith('VIGIL_MASTER_KEY')));
  });

  it('names the bad key when a value is invalid', () => {
    assert.match(failure({ VIGIL_PORT: 'eighty' }), /^Configuration VIGIL_PORT:/);
    assert.match(failure({ VIGIL_ENV: 'staging' }), /^Configuration VIGIL_ENV:/);
    assert.match(failure({ DATABASE_URL: 'mysql://x' }), /^Configuration DATABASE_URL:/);
  });

  it('refuses TLS versions below 1.2 and accepts 1.3', () => {
    assert.match(
      failure({ VIGIL_TLS_MIN_VERSION: 'TLSv1.1' }),
      /VIGIL_TLS_MIN_VERSION.*older protocol/,
    );
    assert.match(failure({ VIGIL_TLS_MIN_VERSION: '1.0' }), /VIGIL_TLS_MIN_VERSION/);
    assert.equal(
      loadConfig({ VIGIL_TLS_MIN_VERSION: '1.3' }).config.VIGIL_TLS_MIN_VERSION,
      'TLSv1.3',
    );
  });

  it('refuses unsafe settings in production', () => {
    const prod = {
      VIGIL_ENV: 'production',
      DATABASE_URL: 'postgres://db/vigil?sslmode=verify-full',
    };
    assert.match(failure(prod), /VIGIL_MASTER_KEY.*refused in production/);
    assert.match(
      failure({ ...prod, VIGIL_MASTER_KEY: key }),
      /VIGIL_TLS_CERT.*refused in production/,
    );
    assert.match(
      failure({ ...prod, VIGIL_MASTER_KEY: key, VIGIL_BEHIND_TLS_PROXY: 'true' }),
      /VIGIL_TRUSTED_PROXIES/,
    );
    const behindProxy = {
      ...prod,
      VIGIL_MASTER_KEY: key,
      VIGIL_BEHIND_TLS_PROXY: 'true',
      VIGIL_TRUSTED_PROXIES: '10.0.0.0/8',
      VIGIL_PUBLIC_URL: 'https://id.example.com',
    };
    assert.match(failure(behindProxy), /VIGIL_SMTP_URL.*refused in production/);
    assert.match(
      failure({ ...behindProxy, VIGIL_SMTP_URL: 'mail.example.com' }),
      /VIGIL_SMTP_URL: must be/,
    );
    const ok = loadConfig({
      ...behindProxy,
      VIGIL_SMTP_URL: 'smtps://vigil:secret@mail.example.com:465',
    });
    assert.deepEqual(ok.warnings, []);
    assert.deepEqual(ok.config.VIGIL_TRUSTED_PROXIES, ['10.0.0.0/8']);
  });

  it('refuses in production a database on another host without TLS (sslmode require or stronger)', () => {
    const ready = {
      VIGIL_ENV: 'production',
      VIGIL_MASTER_KEY: key,
      VIGIL_TLS_CERT: '/etc/vigil/cert.pem',
      VIGIL_TLS_KEY: '/etc/vigil/key.pem',
      VIGIL_SMTP_URL: 'smtps://vigil:secret@mail.example.com:465',
    };
    const url = (rest: string) => ({ ...ready, DATABASE_URL: `postgres://vigil:pw@${rest}` });
    for (const refused of [
      'db.internal:5432/vigil',
      'db.internal/vigil?sslmode=prefer',
      'db.internal/vigil?sslmode=disable',
      '10.0.0.5/vigil?sslmode=allow',
      '[2001:db8::5]/vigil',
      'localhost/vigil?host=db.internal',
    ]) {
      const message = failure(url(refused));
      assert.match(message, /^Configuration DATABASE_URL: connects to .* without TLS/, refused);
      assert.match(message, /refused in production/);
      assert.doesNotMatch(message, /pw/, 'never the password');
    }
    for (const accepted of [
      'db.internal/vigil?sslmode=require',
      'db.internal/vigil?sslmode=verify-ca',
      'db.internal:5432/vigil?sslmode=verify-full&application_name=vigil',
      'localhost/vigil',
      '127.0.0.1:5432/vigil',
      '[::1]/vigil',
      'localhost/vigil?host=/var/run/postgresql',
    ]) {
      assert.deepEqual(loadConfig(url(accepted)).warnings, [], accepted);
    }
    const socket = { ...ready, DATABASE_URL: 'postgres:///vigil?host=%2Fvar%2Frun%2Fpostgresql' };
    assert.deepEqual(loadConfig(socket).warnings, []);
    // In development, the same setting is a warning.
    const { warnings } = loadConfig({ DATABASE_URL: 'postgres://db.internal/vigil' });
    assert.ok(warnings.some((w) => /^DATABASE_URL: connects to db.internal without TLS/.test(w)));
  });

  it('reads a JSON config file, lets the environment win, and rejects unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
    const file = join(dir, 'vigil.json');
    writeFileSync(file, JSON.stringify({ VIGIL_PORT: 9443, VIGIL_HOST: '0.0.0.0' }));
    const { config } = loadConfig({ VIGIL_CONFIG_FILE: file, VIGIL_PORT: '10443' });
    assert.equal(config.VIGIL_PORT, 10443);
    assert.equal(config.VIGIL_HOST, '0.0.0.0');
    writeFileSync(file, JSON.stringify({ VIGIL_PROT: 1 }));
    assert.match(failure({ VIGIL_CONFIG_FILE: file }), /^Configuration VIGIL_PROT: unknown key/);
  });
});
