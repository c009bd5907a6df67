import { z } from 'zod';
import { type AuditActor, newId, parseInput, type Tx } from '../platform/index.ts';
import * as store from './directory.store.ts';
import { identityErrors } from './errors.ts';
import { type IdentityDeps, toUser, type User } from './service.ts';

/**
 * What an HR or identity directory says of a user besides the email and display name
 * (docs/scim.md#users-mapping). `userName` is kept only when it differs from the email (Entra
 * sends the UPN); the user's directory userName is `userName ?? email`.
 */
export interface DirectoryProfile {
  externalId: string | null;
  userName: string | null;
  givenName: string | null;
  familyName: string | null;
  employeeNumber: string | null;
  department: string | null;
  managerId: string | null;
  /** The scheduled end of employment (docs/lifecycle.md). */
  endAt: Date | null;
}

export interface DirectoryUser extends User, DirectoryProfile {}

const text = (max: number) => z.string().trim().min(1).max(max).nullable();

/** A user as a directory writes it: every field, so a replacement clears what it leaves out. */
export const directoryUserInput = z.strictObject({
  email: z.email().max(320),
  displayName: z.string().trim().min(1).max(200),
  externalId: text(255),
  userName: text(320),
  givenName: text(200),
  familyName: text(200),
  employeeNumber: text(100),
  department: text(200),
  managerId: z.uuid().nullable(),
  endAt: z.date().nullable(),
});
export type DirectoryUserInput = z.infer<typeof directoryUserInput>;

/** The fields of a change the audit event names, in the order it lists them. */
const auditedFields = [
  'email',
  'displayName',
  'userName',
  'externalId',
  'givenName',
  'familyName',
  'employeeNumber',
  'department',
  'managerId',
  'endAt',
] as const satisfies readonly (keyof DirectoryUserInput)[];

function toDirectoryUser(row: store.DirectoryUserRow): DirectoryUser {
  return {
    ...toUser(row),
    externalId: row.external_id,
    userName: row.user_name,
    givenName: row.given_name,
    familyName: row.family_name,
    employeeNumber: row.employee_number,
    department: row.department,
    managerId: row.manager_id,
    endAt: row.end_at,
  };
}

function columnsOf(input: DirectoryUserInput): store.DirectoryWrite {
  return {
    email: input.email,
    display_name: input.displayName,
    external_id: input.externalId,
    // Stored only when it says more than the email.
    user_name:
      input.userName && input.userName.toLowerCase() !== input.email.toLowerCase()
        ? input.userName
        : null,
    given_name: input.givenName,
    family_name: input.familyName,
    employee_number: input.employeeNumber,
    department: input.department,
    manager_id: input.managerId,
    end_at: input.endAt,
  };
}

/** A field's value as the audit log keeps it (dates as ISO strings). */
const audited = (value: string | Date | null) =>
  value instanceof Date ? value.toISOString() : value;

/**
 * Users as a directory provisions them (SCIM): created and replaced whole, with their directory
 * attributes; every change audited with the fields before and after (joiners and movers,
 * docs/lifecycle.md#joiners-movers-leavers). Deactivation is the lifecycle's.
 */
export function createUserDirectory(deps: IdentityDeps) {
  async function refuseTaken(
    tx: Tx,
    orgId: string,
    input: DirectoryUserInput,
    exceptId: string | null,
  ): Promise<void> {
    const userName = input.userName ?? input.email;
    const taken = await store.takenBy(tx, orgId, { email: input.email, userName }, exceptId);
    if (taken.email) throw identityErrors.emailTaken();
    if (taken.userName) throw identityErrors.userNameTaken();
  }

  return {
    async find(tx: Tx, id: string): Promise<DirectoryUser | undefined> {
      const row = await store.directoryUser(tx, id);
      return row ? toDirectoryUser(row) : undefined;
    },

    /** A joiner from the directory: the user and their attributes, audited with `source`. */
    async create(
      tx: Tx,
      orgId: string,
      input: DirectoryUserInput,
      actor: AuditActor,
      source: string,
    ): Promise<DirectoryUser> {
      const data = parseInput(directoryUserInput, input, identityErrors.userInvalid);
      await refuseTaken(tx, orgId, data, null);
      const now = deps.clock.now();
      const row: store.DirectoryUserRow = {
        id: newId(now.getTime()),
        org_id: orgId,
        status: 'active',
        created_at: now,
        updated_at: now,
        deactivated_at: null,
        last_sign_in_at: null,
        dormancy_warned_at: null,
        ...columnsOf(data),
      };
      await store.insertDirectoryUser(tx, row);
      const user = toDirectoryUser(row);
      const after = Object.fromEntries(
        auditedFields.filter((f) => user[f] !== null).map((f) => [f, audited(user[f])]),
      );
      await deps.audit(tx, {
        orgId,
        action: 'user.created',
        actor,
        target: { type: 'user', id: row.id },
        details: { source, before: null, after: { ...after, status: row.status } },
      });
      return user;
    },

    /**
     * Replaces what the directory says of a user; the `user.updated` event names each changed
     * field before and after (none changed: no event, and the version stays). A deprovisioned
     * user stays as they left. `expectedUpdatedAt` (If-Match) refuses a change on a stale read.
     */
    async replace(
      tx: Tx,
      userId: string,
      input: DirectoryUserInput,
      actor: AuditActor,
      options: { source: string; expectedUpdatedAt?: number },
    ): Promise<DirectoryUser> {
      const data = parseInput(directoryUserInput, input, identityErrors.userInvalid);
      const row = await store.directoryUser(tx, userId, { forUpdate: true });
      if (!row) throw identityErrors.userNotFound();
      if (
        options.expectedUpdatedAt !== undefined &&
        options.expectedUpdatedAt !== row.updated_at.getTime()
      )
        throw identityErrors.userStale();
      if (row.status === 'deprovisioned') throw identityErrors.userDeprovisioned();
      const before = toDirectoryUser(row);
      const next = columnsOf(data);
      const candidate = toDirectoryUser({ ...row, ...next });
      const changed = auditedFields.filter((f) => audited(before[f]) !== audited(candidate[f]));
      if (changed.length === 0) return before;
      await refuseTaken(tx, row.org_id, data, userId);
      // A change always moves the version (the ETag), even within the millisecond of the last.
      const updatedAt = new Date(
        Math.max(deps.clock.now().getTime(), row.updated_at.getTime() + 1),
      );
      await store.updateDirectoryUser(tx, userId, { ...next, updated_at: updatedAt });
      const pick = (from: DirectoryUser) =>
        Object.fromEntries(changed.map((f) => [f, audited(from[f])]));
      await deps.audit(tx, {
        orgId: row.org_id,
        action: 'user.updated',
        actor,
        target: { type: 'user', id: userId },
        details: { source: options.source, before: pick(before), after: pick(candidate) },
      });
      return { ...candidate, updatedAt };
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
