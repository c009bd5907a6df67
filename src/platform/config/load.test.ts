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
    // The event loop keeps its priority: token and health requests are not held behind hashes.
    assert.equal(config.VIGIL_EVENT_LOOP_NICE, 0);
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
    const prod = { VIGIL_ENV: 'production', DATABASE_URL: 'postgres://db/vigil' };
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
