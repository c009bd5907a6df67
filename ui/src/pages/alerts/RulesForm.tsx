import {
  Button,
  Group,
  NativeSelect,
  NumberInput,
  Stack,
  Switch,
  Table,
  Text,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api.ts';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import {
  type AlertPolicy,
  type AlertRule,
  type AlertRules,
  alertsApi,
  type Severity,
} from './api.ts';
import { severityChoices } from './Badges.tsx';

/** A rule as the form edits it. */
type Draft = Pick<AlertRule, 'enabled' | 'severity' | 'thresholds'>;

/** "windowMinutes" → "window minutes": a threshold's name in words. */
export const thresholdLabel = (name: string) =>
  name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/**
 * What the policy stores for a rule: only what differs from its defaults (so that a default
 * Vigil improves later still applies), and its state once it was ever set.
 */
function entryOf(rule: AlertRule, draft: Draft, stored: AlertPolicy['rules'][string] | undefined) {
  const entry: AlertPolicy['rules'][string] = {};
  if (!draft.enabled || stored?.enabled !== undefined) entry.enabled = draft.enabled;
  if (draft.severity !== rule.defaultSeverity) entry.severity = draft.severity;
  const thresholds = Object.fromEntries(
    Object.entries(draft.thresholds).filter(([k, v]) => rule.defaultThresholds[k] !== v),
  );
  if (Object.keys(thresholds).length > 0) entry.thresholds = thresholds;
  return entry;
}

/** The rules' form for a holder of `alerts.manage`, saved as one new version of the policy. */
export function RulesForm({
  orgId,
  rules,
  stored,
  onSaved,
  onStale,
}: {
  orgId: string;
  rules: AlertRules;
  stored: { version: number; policy: AlertPolicy; etag: string };
  onSaved: (version: number) => Promise<void>;
  onStale: () => Promise<void>;
}) {
  const initial = () =>
    Object.fromEntries(
      rules.rules.map((r) => [
        r.key,
        { enabled: r.enabled, severity: r.severity, thresholds: r.thresholds },
      ]),
    ) as Record<string, Draft>;
  const [drafts, setDrafts] = useState(initial);
  const [emailMin, setEmailMin] = useState<Severity>(rules.emailMinSeverity);
  const { busy, refusal, send } = useSending();
  const change = (key: string, patch: Partial<Draft>) =>
    setDrafts((d) => ({ ...d, [key]: { ...(d[key] as Draft), ...patch } }));

  function save(event: FormEvent) {
    event.preventDefault();
    const next: AlertPolicy = { rules: {}, emailMinSeverity: emailMin };
    for (const rule of rules.rules) {
      const entry = entryOf(rule, drafts[rule.key] as Draft, stored.policy.rules[rule.key]);
      if (Object.keys(entry).length > 0) next.rules[rule.key] = entry;
    }
    void send(async () => {
      try {
        const saved = await alertsApi.savePolicy(orgId, next, stored.etag);
        await onSaved(saved.version);
      } catch (err) {
        if (err instanceof ApiError && err.problem.status === 412) return await onStale();
        throw err;
      }
    });
  }

  return (
    <form onSubmit={save} aria-label="Alert rules">
      <Stack>
        <RefusalAlert refusal={refusal} title="Not saved" />
        <NativeSelect
          label="Mail alerts to the administrators from severity"
          description="Alerts below it are only in the inbox (and in webhooks that ask for them)"
          data={severityChoices}
          value={emailMin}
          onChange={(e) => setEmailMin(e.currentTarget.value as Severity)}
          error={fieldError(refusal, 'emailMinSeverity')}
          maw={420}
        />
        <Table aria-label="Alert rules" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Rule</Table.Th>
              <Table.Th>On</Table.Th>
              <Table.Th>Severity</Table.Th>
              <Table.Th>Thresholds</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rules.rules.map((rule) => {
              const draft = drafts[rule.key] as Draft;
              return (
                <Table.Tr key={rule.key}>
                  <Table.Td maw={420}>
                    <Text fw={600}>{rule.name}</Text>
                    <Text size="sm" c="dimmed">
                      {rule.description}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      aria-label={`${rule.name}: on`}
                      checked={draft.enabled}
                      onChange={(e) => change(rule.key, { enabled: e.currentTarget.checked })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <NativeSelect
                      aria-label={`${rule.name}: severity`}
                      data={severityChoices}
                      value={draft.severity}
                      onChange={(e) =>
                        change(rule.key, { severity: e.currentTarget.value as Severity })
                      }
                    />
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={4}>
                      {Object.entries(draft.thresholds).map(([name, value]) => (
                        <NumberInput
                          key={name}
                          label={thresholdLabel(name)}
                          aria-label={`${rule.name}: ${thresholdLabel(name)}`}
                          description={`Default ${rule.defaultThresholds[name] ?? '—'}`}
                          allowDecimal={false}
                          min={0}
                          size="xs"
                          value={value}
                          onChange={(next) =>
                            change(rule.key, {
                              thresholds: { ...draft.thresholds, [name]: Number(next) },
                            })
                          }
                          error={fieldError(refusal, `rules.${rule.key}.thresholds.${name}`)}
                        />
                      ))}
                      {Object.keys(draft.thresholds).length === 0 && <Text c="dimmed">—</Text>}
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        <Group>
          <Button type="submit" loading={busy}>
            Save as version {stored.version + 1}
          </Button>
          <Button
            variant="default"
            onClick={() => {
              setDrafts(initial());
              setEmailMin(rules.emailMinSeverity);
            }}
          >
            Discard changes
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
