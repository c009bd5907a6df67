/**
 * Every audit action Vigil records, with what happened and what the event's target is: the list
 * an auditor asks for (docs/audit.md#actions is generated from it by scripts/gen-audit-docs.ts).
 * `AuditEventInput.action` is typed with these keys, so an action missing here, or misspelled at
 * the call site, fails `tsc`. One catalog in the platform (tier 0) because every module records
 * events and none may import a module above it.
 */
export const auditActions = {
  'org.created': 'An organization was created. Target: the organization.',
  'org.suspended':
    "An organization was suspended (reason in details): none of its users can sign in, and its API keys and its users' access tokens are refused until it is reactivated. Target: the organization.",
  'org.reactivated':
    'A suspended organization was made active again (reason in details, when given). Target: the organization.',

  'user.created':
    'A user was created in an organization (a joiner: before null, the account after, in details). Target: the user.',
  'user.updated':
    "A user's email or display name changed (before and after in details). Target: the user.",
  'user.suspended':
    'A user was suspended: no sign-in until reactivated (what asked, admin, scim, schedule, dormant or review, and the status before and after in details). Target: the user.',
  'user.reactivated':
    'A suspended user was made active again (what asked, admin or scim, and the status before and after in details). Target: the user.',
  'user.deprovisioned':
    'A user was deprovisioned for good (what asked, admin, scim, schedule, dormant or review, and the status before and after in details). Target: the user.',
  'user.end_date.set':
    "A user's end date (the scheduled end of employment) was set, moved or cleared (before and after in details). Target: the user.",
  'user.dormancy_warned':
    'A user and the administrators were warned that the unused account will be suspended (last use and date in details). Target: the user.',
  'user.password.set': 'A user without a password was given one. Target: the user.',
  'user.password.changed':
    "A user's password was changed, by the user or by an administrator (details say which, and whether it is temporary). Target: the user.",
  'user.password.change_failed':
    "A user's attempt to change their password was refused (reason in details). Target: the user.",
  'user.password.rehashed':
    "A user's password hash was upgraded to the current hashing parameters at sign-in. Target: the user.",

  'role.created': 'A custom role was created. Target: the role (by key).',
  'role.updated':
    "A custom role's name, description or permissions changed. Target: the role (by key).",
  'role.assigned': 'A role was given to a user (reason and expiry in details). Target: the user.',
  'role.unassigned': 'A role was taken from a user. Target: the user.',
  'role.expired':
    'A role assignment reached its expiry and was removed by the system. Target: the user.',
  'access_request.created': 'A user asked for a role. Target: the access request.',
  'access_request.approved':
    'An access request was approved and the role assigned. Target: the access request.',
  'access_request.denied': 'An access request was denied. Target: the access request.',
  'access_request.refused':
    'An approval or denial was refused (the requester deciding their own request, or a conflict). Target: the access request.',
  'access_request.withdrawn':
    'A pending access request was closed because what asked for it no longer does: the SCIM group membership or mapping behind it ended, or its user was suspended (reason in details). Target: the access request.',
  'access_request.expired':
    'An access request waited past its deadline and was closed by the system. Target: the access request.',
  'conflict_rule.created':
    'A separation-of-duties rule (roles nobody may hold together) was created. Target: the rule.',
  'conflict_rule.deleted': 'A separation-of-duties rule was deleted. Target: the rule.',

  'policy.password.changed':
    "The organization's password policy got a new version. Target: the policy version (`orgId:version`).",
  'policy.lockout.changed':
    "The organization's lockout policy got a new version. Target: the policy version (`orgId:version`).",
  'policy.session.changed':
    "The organization's session policy got a new version. Target: the policy version (`orgId:version`).",
  'policy.mfa.changed':
    "The organization's MFA policy got a new version. Target: the policy version (`orgId:version`).",
  'policy.lifecycle.changed':
    "The organization's lifecycle policy (dormant accounts, deprovisioning SLA) got a new version. Target: the policy version (`orgId:version`).",
  'policy.reviews.changed':
    "The organization's access review policy (schedules, due days, reminders, auto-close) got a new version. Target: the policy version (`orgId:version`).",

  'apikey.created':
    'An API key was created (its permissions and expiry in details). Target: the API key.',
  'apikey.revoked':
    'An API key was revoked, by a person or because its creator was deactivated (reason in details). Target: the API key.',
  'scim.token.created':
    "A SCIM token was created for the organization's directory (name and expiry in details). Target: the SCIM token.",
  'scim.token.revoked':
    'A SCIM token was revoked: its directory is refused. Target: the SCIM token.',
  'scim.group.roles_changed':
    "The roles a SCIM group's members hold changed (role keys before and after in details). Target: the SCIM group.",
  'scim.group.role_refused':
    "A role a user's SCIM groups map to was not granted: a separation-of-duties rule forbids it with roles they hold, or the role is gone (the groups and the reason in details); the membership itself stands. Target: the user.",
  'scim.group.created':
    'The directory pushed a new group (display name and external id in details). Target: the SCIM group.',
  'scim.group.updated':
    "A SCIM group's display name or external id changed (before and after in details). Target: the SCIM group.",
  'scim.group.deleted':
    'The directory deleted a group; its members lost the roles it gave them (former members in details). Target: the SCIM group.',
  'scim.group.members_changed':
    'Users joined or left a SCIM group (the user ids added and removed in details); their group roles follow. Target: the SCIM group.',
  'review.campaign.launched':
    'An access review campaign was launched: its scope, due date, undecided policy, item count and the SHA-256 of its snapshot in details. Target: the campaign.',
  'review.item.reassigned':
    'An access review item got another reviewer (the previous one, the new one and the reason in details). Target: the item.',
  'review.item.decided':
    'A reviewer decided an access review item: keep, revoke or reduce, the dropped roles and the justification in details (a bulk decision records one event per item). Target: the item.',
  'review.item.revoked':
    "Closing an access review took away what an item held (the campaign, the item and the roles or API key removed in details; `undecided` when by the campaign's policy). Target: the user.",
  'review.campaign.reminded':
    "The schedule mailed an open access review campaign's reviewers who have undecided items (each reviewer and their count, and the total, in details). Target: the campaign.",
  'review.campaign.escalated':
    "An access review campaign passed its due date unfinished: the schedule mailed the organization's admins (holders of reviews.manage) once, listing the unfinished reviewers and their counts (in details). Target: the campaign.",
  'review.campaign.closed':
    'An access review campaign was closed: its completion metrics (items, decided, on time, revoked, unreviewable) and whether it closed clean in details. Target: the campaign.',
  'api.request.denied':
    'An admin API request was refused for want of a permission, or without valid credentials. Target: the organization it addressed, if any.',

  'session.created': 'A session began after a successful sign-in. Target: the session.',
  'session.ended':
    'A session ended: sign-out, ended by the user or an administrator, timed out or swept (reason in details). Target: the session.',

  'auth.login.succeeded': 'A sign-in succeeded (all factors passed). Target: the user.',
  'auth.login.failed':
    'A sign-in was refused: wrong or unknown credentials, a locked account or an inactive user (reason in details). Target: the user, when the email named one.',
  'auth.mfa.succeeded':
    "A sign-in's second factor (TOTP, recovery code or passkey) was accepted. Target: the user.",
  'auth.mfa.failed': "A sign-in's second factor was refused. Target: the user.",
  'auth.account.locked':
    'Too many failed attempts locked an account for a while. Target: the user.',
  'auth.account.unlocked': 'An administrator lifted an account lockout. Target: the user.',
  'auth.device.trusted':
    'A browser was remembered as a trusted device after a successful sign-in. Target: the user.',
  'auth.device.revoked':
    'Trusted devices were forgotten, by the user or on deactivation. Target: the user.',
  'auth.password_reset.requested':
    'A password reset link was asked for (sent only when the address belongs to an active user). Target: the user, when there is one.',
  'auth.password_reset.completed':
    "A password was set through a reset link; the user's sessions ended. Target: the user.",
  'auth.password_reset.failed':
    'A reset link was used but the new password was refused. Target: the user.',

  'mfa.factor.enrolled':
    'A user confirmed a new second factor (TOTP or passkey). Target: the user.',
  'mfa.factor.enroll_failed':
    'Confirming a new second factor failed (wrong code or passkey). Target: the user.',
  'mfa.factor.removed': 'A user removed one of their second factors. Target: the user.',
  'mfa.factors.reset': "An administrator removed all of a user's second factors. Target: the user.",
  'mfa.recovery_codes.generated':
    'A new set of recovery codes replaced the old one. Target: the user.',
  'mfa.recovery_code.used':
    'A recovery code was spent in place of a second factor. Target: the user.',

  'bootstrap.link.issued':
    'The operator issued a one-time link to create the first platform administrator. Target: the link (token id).',
  'bootstrap.completed':
    'The first platform administrator was created through the bootstrap link. Target: the new administrator.',
  'bootstrap.failed':
    'A bootstrap attempt was refused (invalid link, closed bootstrap or a weak password; reason in details). No target.',

  'oauth.client.created': 'An OAuth client was registered. Target: the client.',
  'oauth.client.updated':
    "Where an OAuth client's users are sent back, or the resource servers it may call, changed (Vigil's own console after a change of public URL; before and after in details). Target: the client.",
  'oauth.client.disabled':
    'An OAuth client was disabled: it gets no new tokens. Target: the client.',
  'oauth.client.secret_rotated':
    "A confidential client's secret was replaced (the previous one stays valid for a grace period). Target: the client.",
  'oauth.consent.granted':
    'A user let an application access their account (scopes in details). Target: the user.',
  'oauth.consent.denied': 'A user refused an application access. Target: the user.',
  'oauth.consent.revoked':
    "A user removed an application's access to their account. Target: the user.",
  'oauth.access.revoked':
    'Every OAuth grant, token and provider session of a user was revoked on deactivation (reason in details). Target: the user.',
  'oauth.token.issued':
    'The token endpoint issued tokens (grant type, client and user in details). No target.',
  'oauth.token.refreshed':
    'A refresh token was exchanged for new tokens (client and user in details). No target.',
  'oauth.token.refused': 'The token endpoint refused a request (error in details). No target.',
  'oauth.token.revoked': 'A client revoked a token at the revocation endpoint. No target.',
  'oauth.refresh.reuse_detected':
    'A spent refresh token was presented again: its whole grant was revoked. No target (user and grant in details).',
  'oauth.grant.revoked':
    'oidc-provider revoked a grant with all its tokens (grant id in details). No target.',
  'oauth.logout': "A relying party ended the user's session (RP-initiated logout). No target.",
  'oauth.backchannel_logout.sent':
    'A back-channel logout notice reached a client. Target: the user.',
  'oauth.backchannel_logout.failed':
    'A back-channel logout notice could not be delivered to a client (error in details). Target: the user.',
  'oauth.signing_key.created': 'The first token signing key was created. Target: the key (kid).',
  'oauth.signing_key.rotated':
    'A new token signing key became active; the previous one still verifies. Target: the new key (kid).',

  'keyring.data_key.created':
    'The first data key was created at first start. Target: the data key.',
  'keyring.data_key.rotated':
    'A new data key became active for new encryptions. Target: the new data key.',
  'keyring.reencryption.completed':
    'Every encrypted value was re-encrypted under the active data key. Target: that data key.',
  'keyring.master_key.rotated':
    'Every data key was re-wrapped under a new master key (key ids in details). No target.',
  'platform_key.created':
    'A platform key (audit MAC or audit seal key) was created. Target: the platform key.',

  'audit.exported':
    'Audit events were exported through the admin API (filter in details). No target.',
  'audit.verified':
    'The whole audit log was checked for tampering, through the admin API or by the daily scheduled check (the result in details; outcome failure when something was found). No target.',
  'audit.archived':
    'A month of the audit log was written to an archive file with the seal blocks that cover it, and verified (the month, the file, its SHA-256 and the event count in details). No target.',
  'audit.partition.dropped':
    'An archived month left the database: its partition was dropped after its archive verified (the month and the archive in details). No target.',
  'audit.restored':
    'An archived month was brought back into the database for an investigation (the month and the archive in details). No target.',
  'audit.archive.purged':
    "An archive past every organization's retention was deleted (the month, the archive and the chain hash the remaining chain starts from in details). No target.",
  'audit.purge.held':
    'An archive past retention was kept because an organization with events in it is under legal hold (the month and the organizations in details). No target.',

  'policy.alerts.changed':
    "The organization's alert rules (on or off, severity, thresholds) or alert mail settings got a new version. Target: the policy version (`orgId:version`).",
  'policy.retention.changed':
    "The organization's audit retention (days kept, at least 365) or legal hold got a new version. Target: the policy version (`orgId:version`).",
  'alert.raised':
    'A detection rule raised an alert (the rule, severity, title and what it found in details); later events of the same kind add to it while it is unresolved. Target: the alert.',
  'alert.acknowledged': 'Someone took note of an alert. Target: the alert.',
  'alert.assigned':
    'An alert was given to a person to handle (the assignee before and after in details). Target: the alert.',
  'alert.resolved':
    'An alert was resolved, with a note saying why (in details). Target: the alert.',
  'alert.delivery.dead':
    'An alert notification (mail or webhook) failed its last attempt and went to the dead-letter list (channel, recipient and the last error in details). Target: the delivery.',
  'alert.delivery.retried':
    'An administrator sent a dead alert notification again. Target: the delivery.',
  'webhook.endpoint.created':
    'A webhook endpoint for alert notifications was added (name, URL and minimum severity in details). Target: the endpoint.',
  'webhook.endpoint.updated':
    "A webhook endpoint's name, URL, minimum severity or state changed (before and after in details). Target: the endpoint.",
  'webhook.endpoint.secret_rotated':
    "A webhook endpoint's signing secret was replaced. Target: the endpoint.",
  'webhook.endpoint.deleted': 'A webhook endpoint was deleted. Target: the endpoint.',
  'siem.stream.created':
    'A stream of the audit log to a SIEM was added (kind, format and destination in details). Target: the stream.',
  'siem.stream.updated':
    "A SIEM stream's destination, format or state changed (before and after in details). Target: the stream.",
  'siem.stream.deleted': 'A SIEM stream was deleted. Target: the stream.',

  'compliance.control.failed':
    'A live control check that passed (or had not run) now fails (the control, its SOC 2 criteria, the summary and the exceptions in details). Target: the control.',
  'compliance.control.recovered':
    'A live control check that failed passes again (the control and the summary in details). Target: the control.',
  'policy.sso.changed':
    "The organization's SSO policy (SSO required for its users; the upstream's MFA honoured or Vigil's added) got a new version. Target: the policy version (`orgId:version`).",
  'saml.key.created':
    'A SAML signing or encryption key was generated and published in the metadata, not yet in use (use, fingerprint and expiry in details). Target: the key.',
  'saml.key.activated':
    'A published SAML key became the one that signs (or decrypts first); the key it replaced is retiring (details name both). Target: the key.',
  'saml.key.retired':
    'A retiring SAML key left the metadata and is no longer used. Target: the key.',
  'saml.application.created':
    'A SAML application (Vigil as its identity provider) was registered (entity ID, ACS URLs and options in details). Target: the application.',
  'saml.application.updated':
    "A SAML application's settings changed (before and after in details). Target: the application.",
  'saml.application.deleted': 'A SAML application was deleted. Target: the application.',
  'saml.response.issued':
    'Vigil signed a SAML response for an application: a user signed in to it (the application, ACS URL, NameID format, SP- or IdP-initiated and the session in details). Target: the user.',
  'saml.response.no_passive':
    'Vigil answered a passive SAML request (IsPassive) with the NoPassive status: the user would have had to sign in, which the application forbade (the application, ACS URL and whether a session was there in details). Target: the application.',
  'saml.request.refused':
    'A SAML request to Vigil was refused (unknown application, unregistered ACS URL, bad signature; the reason in details). Target: the application, when known.',
  'saml.logout':
    'A single logout began: the session ended, and its other SAML applications with an SLO URL are told in turn (the application that asked, null when the user signed out at Vigil, the session and `toTell` in details). Target: the user.',
  'sso.connection.created':
    "An organization's own identity provider (SAML or OIDC) was connected (protocol, provisioning and endpoints in details). Target: the connection.",
  'sso.connection.updated':
    "An SSO connection's settings, certificates or state changed (before and after in details). Target: the connection.",
  'sso.connection.deleted': 'An SSO connection was deleted. Target: the connection.',
  'sso.domain.added':
    'An email domain was claimed for home-realm discovery, not yet verified. Target: the domain.',
  'sso.domain.verified':
    'A claimed email domain was verified, by its signed file or by an administrator’s attestation (which, and by whom, in details). Target: the domain.',
  'sso.domain.updated':
    "A claimed email domain's connection (where home-realm discovery sends its users) changed (before and after in details). Target: the domain.",
  'sso.domain.removed': 'A claimed email domain was removed. Target: the domain.',
  'sso.login.succeeded':
    'A user signed in through an upstream identity provider (the connection, its protocol, the upstream subject and whether the upstream proved MFA in details); the session follows as auth.login.succeeded. Target: the user.',
  'sso.login.failed':
    'A sign-in through an upstream identity provider was refused (the connection and the reason: bad signature, replay, wrong audience, unknown user under match-only, and so on, in details). Target: the user, when known.',
  'sso.user.provisioned':
    'A user was created just in time at their first SSO sign-in (the connection and the mapped attributes in details); user.created follows. Target: the user.',
  'auth.login.break_glass':
    "A platform administrator's password was accepted although the platform organization requires SSO (the break-glass path: breakGlass and the SSO policy version in details); the second factor and auth.login.succeeded follow. Target: the user.",
  'evidence.exported':
    'An evidence pack was exported for an audit period (the period, the controls, the file count and the SHA-256 of its signed manifest in details). No target.',
} as const satisfies Record<string, string>;

/** An action an audit event may record. */
export type AuditAction = keyof typeof auditActions;
