import { Checkbox, NumberInput, Select, Textarea, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { Field } from './fields.ts';

/** The input of one setting, labelled, with the API's message for it when it was refused. */
export function SettingInput({
  field,
  value,
  error,
  onChange,
}: {
  field: Field;
  value: unknown;
  error: string | undefined;
  onChange: (value: unknown) => void;
}) {
  switch (field.type) {
    case 'boolean':
      return (
        <Checkbox
          label={field.label}
          description={field.description}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          error={error}
        />
      );
    case 'choice':
      return (
        <Select
          label={field.label}
          description={field.description}
          data={field.choices}
          placeholder={field.whenEmpty}
          clearable={field.whenEmpty !== undefined}
          required={field.whenEmpty === undefined}
          value={typeof value === 'string' ? value : null}
          onChange={(next) => onChange(next)}
          error={error}
        />
      );
    case 'text':
      return (
        <TextInput
          label={field.label}
          description={field.description}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value || (field.whenEmpty ? null : ''))}
          error={error}
        />
      );
    case 'words':
      return <WordsInput field={field} value={value} error={error} onChange={onChange} />;
    case 'number':
      return (
        <NumberInput
          label={field.label}
          description={
            field.whenEmpty
              ? [field.description, `Empty: ${field.whenEmpty}`].filter(Boolean).join('. ')
              : field.description
          }
          required={!field.whenEmpty}
          allowDecimal={false}
          value={typeof value === 'number' ? value : ''}
          onChange={(next) =>
            onChange(next === '' ? (field.whenEmpty ? null : next) : Number(next))
          }
          error={error}
        />
      );
  }
}

const wordsIn = (text: string) =>
  text
    .split('\n')
    .map((w) => w.trim())
    .filter(Boolean);

/**
 * A list of words, one a line. The text is kept as typed (an empty line while one is being
 * added); it follows the value only when that changes from outside (a preset picked).
 */
function WordsInput({
  field,
  value,
  error,
  onChange,
}: {
  field: Field;
  value: unknown;
  error: string | undefined;
  onChange: (value: string[]) => void;
}) {
  const joined = Array.isArray(value) ? value.join('\n') : '';
  const [text, setText] = useState(joined);
  useEffect(() => {
    setText((typed) => (wordsIn(typed).join('\n') === joined ? typed : joined));
  }, [joined]);
  return (
    <Textarea
      label={field.label}
      description={field.description}
      autosize
      minRows={2}
      value={text}
      onChange={(e) => {
        setText(e.currentTarget.value);
        onChange(wordsIn(e.currentTarget.value));
      }}
      error={error}
    />
  );
}
