import { Button, Card, Group, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import type { Decision, DecisionInput, QueueItem } from './api.ts';
import { ReduceDialog } from './ReduceDialog.tsx';

/** The API takes at most this many items in one decision. */
const perDecision = 500;

const done: Record<Decision, string> = { keep: 'Kept', revoke: 'Revoked', reduce: 'Reduced' };

/**
 * Keep, Revoke or Reduce for every selected item, with the justification the audit log keeps:
 * required (and said so) before keeping privileged access, as the server requires. A selection
 * larger than one decision's limit is sent in parts.
 */
export function DecisionBar({
  selected,
  queue,
  decide,
  onDecided,
}: {
  /** The selected items. */
  selected: QueueItem[];
  /** Every item of the queue (a reduction offers the subject's roles among them). */
  queue: QueueItem[];
  decide: (input: DecisionInput) => Promise<unknown>;
  onDecided: (message: string) => void;
}) {
  const [justification, setJustification] = useState('');
  const [missing, setMissing] = useState(false);
  const [reducing, setReducing] = useState(false);
  const { busy, refusal, send, clear } = useSending();
  const privileged = selected.filter((i) => i.privileged).length;
  const reducible = reductionOf(selected, queue);

  async function apply(decision: Decision, droppedRoleKeys?: string[]) {
    const ids = selected.map((i) => i.id);
    const text = justification.trim();
    for (let start = 0; start < ids.length; start += perDecision)
      await decide({
        itemIds: ids.slice(start, start + perDecision),
        decision,
        ...(text ? { justification: text } : {}),
        ...(droppedRoleKeys ? { droppedRoleKeys } : {}),
      });
    setJustification('');
    setMissing(false);
    onDecided(`${done[decision]} ${ids.length} ${ids.length === 1 ? 'item' : 'items'}.`);
  }

  function keep() {
    if (privileged > 0 && !justification.trim()) {
      clear();
      setMissing(true);
      return;
    }
    void send(() => apply('keep'));
  }

  return (
    <Card withBorder padding="sm" component="section" aria-label="Decide the selected items">
      <Stack gap="xs">
        <Text size="sm" fw={600}>
          {selected.length === 0
            ? 'Select items to decide them'
            : `${selected.length} selected${privileged ? `, ${privileged} privileged` : ''}`}
        </Text>
        <RefusalAlert refusal={refusal} title="Not decided" />
        <Textarea
          label="Justification"
          description="Kept in the audit log and the evidence. Required to keep privileged access."
          autosize
          minRows={1}
          maxLength={2000}
          required={privileged > 0}
          value={justification}
          onChange={(e) => {
            setJustification(e.currentTarget.value);
            setMissing(false);
          }}
          error={
            missing
              ? 'Keeping privileged access needs a justification: say why they still need it'
              : undefined
          }
        />
        <Group gap="xs">
          <Button disabled={selected.length === 0} loading={busy} onClick={keep}>
            Keep
          </Button>
          <Button
            color="red"
            disabled={selected.length === 0}
            loading={busy}
            onClick={() => void send(() => apply('revoke'))}
          >
            Revoke
          </Button>
          <Button
            variant="default"
            disabled={!reducible}
            title={
              reducible
                ? undefined
                : "Reduce applies to one user's roles in one campaign: select those items only"
            }
            onClick={() => setReducing(true)}
          >
            Reduce…
          </Button>
        </Group>
      </Stack>
      {reducible && (
        <ReduceDialog
          opened={reducing}
          subject={reducible.subject}
          roleKeys={reducible.roleKeys}
          onClose={() => setReducing(false)}
          onReduce={async (dropped) => {
            await apply('reduce', dropped);
            setReducing(false);
          }}
        />
      )}
    </Card>
  );
}

/**
 * What a reduction may drop: the selected items must be roles of one user in one campaign; the
 * roles offered are that user's roles among the reviewer's items of the campaign.
 */
function reductionOf(selected: QueueItem[], queue: QueueItem[]) {
  const first = selected[0];
  if (!first?.roleKey) return undefined;
  const same = (i: QueueItem) =>
    i.roleKey !== null && i.subject.id === first.subject.id && i.campaign.id === first.campaign.id;
  if (!selected.every(same)) return undefined;
  const roleKeys = [...new Set(queue.filter(same).map((i) => i.roleKey as string))].sort();
  return roleKeys.length > 1 ? { subject: first.subject.email, roleKeys } : undefined;
}
