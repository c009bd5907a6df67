import { html, page } from './html.ts';

/** A plain error page for browsers: what went wrong in words, and the id support can look up. */
export function errorPage(problem: {
  title: string;
  status: number;
  detail?: string;
  requestId: string;
}) {
  return page(
    problem.title,
    html`<h1>${problem.title}</h1>
<p>${problem.detail ?? (problem.status >= 500 ? 'Something went wrong on our side. Please try again.' : 'The request could not be handled.')}</p>
<p><small>Error ${problem.status} · request ${problem.requestId}</small></p>
<p><a href="/account">Back to your account</a></p>`,
  );
}
