import { Alert, Badge, Grid, Group, JsonInput, List, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';

import { useCreateWorkflowMutation, useUpdateWorkflowMutation, type Workflow, type WorkflowRead } from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { DagView } from '../../components/DagView';
import { describeError, type FieldError } from '../../lib/problems';
import { parseDefinition } from '../../lib/steps';
import { definitionText } from './VersionHistory';

export const NEW_WORKFLOW = `{
  "name": "my-workflow",
  "description": "What it does",
  "steps": [
    {"key": "fetch", "module": "noop", "inputs": {"amount": "\${inputs.amount}"}},
    {"key": "report", "module": "noop", "dependsOn": ["fetch"],
     "inputs": {"amount": "\${steps.fetch.output.amount}"}}
  ]
}`;

/** The definition as JSON beside a live DAG of it; Save stores a new version. */
export function Editor({ workflow }: { workflow?: WorkflowRead }) {
  const [text, setText] = useState(() => (workflow ? definitionText(workflow) : NEW_WORKFLOW));
  const [debounced] = useDebouncedValue(text, 250);
  const parsed = useMemo(() => parseDefinition(debounced), [debounced]);
  const [serverErrors, setServerErrors] = useState<{ title: string; detail: string; errors: FieldError[] } | null>(
    null,
  );
  const [create, c] = useCreateWorkflowMutation();
  const [update, u] = useUpdateWorkflowMutation();
  const navigate = useNavigate();
  const dirty = workflow ? text !== definitionText(workflow) : true;

  const problemsByStep = useMemo(() => {
    const out: Record<string, string[]> = { ...parsed.problems };
    for (const e of serverErrors?.errors ?? []) if (e.step) (out[e.step] ??= []).push(e.message);
    return out;
  }, [parsed.problems, serverErrors]);

  const save = async () => {
    setServerErrors(null);
    const now = parseDefinition(text);
    if (now.parseError || !now.value) {
      setServerErrors({ title: 'Not valid JSON', detail: now.parseError ?? '', errors: [] });
      return;
    }
    try {
      const body = now.value as unknown as Workflow;
      if (workflow) {
        const saved = await update({ id: workflow.id!, workflow: body }).unwrap();
        notifications.show({ color: 'green', message: `Saved ${saved.name} as version ${saved.version}` });
      } else {
        const saved = await create({ workflow: body }).unwrap();
        notifications.show({ color: 'green', message: `Created ${saved.name}` });
        navigate(`/workflows/${saved.id}`);
      }
    } catch (error) {
      const d = describeError(error);
      setServerErrors({ title: d.title, detail: d.detail, errors: d.errors });
    }
  };

  const whole = problemsByStep[''] ?? [];
  const stepProblems = Object.entries(problemsByStep).filter(([k]) => k !== '');
  return (
    <Stack gap="xs">
      {serverErrors && (
        <Alert
          color="red"
          role="alert"
          title={serverErrors.title}
          withCloseButton
          onClose={() => setServerErrors(null)}
        >
          {serverErrors.detail}
          {serverErrors.errors.length > 0 && (
            <List size="sm" mt={4}>
              {serverErrors.errors.map((e, i) => (
                <List.Item key={i}>
                  {e.step ? <strong>step {e.step}</strong> : null}
                  {e.field ? ` (${e.field})` : ''}
                  {e.step || e.field ? ': ' : ''}
                  {e.message}
                </List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <JsonInput
            validationError="Not valid JSON"
            label="Definition"
            description="name, description, concurrency ({key, limit}) and steps (key, module, config, inputs, dependsOn, retry, timeoutSeconds, circuitBreaker)"
            value={text}
            onChange={(v) => {
              setText(v);
              setServerErrors(null);
            }}
            error={parsed.parseError ? `Not valid JSON yet: ${parsed.parseError}` : undefined}
            autosize
            minRows={18}
            maxRows={36}
            spellCheck={false}
            wrap="off"
            styles={{
              input: {
                fontFamily: 'var(--mantine-font-family-monospace)',
                fontSize: 12,
                lineHeight: 1.45,
                whiteSpace: 'pre',
                overflowX: 'auto',
              },
            }}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Text size="sm" fw={500} mb={4}>
            Preview
          </Text>
          {parsed.steps.length ? (
            <DagView
              label="Preview of the steps"
              steps={parsed.steps.map((s) => ({ ...s, problems: problemsByStep[s.key] }))}
            />
          ) : (
            <Text size="sm" c="dimmed">
              The steps appear here as you type.
            </Text>
          )}
          {(whole.length > 0 || stepProblems.length > 0) && (
            <List size="xs" mt="xs" c="red" aria-label="Problems">
              {whole.map((m, i) => (
                <List.Item key={`w${i}`}>{m}</List.Item>
              ))}
              {stepProblems.flatMap(([k, ms]) =>
                ms.map((m, i) => (
                  <List.Item key={`${k}${i}`}>
                    <strong>{k}</strong>: {m}
                  </List.Item>
                )),
              )}
            </List>
          )}
        </Grid.Col>
      </Grid>
      <Group>
        <ActionButton
          operation={workflow ? 'updateWorkflow' : 'createWorkflow'}
          size="sm"
          onClick={save}
          loading={c.isLoading || u.isLoading}
          disabledReason={
            !dirty ? 'Nothing changed since the last save' : parsed.parseError ? 'Fix the JSON first' : null
          }
        >
          Save
        </ActionButton>
        {workflow && (
          <Badge variant="default">
            editing version {workflow.version}: saving stores version {(workflow.version ?? 0) + 1}
          </Badge>
        )}
      </Group>
    </Stack>
  );
}
