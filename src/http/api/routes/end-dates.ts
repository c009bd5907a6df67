import { z } from 'zod';
import { defineRoute, isoDate, userIn } from '../route.ts';

/** A user's scheduled end (docs/lifecycle.md#end-dates): the schedule deprovisions them then. */
const endDateSchema = z.object({ userId: z.uuid(), endAt: isoDate.nullable() });

const endDateBody = z
  .object({
    /** An ISO date-time with its offset; null clears the date. A past one acts at the next round. */
    endAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .strict();

export const endDateRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/users/{userId}/end-date',
    summary: "The user's end date (null: none), when the schedule deprovisions them",
    permission: 'users.read',
    scope: 'org',
    response: endDateSchema,
    async handler(call) {
      const user = await userIn(call);
      const endAt = await call.services.lifecycleSchedule.endDate(call.tx, user.id);
      return { body: { userId: user.id, endAt } };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/orgs/{orgId}/users/{userId}/end-date',
    summary:
      "Set or clear the user's end date: the schedule deprovisions them once it is reached (audited with before and after)",
    permission: 'users.deactivate',
    scope: 'org',
    body: endDateBody,
    example: { endAt: '2027-03-31T17:00:00Z' },
    response: endDateSchema,
    async handler(call) {
      const user = await userIn(call);
      const endAt = call.body.endAt === null ? null : new Date(call.body.endAt);
      const set = await call.services.lifecycleSchedule.setEndDate(
        call.tx,
        user.id,
        endAt,
        call.actor,
      );
      return { body: set };
    },
  }),
];
