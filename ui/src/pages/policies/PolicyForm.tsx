import { Button, Group, Modal, NativeSelect, SimpleGrid, Stack, Text } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api.ts';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import {
  type PolicyChange,
  type PolicyKind,
  type PolicyVersion,
  type Preset,
  policiesApi,
  type Settings,
} from './api.ts';
import { fieldsOf } from './fields.ts';
import { changesOf, PolicyDiff } from './PolicyDiff.tsx';
import { SettingInput } from './SettingInput.tsx';

const custom = 'custom';
/** Every setting equal, whatever the order of the keys. */
const same = (a: Settings, b: Settings) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].every(
    (key) => JSON.stringify(a[key]) === JSON.stringify(b[key]),
  );

/** Whether this kind's settings name their preset (the password policy's do; the lifecycle's do not). */
const namesPreset = (presets: Preset[]) => presets.some((p) => 'preset' in p.policy);

/** The preset the draft is: the one it names, or, where settings name none, the one it equals. */
function presetOf(draft: Settings, presets: Preset[]): Preset | undefined {
  if (draft.preset !== undefined) return presets.find((p) => p.name === draft.preset);
  return presets.find((p) => same(p.policy, draft));
}

/**
 * What saving `draft` sends: a preset's name when the draft is that preset untouched (the API
 * then stores the preset's settings), otherwise every setting.
 */
function changeOf(draft: Settings, presets: Preset[]): PolicyChange {
  const preset = presetOf(draft, presets);
  return preset && same(preset.policy, draft) ? { preset: preset.name } : draft;
}

/**
 * A policy's form for a holder of `org.settings`: the preset picker (where the kind has presets),
 * every setting, then the diff of what would change before it is saved with the version read as
 * If-Match (`onStale` when someone else saved in between: 412). Keyed by the version it edits.
 */
export function PolicyForm({
  orgId,
  kind,
  label,
  current,
  presets,
  onSaved,
  onStale,
}: {
  orgId: string;
  kind: PolicyKind;
  label: string;
  current: PolicyVersion;
  presets: Preset[];
  /** The new version, to show it (the form starts again from it). */
  onSaved: (saved: PolicyVersion) => void;
  /** Someone else changed the policy since it was read: say so and read it again. */
  onStale: () => Promise<void>;
}) {
  const fields = fieldsOf[kind];
  const [draft, setDraft] = useState<Settings>(current.policy);
  const [reviewing, setReviewing] = useState(false);
  const { busy, refusal, send, clear } = useSending();

  function change(key: string, value: unknown) {
    setDraft((d) => {
      const next = { ...d, [key]: value };
      // A preset adjusted is no longer that preset.
      const preset = presets.find((p) => p.name === d.preset);
      return preset && !same(preset.policy, next) ? { ...next, preset: custom } : next;
    });
  }

  function pickPreset(name: string) {
    const preset = presets.find((p) => p.name === name);
    // Settings that name no preset are custom by their values alone.
    setDraft((d) => (preset ? preset.policy : namesPreset(presets) ? { ...d, preset: custom } : d));
  }

  function review(event: FormEvent) {
    event.preventDefault();
    clear();
    setReviewing(true);
  }

  const save = () =>
    send(async () => {
      try {
        const saved = await policiesApi.put(orgId, kind, changeOf(draft, presets), current.etag);
        setReviewing(false);
        onSaved(saved);
      } catch (err) {
        setReviewing(false);
        // Someone saved in between: their version is read, not a refusal of this change.
        if (err instanceof ApiError && err.problem.status === 412) return await onStale();
        throw err;
      }
    });

  const changed = changesOf(fields, current.policy, draft).length > 0;
  return (
    <form onSubmit={review} aria-label={`${label} policy`}>
      <Stack>
        <RefusalAlert refusal={refusal} title="Not saved" />
        <Text size="sm" c="dimmed">
          Version {current.version}
          {current.version === 0 && ' (Vigil’s default: never changed)'}
        </Text>
        {presets.length > 0 && (
          <NativeSelect
            label="Preset"
            description="A named starting point; changing any setting makes it custom"
            data={[
              ...presets.map((p) => ({ value: p.name, label: p.name })),
              { value: custom, label: 'custom' },
            ]}
            value={presetOf(draft, presets)?.name ?? custom}
            onChange={(e) => pickPreset(e.currentTarget.value)}
            error={fieldError(refusal, 'preset')}
          />
        )}
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {fields.map((field) => (
            <SettingInput
              key={field.key}
              field={field}
              value={draft[field.key]}
              error={fieldError(refusal, field.key)}
              onChange={(value) => change(field.key, value)}
            />
          ))}
        </SimpleGrid>
        <Group>
          {changed ? (
            <>
              <Button type="submit">Review changes</Button>
              <Button variant="default" onClick={() => setDraft(current.policy)}>
                Discard changes
              </Button>
            </>
          ) : (
            <Text size="sm" c="dimmed">
              Change a setting to review and save it.
            </Text>
          )}
        </Group>
      </Stack>
      <Modal
        opened={reviewing}
        onClose={() => setReviewing(false)}
        title={`Save the ${label.toLowerCase()} policy?`}
        size="lg"
      >
        <Stack>
          <PolicyDiff fields={fields} before={current.policy} after={draft} />
          <Text size="sm" c="dimmed">
            Saved as version {current.version + 1}; the change is audited with before and after.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setReviewing(false)}>
              Keep editing
            </Button>
            <Button loading={busy} onClick={save}>
              Save
            </Button>
          </Group>
        </Stack>
      </Modal>
    </form>
  );
}
