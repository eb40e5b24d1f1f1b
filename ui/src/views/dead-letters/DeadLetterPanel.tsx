import {
  Anchor,
  Badge,
  Button,
  Drawer,
  Group,
  JsonInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';

import {
  useDiscardDeadLetterMutation,
  useGetDeadLetterQuery,
  useRequeueDeadLetterMutation,
  type DeadLetterQueueRead,
} from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { CopyId } from '../../components/CopyId';
import { JsonBlock } from '../../components/JsonBlock';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { prettyJson, shortId } from '../../lib/format';
import { describeError, errorLine } from '../../lib/problems';

/** The corrected inputs as an object, or why they are not one. */
export function parseInputs(text: string): { value?: Record<string, unknown>; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `Not valid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { error: 'The inputs must be a JSON object' };
  return { value: value as Record<string, unknown> };
}

function Resolve({ entry }: { entry: DeadLetterQueueRead }) {
  const original = prettyJson(entry.inputs ?? {});
  const [inputs, setInputs] = useState(original);
  const [notes, setNotes] = useState('');
  const [inputsError, setInputsError] = useState<string | null>(null);
  const [notesError, setNotesError] = useState<string | null>(null);
  const [requeue, rq] = useRequeueDeadLetterMutation();
  const [discard, dc] = useDiscardDeadLetterMutation();
  useEffect(() => {
    setInputs(prettyJson(entry.inputs ?? {}));
  }, [entry.id, entry.inputs]);

  const onRequeue = async () => {
    setNotesError(null);
    const parsed = parseInputs(inputs);
    if (parsed.error) {
      setInputsError(parsed.error);
      return;
    }
    setInputsError(null);
    const changed = JSON.stringify(parsed.value) !== JSON.stringify(entry.inputs ?? {});
    try {
      await requeue({
        id: entry.id!,
        deadLetterRequeueRequest: {
          ...(changed ? { inputOverrides: parsed.value } : {}),
          ...(notes.trim() ? { notes: notes.trim() } : {}),
        },
      }).unwrap();
      notifications.show({
        color: 'green',
        message: `Requeued ${shortId(entry.id)}: a new run of ${entry.stepKey} is on its way`,
      });
    } catch (error) {
      const d = describeError(error);
      if (d.status === 400) setInputsError(d.detail || d.title);
      else notifications.show({ color: 'red', title: 'Could not requeue', message: errorLine(error), autoClose: 8000 });
    }
  };
  const onDiscard = async () => {
    setInputsError(null);
    if (!notes.trim()) {
      setNotesError('Say why it is discarded: notes are required to discard');
      return;
    }
    setNotesError(null);
    try {
      await discard({ id: entry.id!, deadLetterDiscardRequest: { notes: notes.trim() } }).unwrap();
      notifications.show({ color: 'green', message: `Discarded ${shortId(entry.id)}` });
    } catch (error) {
      const d = describeError(error);
      if (d.status === 400) setNotesError(d.detail || d.title);
      else notifications.show({ color: 'red', title: 'Could not discard', message: errorLine(error), autoClose: 8000 });
    }
  };
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Resolve
      </Title>
      <JsonInput
        validationError="Not valid JSON"
        label="Inputs to requeue with"
        description="Pre-filled with the inputs it ran with. Changed top-level keys are merged over the original inputs."
        value={inputs}
        onChange={(v) => {
          setInputs(v);
          setInputsError(null);
        }}
        error={inputsError}
        autosize
        minRows={4}
        maxRows={16}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
      />
      <Textarea
        label="Notes"
        description="Why: kept in the entry's audit trail (required to discard)."
        value={notes}
        onChange={(e) => {
          setNotes(e.currentTarget.value);
          setNotesError(null);
        }}
        error={notesError}
        autosize
        minRows={2}
      />
      <Group>
        <ActionButton operation="requeueDeadLetter" onClick={onRequeue} loading={rq.isLoading} size="sm">
          Requeue
        </ActionButton>
        <ActionButton
          operation="discardDeadLetter"
          onClick={onDiscard}
          loading={dc.isLoading}
          color="red"
          variant="light"
          size="sm"
        >
          Discard
        </ActionButton>
      </Group>
    </Stack>
  );
}

/** One dead letter: what failed, what it ran with, who did what about it. */
export function DeadLetterPanel({ id, onClose }: { id: string | undefined; onClose: () => void }) {
  const entry = useGetDeadLetterQuery({ id: id ?? '' }, { skip: !id });
  const e = entry.data;
  return (
    <Drawer
      opened={Boolean(id)}
      onClose={onClose}
      position="right"
      size="xl"
      title={<Text fw={700}>Dead letter {shortId(id)}</Text>}
    >
      {entry.error ? (
        <ProblemAlert error={entry.error} onRetry={() => entry.refetch()} />
      ) : !e ? (
        <Text c="dimmed">Loading…</Text>
      ) : (
        <Stack gap="sm">
          <Group gap="xs">
            <StatusBadge status={e.status} />
            <Badge variant="outline">{e.reason}</Badge>
            <Text size="sm">
              step <code>{e.stepKey}</code> after {e.attempts} attempt{e.attempts === 1 ? '' : 's'}
            </Text>
          </Group>
          <SimpleGrid cols={2} spacing="xs">
            <Text size="sm">
              Execution:{' '}
              <Anchor
                component={Link}
                to={`/executions/${e.executionId}?step=${encodeURIComponent(e.stepKey ?? '')}`}
                ff="monospace"
              >
                {shortId(e.executionId)}
              </Anchor>
            </Text>
            <Text size="sm">
              Quarantined: <Time value={e.createdAt} />
            </Text>
            <Text size="sm" component="div">
              Entry: <CopyId value={e.id!} label="Copy entry id" />
            </Text>
            <Text size="sm" ff="monospace">
              run {shortId(e.runId)}
            </Text>
          </SimpleGrid>
          <JsonBlock label="Error" value={e.error} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <JsonBlock label="Inputs it ran with" value={e.inputs} />
            <JsonBlock label="Config it ran with" value={e.config} />
          </SimpleGrid>
          {e.status === 'QUARANTINED' ? (
            <Resolve entry={e} />
          ) : (
            <Text size="sm">
              {e.status === 'REQUEUED' ? 'Requeued' : 'Discarded'} by <strong>{e.resolvedBy}</strong> at{' '}
              <Time value={e.resolvedAt} />
              {e.resolutionNotes ? `: “${e.resolutionNotes}”` : ''}
            </Text>
          )}
          <Title order={3} size="h5">
            Audit trail
          </Title>
          {e.audit?.length ? (
            <Table withTableBorder fz="xs" aria-label="Audit trail">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>By</Table.Th>
                  <Table.Th>Notes</Table.Th>
                  <Table.Th>Changes</Table.Th>
                  <Table.Th>New run</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {e.audit.map((a, i) => (
                  <Table.Tr key={i}>
                    <Table.Td>
                      <Time value={a.at} />
                    </Table.Td>
                    <Table.Td>{a.action}</Table.Td>
                    <Table.Td>{a.actor}</Table.Td>
                    <Table.Td>{a.notes ?? '—'}</Table.Td>
                    <Table.Td>
                      <code>{a.changes ? JSON.stringify(a.changes) : '—'}</code>
                    </Table.Td>
                    <Table.Td ff="monospace">{shortId(a.newRunId)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="sm" c="dimmed">
              Nobody has resolved it yet.
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
          </Group>
        </Stack>
      )}
    </Drawer>
  );
}
