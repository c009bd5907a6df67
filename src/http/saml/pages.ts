import { sha256 } from '../../crypto/index.ts';
import type { Departure } from '../../saml/index.ts';
import { html, page } from '../pages/html.ts';
import { oauthPageCsp } from '../security-headers.ts';

/**
 * Submits the page's form (the SAML message to the application) or follows its Continue link,
 * once everything on the page has loaded (the logout notices in frames included). The visible
 * Continue button does the same without scripts.
 */
const autoScript =
  "addEventListener('load',function(){var f=document.forms[0];if(f){f.submit();return}var a=document.getElementById('continue');if(a)location.assign(a.href)})";
const autoScriptHash = `'sha256-${sha256(autoScript).toString('base64')}'`;

const originOf = (url: string) => URL.parse(url)?.origin;

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
 * the application's origin only, the one inline script is allowed by its hash, and the frames
 * that tell other applications of a logout are allowed to their origins only.
 */
export function departurePage(
  title: string,
  departure: Departure | null,
  notify: readonly string[] = [],
): { body: string; csp: string } {
  const targets = departure?.kind === 'form' ? [departure.action] : [];
  let csp = oauthPageCsp(targets, [autoScriptHash]);
  const frames = [...new Set(notify.map(originOf).filter((o) => o && o !== 'null'))];
  if (frames.length > 0) csp += `; frame-src ${frames.join(' ')}`;
  const body = page(
    title,
    html`<h1>${title}</h1>
${notify.map((url) => html`<iframe class="hidden" title="Signing out of an application" src="${url}" width="1" height="1"></iframe>`)}
${departure ? departureHtml(departure) : html`<p><a href="/login">Sign in again</a></p>`}
<script>${{ html: autoScript }}</script>`,
  );
  return { body, csp };
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
