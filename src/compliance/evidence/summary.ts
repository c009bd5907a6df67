/**
 * The readable parts of a pack: summary.html and summary.pdf (pdfkit) for the auditor's file, and
 * README.txt saying what the pack is and how to verify it. Both summaries say the same: who made
 * the pack and when, for which organization and period, the signing key's fingerprint, each
 * control with its criteria, status, exceptions and files, and the criteria index.
 */
import PDFDocument from 'pdfkit';
import type { ControlException } from '../controls/control.ts';
import { type Criterion, criteria } from '../controls/criteria.ts';
import type { PackControl, PackManifest } from './format.ts';
import { packFiles } from './layout.ts';

export interface SummaryControl extends PackControl {
  description: string;
  summary: string | null;
  exceptions: ControlException[];
}

export interface SummaryInput {
  manifest: Pick<PackManifest, 'org' | 'period' | 'createdAt' | 'createdBy'>;
  keyFingerprint: string;
  controls: SummaryControl[];
}

const statusText = (s: PackControl['status']) =>
  s === null ? 'not checked' : s === 'not_applicable' ? 'not applicable' : s;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const actorText = (a: PackManifest['createdBy']) => (a.id ? `${a.type} ${a.id}` : a.type);

/** Each criterion with the controls that support it, in the criteria's order. */
export function criteriaIndex(controls: readonly PackControl[]) {
  return (Object.keys(criteria) as Criterion[]).map((id) => ({
    id,
    text: criteria[id],
    controls: controls.filter((c) => c.criteria.includes(id)).map((c) => c.id),
  }));
}

