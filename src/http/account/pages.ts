import type { Html } from '../pages/html.ts';
import { html, page } from '../pages/html.ts';

/** Server-rendered sign-in and account pages: plain forms, no JavaScript, strict CSP. */

function errors(problems: string[]): Html | string {
  if (problems.length === 0) return '';
  return html`<div class="error" role="alert" id="form-errors"><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>`;
}

const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

export function signInPage(state: {
  csrf: string;
  email?: string;
  problems?: string[];
  orgs?: { slug: string; name: string }[];
  /** The single sign-on form's email and what it says about it (home-realm discovery). */
  sso?: { email: string; problems: string[] };
  /** Why the user signs in although signed in (an application asked for a fresh sign-in). */
  notice?: string;
}): string {
  const orgs = state.orgs ?? [];
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
${state.notice ? html`<p role="status">${state.notice}</p>` : ''}
${errors(state.problems ?? [])}
<form method="post" action="/login" novalidate>
${csrfField(state.csrf)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${state.email ?? ''}">
${
  orgs.length > 0
    ? html`<label for="org">Organization</label>
<select id="org" name="org" required>${orgs.map((o) => html`<option value="${o.slug}">${o.name}</option>`)}</select>`
    : ''
}
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p><a href="/password-reset">Forgot your password?</a></p>
${ssoForm(state.csrf, state.sso)}`,
  );
}

/**
 * Home-realm discovery (docs/sso.md#home-realm-discovery-and-domains): the work email names the
 * organization's identity provider by its verified domain.
 */
function ssoForm(csrf: string, sso?: { email: string; problems: string[] }): Html {
  return html`<h2>Single sign-on</h2>
${sso ? errors(sso.problems) : ''}
<form method="post" action="/login/sso" novalidate>
${csrfField(csrf)}
<label for="sso-email">Work email</label>
<input id="sso-email" name="email" type="email" autocomplete="username" required value="${sso?.email ?? ''}">
<button type="submit" class="secondary">Sign in with single sign-on</button>
</form>`;
}

/**
 * The hop between the single sign-on form and the identity provider: a page of Vigil's own, so
 * that the form's navigation ends here and the redirects to the provider's origin that follow
 * are not a form submission's (Chromium holds those to the login page's `form-action`).
 */
export function ssoContinuePage(startUrl: string): string {
  return page(
    'Single sign-on',
    html`<h1>Single sign-on</h1>
<p>Taking you to your organization’s sign-in…</p>
<p><a href="${startUrl}">Continue</a></p>`,
  );
}

const passkeyScripts = html`<script src="/assets/webauthn.js" defer></script>
<script src="/assets/passkey.js" defer></script>`;

function passkeyButton(
  mode: 'register' | 'authenticate',
  csrf: string,
  optionsUrl: string,
  verifyUrl: string,
  label: string,
): Html {
  return html`<p><button type="button" class="secondary" data-passkey="${mode}" data-csrf="${csrf}" data-options-url="${optionsUrl}" data-verify-url="${verifyUrl}">${label}</button></p>
<p role="status" data-passkey-status></p>
${passkeyScripts}`;
}

export function secondFactorPage(state: { csrf: string; problems?: string[] }): string {
  return page(
    'Verify it is you',
    html`<h1>Two-step verification</h1>
${passkeyButton('authenticate', state.csrf, '/login/mfa/passkey/options', '/login/mfa/passkey', 'Use a passkey')}
<p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
${errors(state.problems ?? [])}
<form method="post" action="/login/mfa" novalidate>
${csrfField(state.csrf)}
<label for="code">Code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="20">
<button type="submit">Verify</button>
</form>`,
  );
}

export function enrollPage(state: {
  csrf: string;
  qrSvgDataUri: string;
  secret: string;
  action: string;
  problems?: string[];
  intro: string;
}): string {
  return page(
    'Set up two-step verification',
    html`<h1>Set up two-step verification</h1>
<p>${state.intro}</p>
<ol>
<li>Scan this QR code with an authenticator app (or enter the key by hand).</li>
<li>Type the 6-digit code it shows.</li>
</ol>
<p><img src="${state.qrSvgDataUri}" alt="QR code for your authenticator app" width="200" height="200"></p>
<p>Key: <code id="totp-secret">${state.secret}</code></p>
${errors(state.problems ?? [])}
<form method="post" action="${state.action}" novalidate>
${csrfField(state.csrf)}
<label for="code">Code from the app</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="6">
<button type="submit">Confirm</button>
</form>`,
  );
}

export function recoveryCodesPage(state: {
  codes: string[];
  next: string;
  nextLabel: string;
}): string {
  return page(
    'Your recovery codes',
    html`<h1>Save your recovery codes</h1>
<p>Each code signs you in once if you lose your authenticator. Store them somewhere safe: they are shown only now.</p>
<ul class="codes" id="recovery-codes">${state.codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a href="${state.next}">${state.nextLabel}</a></p>`,
  );
}

export function passwordChangePage(state: {
  csrf: string;
  action: string;
  reason: string;
  problems?: string[];
  withCurrent?: boolean;
}): string {
  return page(
    'Choose a new password',
    html`<h1>Choose a new password</h1>
<p>${state.reason}</p>
${errors(state.problems ?? [])}
<form method="post" action="${state.action}" novalidate>
${csrfField(state.csrf)}
${
  state.withCurrent
    ? html`<label for="current">Current password</label>
<input id="current" name="current" type="password" autocomplete="current-password" required>`
    : ''
}
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required>
<label for="confirmation">Repeat the new password</label>
<input id="confirmation" name="confirmation" type="password" autocomplete="new-password" required>
<button type="submit">Save password</button>
</form>`,
  );
}

export interface AccountView {
  csrf: string;
  email: string;
  displayName: string;
  orgName: string;
  currentSessionId: string;
  /** OAuth applications the user granted access to. */
  applications: { grantId: string; clientName: string; scopes: string[]; grantedAt: Date }[];
  notice?: string;
  problems?: string[];
  sessions: {
    id: string;
    ip: string | null;
    userAgent: string | null;
    createdAt: Date;
    lastSeenAt: Date;
    amr: string[];
  }[];
  /** Trusted browsers (device cookies), and the ids of the tokens this browser presents. */
  devices: { id: string; createdAt: Date; lastUsedAt: Date; userAgent: string | null }[];
  currentDeviceIds: string[];
  factors: {
    id: string;
    kind: string;
    label: string;
    confirmedAt: Date | null;
    lastUsedAt: Date | null;
  }[];
  recoveryCodesLeft: number;
  activity: { at: Date; action: string; outcome: string; ip: string | null }[];
}

const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 16) : '—');

export function accountPage(v: AccountView): string {
  return page(
    'Your account',
    html`<h1>Your account</h1>
<p>${v.displayName} · ${v.email} · ${v.orgName}</p>
${v.notice ? html`<div class="ok" role="status">${v.notice}</div>` : ''}
${errors(v.problems ?? [])}
<form method="post" action="/logout">${csrfField(v.csrf)}<button type="submit">Sign out</button></form>

<h2>Sessions</h2>
<table>
<thead><tr><th scope="col">Signed in</th><th scope="col">Last seen</th><th scope="col">From</th><th scope="col"></th></tr></thead>
<tbody>${v.sessions.map(
      (s) =>
        html`<tr data-session="${s.id}"><td>${when(s.createdAt)}</td><td>${when(s.lastSeenAt)}</td><td>${s.ip ?? ''} ${s.userAgent ?? ''}</td><td>${
          s.id === v.currentSessionId
            ? 'This session'
            : html`<form method="post" action="/account/sessions/end">${csrfField(v.csrf)}<input type="hidden" name="session" value="${s.id}"><button type="submit">End</button></form>`
        }</td></tr>`,
    )}</tbody>
</table>
<form method="post" action="/account/sessions/end-others">${csrfField(v.csrf)}<button type="submit">End all other sessions</button></form>
${trustedBrowsers(v)}

<h2>Connected applications</h2>
${
  v.applications.length === 0
    ? html`<p>No application has access to your account.</p>`
    : html`<table>
<thead><tr><th scope="col">Application</th><th scope="col">Access</th><th scope="col">Since</th><th scope="col"></th></tr></thead>
<tbody>${v.applications.map(
        (a) =>
          html`<tr data-grant="${a.grantId}"><td>${a.clientName}</td><td>${a.scopes.join(', ')}</td><td>${when(a.grantedAt)}</td><td><form method="post" action="/account/applications/revoke">${csrfField(v.csrf)}<input type="hidden" name="grant" value="${a.grantId}"><button type="submit">Remove access</button></form></td></tr>`,
      )}</tbody>
</table>`
}

<h2>Two-step verification</h2>
<ul>${v.factors
      .filter((f) => f.confirmedAt)
      .map(
        (
          f,
        ) => html`<li>${f.label} (${f.kind === 'totp' ? 'authenticator app' : 'passkey'}), added ${when(f.confirmedAt)}, last used ${when(f.lastUsedAt)}
<form method="post" action="/account/factors/remove">${csrfField(v.csrf)}<input type="hidden" name="factor" value="${f.id}"><button type="submit">Remove</button></form></li>`,
      )}</ul>
<p><a href="/account/totp">Add an authenticator app</a></p>
<label for="passkey-label">Name for a new passkey</label>
<input id="passkey-label" type="text" maxlength="100" value="Passkey">
${passkeyButton('register', v.csrf, '/account/passkeys/options', '/account/passkeys', 'Add a passkey')}
<p>${v.recoveryCodesLeft} recovery codes left.</p>
<form method="post" action="/account/recovery-codes">${csrfField(v.csrf)}<button type="submit">Make new recovery codes</button></form>

<h2>Password</h2>
<p><a href="/account/password">Change your password</a></p>

<h2>Recent security activity</h2>
<table>
<thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Outcome</th><th scope="col">From</th></tr></thead>
<tbody>${v.activity.map((a) => html`<tr><td>${when(a.at)}</td><td>${a.action}</td><td>${a.outcome}</td><td>${a.ip ?? ''}</td></tr>`)}</tbody>
</table>`,
  );
}

/** The account page's list of trusted browsers, each with its "forget" form. */
function trustedBrowsers(v: AccountView): Html {
  if (v.devices.length === 0)
    return html`<h2>Trusted browsers</h2>
<p>No browser is trusted yet. A browser becomes trusted when you complete a sign-in in it.</p>`;
  return html`<h2>Trusted browsers</h2>
<p>Browsers you completed a sign-in in. Wrong passwords typed elsewhere do not lock you out of these. Forget the ones you no longer use or do not recognize: they count as unknown until you sign in from them again.</p>
<table>
<thead><tr><th scope="col">Trusted since</th><th scope="col">Last sign-in</th><th scope="col">Browser</th><th scope="col"></th></tr></thead>
<tbody>${v.devices.map(
    (d) =>
      html`<tr data-device="${d.id}"><td>${when(d.createdAt)}</td><td>${when(d.lastUsedAt)}</td><td>${d.userAgent ?? ''}${v.currentDeviceIds.includes(d.id) ? ' (this browser)' : ''}</td><td><form method="post" action="/account/devices/forget">${csrfField(v.csrf)}<input type="hidden" name="device" value="${d.id}"><button type="submit">Forget this browser</button></form></td></tr>`,
  )}</tbody>
</table>
<form method="post" action="/account/devices/forget-all">${csrfField(v.csrf)}<button type="submit">Forget all browsers</button></form>`;
}

export function signedOutPage(): string {
  return page(
    'Signed out',
    html`<h1>You are signed out</h1><p><a href="/login">Sign in again</a></p>`,
  );
}

export function resetRequestPage(state: { csrf: string; sent?: boolean; email?: string }): string {
  return page(
    'Reset your password',
    html`<h1>Reset your password</h1>
${
  state.sent
    ? html`<div class="ok" role="status"><p>If an account uses that address, a link to choose a new password is on its way. It works once, for 30 minutes.</p></div>`
    : html`<p>We will email you a link to choose a new password.</p>`
}
<form method="post" action="/password-reset" novalidate>
${csrfField(state.csrf)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${state.email ?? ''}">
<button type="submit">Send the link</button>
</form>
<p><a href="/login">Back to sign in</a></p>`,
  );
}

export function resetInvalidPage(): string {
  return page(
    'Reset link not valid',
    html`<h1>This reset link cannot be used</h1>
<div class="error" role="alert"><p>It is invalid, expired or already used.</p></div>
<p><a href="/password-reset">Ask for a new link</a></p>`,
  );
}

export function resetDonePage(): string {
  return page(
    'Password changed',
    html`<h1>Your password was changed</h1>
<div class="ok" role="status"><p>Every session of your account was ended. Sign in with the new password.</p></div>
<p><a href="/login">Sign in</a></p>`,
  );
}
