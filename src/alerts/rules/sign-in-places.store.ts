import { sql } from 'kysely';
import type { Tx } from '../../platform/index.ts';

/** A country (`DE`) or a network (`AS3320`, `203.0.113.0/24`) a user has signed in from. */
export interface KnownPlace {
  kind: 'country' | 'network';
  place: string;
  lastSeenAt: Date;
}

/** Every place the user has signed in from (a user has a handful: no paging needed). */
export async function knownPlaces(tx: Tx, orgId: string, userId: string): Promise<KnownPlace[]> {
  const rows = await tx
    .selectFrom('sign_in_places')
    .select(['kind', 'place', 'last_seen_at'])
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((row) => ({
    kind: row.kind,
    place: row.place,
    lastSeenAt: new Date(row.last_seen_at),
  }));
}

/** Records that the user signed in from these places at `at` (first or again). */
export async function recordPlaces(
  tx: Tx,
  orgId: string,
  userId: string,
  places: readonly Pick<KnownPlace, 'kind' | 'place'>[],
  at: Date,
): Promise<void> {
  if (places.length === 0) return;
  await tx
    .insertInto('sign_in_places')
    .values(
      places.map((p) => ({
        org_id: orgId,
        user_id: userId,
        kind: p.kind,
        place: p.place,
        first_seen_at: at,
        last_seen_at: at,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['org_id', 'user_id', 'kind', 'place']).doUpdateSet({
        // Events may be handled out of time order (a late commit): keep the latest time.
        last_seen_at: sql`greatest(sign_in_places.last_seen_at, excluded.last_seen_at)`,
        first_seen_at: sql`least(sign_in_places.first_seen_at, excluded.first_seen_at)`,
      }),
    )
    .execute();
}

/** A user's last located sign-in: where and when. */
export interface LastLocation {
  at: Date;
  ip: string;
  country: string;
  latitude: number;
  longitude: number;
}

export async function lastLocated(
  tx: Tx,
  orgId: string,
  userId: string,
): Promise<LastLocation | null> {
  const row = await tx
    .selectFrom('sign_in_last_located')
    .select(['at', 'ip', 'country', 'latitude', 'longitude'])
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row
    ? {
        at: new Date(row.at),
        ip: row.ip,
        country: row.country,
        latitude: Number(row.latitude),
        longitude: Number(row.longitude),
      }
    : null;
}

/** Makes this the user's last located sign-in, unless a later one is already recorded. */
export async function saveLastLocated(
  tx: Tx,
  orgId: string,
  userId: string,
  signIn: LastLocation,
): Promise<void> {
  await tx
    .insertInto('sign_in_last_located')
    .values({ org_id: orgId, user_id: userId, ...signIn })
    .onConflict((oc) =>
      oc
        .column('user_id')
        .doUpdateSet({
          at: (eb) => eb.ref('excluded.at'),
          ip: (eb) => eb.ref('excluded.ip'),
          country: (eb) => eb.ref('excluded.country'),
          latitude: (eb) => eb.ref('excluded.latitude'),
          longitude: (eb) => eb.ref('excluded.longitude'),
        })
        .where('sign_in_last_located.at', '<=', (eb) => eb.ref('excluded.at')),
    )
    .execute();
}
