import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { numericAddress } from '../src/alerts/geo/address.ts';
import { loadAsnTable } from '../src/alerts/geo/asn-table.ts';
import {
  createGeoLocator,
  distanceKm,
  geoDatabasesOf,
  geoLocatorOf,
  shippedGeoDatabases,
} from '../src/alerts/geo/index.ts';
import { placeOf } from '../src/alerts/geo/locator.ts';

/**
 * Offline IP geolocation (docs/alerts.md#ip-geolocation) over the databases shipped as npm
 * packages. The addresses are long-lived ones (public DNS resolvers, registries, a publisher)
 * whose country the shipped DB-IP City Lite gives; a newer database could move a city, hardly
 * a country.
 */
describe('the offline IP geolocation', () => {
  const geo = createGeoLocator(shippedGeoDatabases());

  it('places well-known public IPv4 addresses in their country, city and network', () => {
    const google = geo.locate('8.8.8.8');
    assert.equal(google?.country, 'US');
    assert.equal(google?.network, 'AS15169');
    assert.ok(google?.latitude && google.longitude && google.city);
    assert.equal(geo.locate('1.1.1.1')?.network, 'AS13335');
    assert.equal(geo.locate('193.99.144.80')?.country, 'DE'); // heise.de, Hanover
    assert.equal(geo.locate('133.242.0.3')?.country, 'JP'); // SAKURA Internet, Tokyo
    const br = geo.locate('200.160.2.3'); // NIC.br, São Paulo
    assert.equal(br?.country, 'BR');
    assert.ok(br?.latitude !== null && (br?.latitude ?? 0) < 0, 'south of the equator');
  });

  it('places IPv6 addresses, and IPv4-mapped ones as their IPv4 address', () => {
    const wide = geo.locate('2001:200::1'); // WIDE project
    assert.equal(wide?.country, 'JP');
    assert.equal(wide?.network, 'AS2500');
    assert.equal(geo.locate('2a00:1450:4001::1')?.country, 'DE');
    assert.deepEqual(geo.locate('::ffff:8.8.8.8'), geo.locate('8.8.8.8'));
    assert.deepEqual(geo.locate('::FFFF:808:808'), geo.locate('8.8.8.8'));
  });

  it('answers null for private, loopback, link-local, CGNAT, documentation and invalid addresses', () => {
    for (const ip of [
      '10.1.2.3',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.10.10',
      '100.64.0.1',
      '100.127.255.254',
      '192.0.2.10',
      '198.51.100.90',
      '203.0.113.7',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1%eth0',
      'fd12:3456::1',
      '2001:db8::1',
      'ff02::1',
      '::ffff:192.168.0.1',
      'not an address',
      '',
    ])
      assert.equal(geo.locate(ip), null, ip);
    // The edges of those ranges are public.
    assert.notEqual(geo.locate('172.32.0.1'), null);
    assert.notEqual(geo.locate('100.128.0.1'), null);
  });

  it('reads both city record layouts: the shipped flat one and the GeoIP2 one of DB-IP and MaxMind downloads', () => {
    const place = { country: 'JP', city: 'Tokyo', latitude: 35.6895, longitude: 139.6917 };
    assert.deepEqual(
      placeOf({
        country_code: 'JP',
        city: 'Tokyo',
        latitude: 35.68949890136719,
        longitude: 139.69171142578125,
      }),
      place,
    );
    assert.deepEqual(
      placeOf({
        country: { iso_code: 'JP' },
        city: { names: { en: 'Tokyo', ja: '東京' } },
        location: { latitude: 35.6895, longitude: 139.6917 },
      }),
      place,
    );
    assert.deepEqual(placeOf({ registered_country: { iso_code: 'de' } }), {
      country: 'DE',
      city: null,
      latitude: null,
      longitude: null,
    });
    assert.equal(placeOf({ city: 'Nowhere' }), null, 'no country: not located');
  });

  it('measures great-circle distances', () => {
    const berlin = { latitude: 52.52, longitude: 13.405 };
    const tokyo = { latitude: 35.6762, longitude: 139.6503 };
    assert.ok(Math.abs(distanceKm(berlin, tokyo) - 8_920) < 30);
    assert.equal(distanceKm(berlin, berlin), 0);
  });
});

