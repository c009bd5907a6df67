import type { MailMessage, UndecidedPolicy } from '../platform/index.ts';

const day = (d: Date) => d.toISOString().slice(0, 10);

const items = (n: number) => (n === 1 ? 'one access' : `${n} accesses`);

/** The campaign as a mail names it. */
export interface MailedCampaign {
  name: string;
  due_at: Date;
  undecided_policy: UndecidedPolicy;
}

/** A reviewer's reminder: how many of their items wait, by when, and where to decide them. */
export function reviewerReminder(
  reviewer: { email: string; display_name: string },
  org: { name: string },
  campaign: MailedCampaign,
  count: number,
  queueUrl: string,
): MailMessage {
  return {
    to: reviewer.email,
    subject: `${org.name}: ${items(count)} to review by ${day(campaign.due_at)}`,
    text: [
      `Hello ${reviewer.display_name},`,
      '',
      `The access review "${campaign.name}" of ${org.name} asks you to decide whether ${items(count)}`,
      `should be kept, reduced or revoked, by ${day(campaign.due_at)}. Your queue:`,
      '',
      `  ${queueUrl}`,
      '',
      `What is still undecided when the campaign closes is ${campaign.undecided_policy === 'revoke' ? 'revoked' : 'kept'}.`,
    ].join('\n'),
  };
}

/** How the campaign ends if nobody closes it by hand, in the escalation's words. */
function closing(campaign: MailedCampaign, autoCloseAt: Date | null): string {
  const undecided = campaign.undecided_policy === 'revoke' ? 'revoked' : 'kept';
  return autoCloseAt
    ? `It closes by itself on ${day(autoCloseAt)}; what is undecided then is ${undecided}.`
    : `It stays open until someone with reviews.manage closes it; what is undecided then is ${undecided}.`;
}

/** The one mail to each admin when a campaign passes its due date unfinished. */
export function overdueNotice(
  admin: { email: string },
  org: { name: string },
  campaign: MailedCampaign,
  unfinished: { email: string; display_name: string; status: string; items: number }[],
  unreviewable: number,
  autoCloseAt: Date | null,
): MailMessage {
  const reviewers = unfinished.map(
    (r) =>
      `  ${r.display_name} <${r.email}>: ${items(r.items)}${r.status === 'active' ? '' : ` (${r.status}: reassign them)`}`,
  );
  return {
    to: admin.email,
    subject: `${org.name}: the access review "${campaign.name}" is overdue`,
    text: [
      `The access review "${campaign.name}" of ${org.name} was due on ${day(campaign.due_at)}.`,
      '',
      ...(reviewers.length > 0
        ? ['These reviewers have not finished:', '', ...reviewers]
        : ['Every item with a reviewer is decided.']),
      ...(unreviewable > 0
        ? ['', `${items(unreviewable)} had nobody but its own holder to review it.`]
        : []),
      '',
      closing(campaign, autoCloseAt),
    ].join('\n'),
  };
}