export function summaryHtml(input: SummaryInput): string {
  const { manifest } = input;
  const e = escapeHtml;
  const rows = input.controls
    .map(
      (c) => `<section class="control ${e(statusText(c.status).replace(' ', '-'))}">
<h3>${e(c.title)} <small>(${e(c.id)}, ${e(c.scope)})</small></h3>
<p><strong>Status at the period's end:</strong> ${e(statusText(c.status))}${c.summary ? ` — ${e(c.summary)}` : ''}</p>
<p><strong>Criteria:</strong> ${c.criteria.map(e).join(', ')}</p>
<p>${e(c.description)}</p>
${c.exceptions.length > 0 ? `<ul class="exceptions">${c.exceptions.map((x) => `<li>${e(x.message)}</li>`).join('')}</ul>` : ''}
<p><strong>Evidence:</strong> ${c.artifacts.map((a) => `<code>${e(a)}</code>`).join(', ')}</p>
</section>`,
    )
    .join('\n');
  const index = criteriaIndex(input.controls)
    .map(
      (c) =>
        `<tr><th>${e(c.id)}</th><td>${e(c.text)}</td><td>${c.controls.map(e).join(', ') || '—'}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Evidence pack: ${e(manifest.org.name)}, ${e(manifest.period.from)} to ${e(manifest.period.to)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}
.control{border-left:4px solid #888;padding-left:1rem;margin:1rem 0}.pass{border-color:#2a7}
.fail{border-color:#c33}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem;vertical-align:top}</style>
</head><body>
<h1>SOC 2 evidence pack</h1>
<dl>
<dt>Organization</dt><dd>${e(manifest.org.name)} (${e(manifest.org.slug)}, ${e(manifest.org.id)})</dd>
<dt>Period</dt><dd>${e(manifest.period.from)} to ${e(manifest.period.to)} (end exclusive)</dd>
<dt>Exported</dt><dd>${e(manifest.createdAt)} by ${e(actorText(manifest.createdBy))}</dd>
<dt>Signed by</dt><dd>audit seal key, SHA-256 fingerprint <code>${e(input.keyFingerprint)}</code></dd>
</dl>
<p>Every file of this pack is listed in <code>${packFiles.manifest}</code> with its SHA-256; the manifest is signed. Verify with <code>node ${packFiles.verifier}</code> in the unzipped pack.</p>
<h2>Controls</h2>
${rows}
<h2>Criteria index</h2>
<table><thead><tr><th>Criterion</th><th>Text</th><th>Controls</th></tr></thead><tbody>
${index}
</tbody></table>
</body></html>
`;
}

/** summary.pdf, produced chunk by chunk as pdfkit writes it. */
export async function* summaryPdf(input: SummaryInput): AsyncGenerator<Buffer> {
  const { manifest } = input;
  // A fixed creation date: the PDF says when the pack was made, not when the bytes were.
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `Evidence pack: ${manifest.org.name}`,
      Author: 'Vigil',
      CreationDate: new Date(manifest.createdAt),
    },
  });
  const chunks: Buffer[] = [];
  let done = false;
  let wake: (() => void) | null = null;
  doc.on('data', (c: Buffer) => {
    chunks.push(c);
    wake?.();
  });
  doc.on('end', () => {
    done = true;
    wake?.();
  });
  doc.fontSize(20).text('SOC 2 evidence pack');
  doc.moveDown(0.5).fontSize(11);
  doc.text(`Organization: ${manifest.org.name} (${manifest.org.slug})`);
  doc.text(`Period: ${manifest.period.from} to ${manifest.period.to} (end exclusive)`);
  doc.text(`Exported: ${manifest.createdAt} by ${actorText(manifest.createdBy)}`);
  doc.text(`Audit seal key fingerprint (SHA-256): ${input.keyFingerprint}`);
  doc.moveDown();
  doc.fontSize(15).text('Controls');
  for (const c of input.controls) {
    doc
      .moveDown(0.5)
      .fontSize(12)
      .text(`${c.title} (${c.id}) — ${statusText(c.status)}`);
    doc.fontSize(9).text(`Criteria: ${c.criteria.join(', ')}. Scope: ${c.scope}.`);
    if (c.summary) doc.text(c.summary);
    for (const x of c.exceptions) doc.text(`• ${x.message}`, { indent: 10 });
    doc.text(`Evidence: ${c.artifacts.join(', ')}`);
  }
  doc.addPage().fontSize(15).text('Criteria index');
  for (const c of criteriaIndex(input.controls)) {
    doc
      .moveDown(0.5)
      .fontSize(11)
      .text(`${c.id}: ${c.controls.join(', ') || '—'}`);
    doc.fontSize(8).text(c.text);
  }
  doc.end();
  for (;;) {
    while (chunks.length > 0) yield chunks.shift() as Buffer;
    if (done) return;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = null;
  }
}

export function readme(
  manifest: Pick<PackManifest, 'org' | 'period' | 'createdAt'>,
  fingerprint: string,
) {
  return `Vigil SOC 2 evidence pack
=========================

Organization: ${manifest.org.name} (${manifest.org.slug})
Period:       ${manifest.period.from} to ${manifest.period.to} (end exclusive)
Exported:     ${manifest.createdAt}

What this is
------------
The evidence that Vigil's identity controls operated for this organization during the period:
policies and their change history, access at the period's end, MFA enrollment, access reviews,
deprovisioning and its SLA, alerts, keys and their rotations, platform settings, a random sample
of audit events with the seal blocks that prove them, and a full verification of the audit log.
summary.html and summary.pdf list every control, the SOC 2 criteria it supports, its status at
the period's end, its exceptions and the files that prove it.

How to verify it
----------------
manifest.json lists every other file with its size and SHA-256, and is signed (Ed25519) by the
platform's audit seal key, whose SHA-256 fingerprint is:

  ${fingerprint}

Compare it with the one the platform publishes (vigil keys list). Then either

  vigil evidence verify <this file>.zip --key <that fingerprint>

or, with Node.js only and no Vigil installed, unzip the pack into an empty folder (any file
there that the manifest does not list is reported as added) and run, in that folder,

  node verify.mjs --key <that fingerprint>

Both check the manifest's signature, every file's hash, that no file was added or removed, and
that each sampled audit event is held by a seal block whose chain hash and signature verify.
`;
}
