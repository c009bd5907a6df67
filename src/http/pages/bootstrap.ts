import { defaultPasswordPolicy as policy } from '../../auth/password/index.ts';
import { html, page } from './html.ts';

export interface BootstrapFormState {
  token: string;
  email?: string;
  displayName?: string;
  problems?: string[];
}

export function bootstrapFormPage(state: BootstrapFormState): string {
  const problems = state.problems ?? [];
  return page(
    'Create the first administrator',
    html`<h1>Create the first platform administrator</h1>
<p>This one-time link creates the administrator who runs this Vigil deployment.</p>
${
  problems.length > 0
    ? html`<div class="error" role="alert" id="form-errors"><strong>Please fix the following:</strong><ul>${problems.map(
        (p) => html`<li>${p}</li>`,
      )}</ul></div>`
    : ''
}
<form method="post" action="/bootstrap" novalidate${problems.length > 0 ? html` aria-describedby="form-errors"` : ''}>
<input type="hidden" name="token" value="${state.token}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${state.email ?? ''}">
<label for="displayName">Full name</label>
<input id="displayName" name="displayName" type="text" autocomplete="name" required value="${state.displayName ?? ''}">
<label for="password">Password <span class="hint">(at least ${policy.minLength} characters, ${policy.requiredClasses} of: lowercase, uppercase, digits, symbols)</span></label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${policy.minLength}" maxlength="${policy.maxLength}">
<label for="passwordConfirmation">Repeat the password</label>
<input id="passwordConfirmation" name="passwordConfirmation" type="password" autocomplete="new-password" required>
<button type="submit">Create administrator</button>
</form>`,
  );
}

export function bootstrapInvalidPage(message: string): string {
  return page(
    'Setup link not valid',
    html`<h1>This setup link cannot be used</h1>
<div class="error" role="alert"><p>${message}</p></div>`,
  );
}

export function bootstrapDonePage(email: string): string {
  return page(
    'Administrator created',
    html`<h1>Platform administrator created</h1>
<div class="ok" role="status"><p>${email} is now the platform administrator. The setup link is used up and bootstrap is closed; both are recorded in the audit log.</p></div>
<p>Platform administrators always use two-step verification: <a href="/admin">sign in to the admin console</a> to set it up now.</p>`,
  );
}