describe('the ASN table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-asn-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const v4 = (ip: string) => numericAddress(ip) as { family: 4; value: number };
  const v6 = (ip: string) => numericAddress(ip) as { family: 6; value: bigint };

  it('finds the range holding an address by bisection, IPv4 and IPv6 in one file, in any order', () => {
    const path = join(dir, 'asn.csv');
    const row = (start: string, end: string, asn: number, name: string) => {
      const n = (ip: string) => {
        const parsed = numericAddress(ip);
        return parsed ? parsed.value.toString() : ip;
      };
      return `${n(start)},${n(end)},${asn},"${name}"`;
    };
    writeFileSync(
      path,
      [
        'ip_range_start,ip_range_end,asn,org',
        row('9.0.0.0', '9.0.0.255', 300, 'Three, Ltd'),
        row('1.0.0.0', '1.0.0.255', 100, 'One'),
        row('2001:200::', '2001:200:ffff:ffff:ffff:ffff:ffff:ffff', 2500, 'WIDE'),
        row('5.0.0.0', '5.0.255.255', 200, 'Two'),
        'garbage line',
        row('2a00:1450::', '2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff', 15169, 'Google'),
      ].join('\n'),
    );
    const table = loadAsnTable([path]);
    assert.deepEqual(table.size, { ipv4: 3, ipv6: 2 });
    assert.equal(table.lookup(v4('1.0.0.0')), 100);
    assert.equal(table.lookup(v4('1.0.0.255')), 100);
    assert.equal(table.lookup(v4('1.0.1.0')), null, 'between ranges');
    assert.equal(table.lookup(v4('0.255.255.255')), null, 'below the first');
    assert.equal(table.lookup(v4('5.0.200.1')), 200);
    assert.equal(table.lookup(v4('9.0.0.7')), 300);
    assert.equal(table.lookup(v4('200.0.0.1')), null, 'above the last');
    assert.equal(table.lookup(v6('2001:200:1::5')), 2500);
    assert.equal(table.lookup(v6('2a00:1450:4001::1')), 15169);
    assert.equal(table.lookup(v6('2a00:1451::1')), null);
  });

  it('makes the network the /24 or /48 when no AS announces the address', () => {
    const path = join(dir, 'empty.csv');
    writeFileSync(path, '');
    const { city } = shippedGeoDatabases();
    const geo = createGeoLocator({ city, asn: [path] });
    assert.equal(geo.locate('8.8.8.8')?.network, '8.8.8.0/24');
    assert.equal(geo.locate('2a00:1450:4001::1')?.network, '2a00:1450:4001::/48');
    assert.equal(geo.locate('2001:200::1')?.network, '2001:200::/48');
  });

  it('takes other databases from the configuration, and refuses a path that is not a file', () => {
    const shipped = shippedGeoDatabases();
    assert.deepEqual(geoDatabasesOf({}), shipped);
    // One locator per process for the same databases: they are loaded once.
    assert.equal(geoLocatorOf({}), geoLocatorOf({ VIGIL_GEOIP_CITY_DB: undefined }));
    const custom = geoDatabasesOf({
      VIGIL_GEOIP_CITY_DB: '/data/city.mmdb',
      VIGIL_GEOIP_ASN_DB: '/data/asn-ipv4-num.csv, /data/asn-ipv6-num.csv',
    });
    assert.deepEqual(custom, {
      city: ['/data/city.mmdb'],
      asn: ['/data/asn-ipv4-num.csv', '/data/asn-ipv6-num.csv'],
    });
    assert.throws(() => createGeoLocator(custom), /ENOENT|not a file/);
    assert.throws(() => createGeoLocator({ city: [dir], asn: [] }), /not a file/);
  });
});
