import { sha256 } from '../../crypto/index.ts';
import type { Departure } from '../../saml/index.ts';
import { html, page } from '../pages/html.ts';
import { oauthPageCsp } from '../security-headers.ts';

/**
 * Submits the page's form (the SAML message to the application) or follows its Continue link
 * once the page has loaded. The visible Continue button does the same without scripts.
 */
const autoScript =
  "addEventListener('load',function(){var f=document.forms[0];if(f){f.submit();return}var a=document.getElementById('continue');if(a)location.assign(a.href)})";
const autoScriptHash = `'sha256-${sha256(autoScript).toString('base64')}'`;

function departureHtml(departure: Departure) {
  if (departure.kind === 'redirect')
    return html`<p><a id="continue" class="button" href="${departure.location}">Continue</a></p>`;
  return html`<form method="post" action="${departure.action}">
${Object.entries(departure.fields).map(
  ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
)}
<noscript><p>Scripts are off: press Continue to go on.</p></noscript>
<button type="submit">Continue</button>
</form>`;
}

/**
 * The page that carries a SAML message to an application, with its policy: `form-action` names
 * the application's origin only, and the one inline script is allowed by its hash.
 */
export function departurePage(
  title: string,
  departure: Departure | null,
): { body: string; csp: string } {
  const targets = departure?.kind === 'form' ? [departure.action] : [];
  const body = page(
    title,
    html`<h1>${title}</h1>
${departure ? departureHtml(departure) : html`<p><a href="/login">Sign in again</a></p>`}
<script>${{ html: autoScript }}</script>`,
  );
  return { body, csp: oauthPageCsp(targets, [autoScriptHash]) };
}

export function refusedPage(reason: string): string {
  return page(
    'Sign-in refused',
    html`<h1>This sign-in cannot go on</h1>
<p>The application's request was refused: ${reason}.</p>
<p>Nothing was sent to the application. Start again from the application, or ask its administrator.</p>
<p><a href="/account">Your account</a></p>`,
  );
}
