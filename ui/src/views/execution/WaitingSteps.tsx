import { Alert, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';

import { useSignalWorkflowExecutionMutation, type RunRead } from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { Time } from '../../components/Time';
import { describeError } from '../../lib/problems';

// the signal name the console offers a one-click Approve for (the convention)
const APPROVAL_SIGNAL = 'approved';

function signalOf(run: RunRead): string {
  const name = (run.config as { signal?: unknown } | undefined)?.signal;
  return typeof name === 'string' ? name : '';
}

function WaitingStep({ executionId, run }: { executionId: string; run: RunRead }) {
  const [send, { isLoading }] = useSignalWorkflowExecutionMutation();
  const [name, setName] = useState(signalOf(run));
  const [payload, setPayload] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (signalName: string, value: unknown) => {
    setError(null);
    try {
      await send({ id: executionId, signal: { name: signalName, payload: value } }).unwrap();
      notifications.show({ color: 'green', message: `Signal ${signalName} sent to ${run.stepKey}` });
    } catch (e) {
      const d = describeError(e);
      setError(d.detail || d.title);
    }
  };
  const sendTyped = () => {
    let value: unknown = null;
    if (payload.trim()) {
      try {
        value = JSON.parse(payload);
      } catch {
        setError('The payload is not valid JSON');
        return;
      }
    }
    return submit(name, value);
  };
  return (
    <Paper withBorder p="xs" data-testid={`waiting-${run.stepKey}`}>
      <Stack gap={6}>
        <Group gap="xs">
          <Text size="sm" ff="monospace">
            {run.stepKey}
          </Text>
          <Text size="sm">
            waits for signal <code>{signalOf(run) || '?'}</code> until <Time value={run.availableAt} />
          </Text>
          {signalOf(run) === APPROVAL_SIGNAL && (
            <ActionButton
              operation="signalWorkflowExecution"
              color="green"
              loading={isLoading}
              onClick={() => submit(APPROVAL_SIGNAL, { approved: true })}
            >
              Approve
            </ActionButton>
          )}
        </Group>
        <Group gap="xs" align="end">
          <TextInput size="xs" label="Signal" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Textarea
            size="xs"
            label="Payload (JSON)"
            autosize
            minRows={1}
            placeholder="null"
            value={payload}
            onChange={(e) => setPayload(e.currentTarget.value)}
          />
          <ActionButton
            operation="signalWorkflowExecution"
            variant="light"
            loading={isLoading}
            disabledReason={name ? null : 'Name the signal'}
            onClick={sendTyped}
          >
            Send signal
          </ActionButton>
        </Group>
        {error && (
          <Alert color="red" role="alert" title="Could not send the signal">
            {error}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

/** The execution's steps parked on a `wait` (runs WAITING), each with a Send signal form
 * and, for a signal named `approved`, an Approve button. */
export function WaitingSteps({ executionId, runs }: { executionId: string; runs: RunRead[] }) {
  const waiting = runs.filter((r) => r.status === 'WAITING');
  if (!waiting.length) return null;
  return (
    <div>
      <Title order={2} size="h4" mb="xs">
        Waiting for a signal
      </Title>
      <Stack gap="xs">
        {waiting.map((r) => (
          <WaitingStep key={r.id} executionId={executionId} run={r} />
        ))}
      </Stack>
    </div>
  );
}
