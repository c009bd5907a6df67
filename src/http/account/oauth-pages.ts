import { html, page } from '../pages/html.ts';

/** Pages of the OAuth flows: consent, RP-initiated logout, and oidc-provider's errors. */

const scopeText: Record<string, string> = {
  openid: 'Know who you are (your user id and organization)',
  email: 'See your email address',
  profile: 'See your name',
  roles: 'See your roles',
  offline_access: 'Stay connected while you are away (refresh tokens)',
};

export function consentPage(state: {
  csrf: string;
  uid: string;
  clientName: string;
  scopes: string[];
}): string {
  return page(
    'Allow access',
    html`<h1>Allow ${state.clientName} to access your account?</h1>
<p>${state.clientName} asks to:</p>
<ul>${state.scopes.map((s) => html`<li>${scopeText[s] ?? s}</li>`)}</ul>
<form method="post" action="/interaction/${state.uid}/consent">
<input type="hidden" name="csrf" value="${state.csrf}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  );
}

/** oidc-provider hands its confirmation form as HTML; only its action and xsrf value are kept. */
export function logoutConfirmPage(providerForm: string): string {
  const action = /action="([^"]+)"/.exec(providerForm)?.[1] ?? '';
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(providerForm)?.[1] ?? '';
  return page(
    'Sign out',
    html`<h1>Sign out?</h1>
<form method="post" action="${action.replaceAll('&amp;', '&')}">
<input type="hidden" name="xsrf" value="${xsrf}">
<button type="submit" name="logout" value="yes">Sign out</button>
<button type="submit" class="secondary">Stay signed in</button>
</form>`,
  );
}

export function oauthSignedOutPage(): string {
  return page('Signed out', html`<h1>You are signed out</h1>`);
}

export function oauthErrorPage(title: string, detail: string): string {
  return page(
    'Request refused',
    html`<h1>The request was refused</h1><p><code>${title}</code></p><p>${detail}</p>`,
  );
}

export function interactionExpiredPage(): string {
  return page(
    'Sign-in expired',
    html`<h1>This sign-in request has expired</h1><p>Go back to the application and start again.</p>`,
  );
}
