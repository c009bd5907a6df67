import { Alert, Button, Code, Group, Radio, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { FormDialog } from '../../components/FormDialog.tsx';
import { fieldError } from '../../components/Refusal.tsx';
import { saveFile } from '../../components/saveFile.ts';
import { useSending } from '../../components/useSending.ts';
import type { SsoDomain, Verification } from './api.ts';
import { CopyValue } from './parts.tsx';

/** The file's name, the last part of the URL it must be served at. */
const fileNameOf = (url: string) => url.split('/').filter(Boolean).pop() ?? 'vigil-domain.txt';

/**
 * Verifies a domain: by a file it serves (its content and URL shown, to copy or download, then
 * checked by Vigil over HTTPS), or — offered to a platform administrator only, whose word the
 * API takes — by an attestation that the organization controls it: a statement kept in the audit
 * log with their name, since Vigil checks nothing.
 */
export function VerifyDomainDialog({
  domain,
  attests,
  onClose,
  verify,
}: {
  domain: SsoDomain;
  attests: boolean;
  onClose: () => void;
  verify: (verification: Verification) => Promise<void>;
}) {
  const [method, setMethod] = useState<'file' | 'attestation'>('file');
  const [statement, setStatement] = useState('');
  const { busy, refusal, send } = useSending();
  const title = `Verify ${domain.domain}`;
  const file = domain.verificationFile;

  function submit() {
    void send(() =>
      verify(method === 'file' ? { method } : { method, statement: statement.trim() }),
    );
  }

  return (
    <FormDialog
      title={title}
      submitLabel={method === 'file' ? 'Check the file' : 'Attest and verify'}
      refusalTitle="Not verified"
      size="lg"
      busy={busy}
      refusal={refusal}
      onClose={onClose}
      onSubmit={submit}
    >
      {attests ? (
        <Radio.Group
          label="How"
          value={method}
          onChange={(v) => setMethod(v as 'file' | 'attestation')}
          error={fieldError(refusal, 'method')}
        >
          <Stack mt="xs" gap={6}>
            <Radio value="file" label="A file the domain serves" />
            <Radio
              value="attestation"
              label="My attestation, as platform administrator, that the organization controls it"
            />
          </Stack>
        </Radio.Group>
      ) : (
        <Text size="sm" c="dimmed">
          Where the domain cannot serve a file, a platform administrator may verify it by
          attestation after checking that the organization controls it.
        </Text>
      )}
      {method === 'file' ? (
        <>
          <Text size="sm">
            Publish this file at this address (HTTPS, answered with status 200), then check it. It
            is signed by Vigil for this organization and domain.
          </Text>
          <Text size="sm" fw={600}>
            Address
          </Text>
          <CopyValue label="Verification file URL" value={file.url} />
          <Text size="sm" fw={600}>
            Content
          </Text>
          {/* Wrapped, not scrolled: a scrolling block would need its own keyboard access. */}
          <Code
            block
            aria-label="Verification file content"
            style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
          >
            {file.content}
          </Code>
          <Group>
            <Button
              variant="default"
              onClick={() =>
                saveFile(new Blob([file.content], { type: 'text/plain' }), fileNameOf(file.url))
              }
            >
              Download the file
            </Button>
          </Group>
        </>
      ) : (
        <>
          <Alert color="yellow" title="Nothing is checked">
            Vigil takes your word for it. Once verified, everyone whose email ends in @
            {domain.domain} is sent to this organization's identity provider, and no other
            organization can claim the domain. Attest only once you have checked, outside Vigil,
            that the organization owns it: the statement and your name stay in the audit log.
          </Alert>
          <Textarea
            label="Statement"
            description="How you know the organization controls it (e.g. the registrar's record, a signed letter); at least 10 characters"
            required
            autosize
            minRows={3}
            value={statement}
            onChange={(e) => setStatement(e.currentTarget.value)}
            error={fieldError(refusal, 'statement')}
          />
        </>
      )}
    </FormDialog>
  );
}
