import { Alert, Button, Group, JsonInput, Modal, NumberInput, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useNavigate } from 'react-router';

import { useStartExecutionMutation, type StartedExecution } from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { describeError } from '../../lib/problems';
import { parseInputs } from '../dead-letters/DeadLetterPanel';

/** "Start execution": inputs and an optional Idempotency-Key, then the new execution. */
export function StartExecution({ workflowId, name }: { workflowId: string; name: string }) {
  const [opened, setOpened] = useState(false);
  const [inputs, setInputs] = useState('{}');
  const [key, setKey] = useState('');
  // empty: the service's default priority
  const [priority, setPriority] = useState<number | ''>('');
  const [inputsError, setInputsError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [start, { isLoading }] = useStartExecutionMutation();
  const navigate = useNavigate();
  const submit = async () => {
    setFailure(null);
    const parsed = parseInputs(inputs);
    if (parsed.error) {
      setInputsError(parsed.error);
      return;
    }
    setInputsError(null);
    try {
      // the endpoint's transformResponse (api/index.ts) adds `duplicate`
      const execution = (await start({
        workflowExecution: {
          workflowId,
          inputs: parsed.value,
          ...(typeof priority === 'number' ? { priority } : {}),
        },
        ...(key.trim() ? { 'Idempotency-Key': key.trim() } : {}),
      }).unwrap()) as StartedExecution;
      notifications.show(
        execution.duplicate
          ? {
              color: 'blue',
              autoClose: 10000,
              message: key.trim()
                ? `An execution with this Idempotency-Key exists already: this is it (nothing new was started)`
                : `The same inputs started this execution before: this is it (give an Idempotency-Key to start another)`,
            }
          : { color: 'green', message: `Started an execution of ${name}` },
      );
      setOpened(false);
      navigate(`/executions/${execution.id}`);
    } catch (error) {
      const d = describeError(error);
      if (d.status === 400) setInputsError(d.detail || d.title);
      else setFailure(error);
    }
  };
  return (
    <>
      <ActionButton operation="createWorkflowExecution" size="sm" onClick={() => setOpened(true)}>
        Start execution
      </ActionButton>
      <Modal opened={opened} onClose={() => setOpened(false)} title={`Start an execution of ${name}`} size="lg">
        <Stack>
          <JsonInput
            validationError="Not valid JSON"
            label="Inputs"
            description="The execution's inputs, a JSON object: steps read them as ${inputs.…}."
            value={inputs}
            onChange={(v) => {
              setInputs(v);
              setInputsError(null);
            }}
            error={inputsError}
            autosize
            minRows={5}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          />
          <TextInput
            label="Idempotency-Key"
            description="Optional. Starting again with the same key opens the execution it started instead of a new one."
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
            maxLength={200}
          />
          <NumberInput
            label="Priority"
            description="Optional, 0–9: higher runs first. Empty: the default."
            value={priority}
            onChange={(v) => setPriority(typeof v === 'number' ? v : '')}
            min={0}
            max={9}
            step={1}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="strict"
          />
          {failure ? (
            <Alert color="red" role="alert" title={describeError(failure).title}>
              {describeError(failure).detail}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpened(false)}>
              Back
            </Button>
            <Button onClick={submit} loading={isLoading}>
              Start execution
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
