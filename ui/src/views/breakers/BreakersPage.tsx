import { Button, Group, Modal, NumberInput, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';

import {
  useListCircuitBreakersQuery,
  useResetCircuitBreakerMutation,
  useUpdateCircuitBreakerMutation,
  type BreakerState,
  type CircuitBreakerStateRead,
} from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { Empty, Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { useBackoffInterval } from '../../lib/polling';
import { describeError, errorLine } from '../../lib/problems';
import { param, useUrlState } from '../../lib/url';

function resetAt(b: CircuitBreakerStateRead): string | null {
  if (b.state !== 'OPEN' || !b.openedAt) return null;
  return new Date(new Date(b.openedAt).getTime() + (b.resetTimeoutSeconds ?? 0) * 1000).toISOString();
}

function Thresholds({ breaker, onClose }: { breaker: CircuitBreakerStateRead; onClose: () => void }) {
  const [failureThreshold, setFailures] = useState<number | string>(breaker.failureThreshold ?? 5);
  const [resetTimeoutSeconds, setTimeout] = useState<number | string>(breaker.resetTimeoutSeconds ?? 30);
  const [halfOpenMaxCalls, setTrials] = useState<number | string>(breaker.halfOpenMaxCalls ?? 1);
  const [update, { isLoading, error }] = useUpdateCircuitBreakerMutation();
  const save = async () => {
    try {
      await update({
        id: breaker.id!,
        circuitBreakerThresholds: {
          failureThreshold: Number(failureThreshold),
          resetTimeoutSeconds: Number(resetTimeoutSeconds),
          halfOpenMaxCalls: Number(halfOpenMaxCalls),
        },
      }).unwrap();
      notifications.show({ color: 'green', message: `Thresholds of ${breaker.key} saved` });
      onClose();
    } catch {
      // shown below, at the form
    }
  };
  return (
    <Modal opened onClose={onClose} title={`Thresholds of ${breaker.key}`}>
      <Stack>
        <NumberInput
          label="Failures before it opens"
          min={1}
          max={1000000}
          value={failureThreshold}
          onChange={setFailures}
        />
        <NumberInput
          label="Seconds open before a trial call"
          min={0.1}
          max={86400}
          decimalScale={3}
          value={resetTimeoutSeconds}
          onChange={setTimeout}
        />
        <NumberInput
          label="Trial calls while half-open"
          min={1}
          max={1000}
          value={halfOpenMaxCalls}
          onChange={setTrials}
        />
        {error ? <ProblemAlert error={error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Back
          </Button>
          <Button onClick={save} loading={isLoading}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Every circuit breaker: its state, why it opened, when it tries again. */
export default function BreakersPage() {
  const [params, setParams] = useUrlState();
  const state = param(params, 'state') as BreakerState | undefined;
  const key = param(params, 'key');
  const [interval, setPolling] = useState(0);
  const list = useListCircuitBreakersQuery(
    { state, key, limit: 500 },
    { pollingInterval: interval, skipPollingIfUnfocused: true },
  );
  const next = useBackoffInterval(list.data ? JSON.stringify(list.data) : undefined, list.fulfilledTimeStamp, true);
  if (next !== interval) setPolling(next);
  const [reset] = useResetCircuitBreakerMutation();
  const [editing, setEditing] = useState<CircuitBreakerStateRead | null>(null);
  const items = list.data?.items ?? [];
  const doReset = async (b: CircuitBreakerStateRead) => {
    try {
      await reset({ id: b.id! }).unwrap();
      notifications.show({ color: 'green', message: `${b.key} is closed again: the runs it held are ready` });
    } catch (error) {
      notifications.show({
        color: 'red',
        title: `Could not reset ${b.key}`,
        message: errorLine(error),
        autoClose: 8000,
      });
    }
  };
  return (
    <Page
      title="Circuit breakers"
      subtitle="One per dependency, shared by every runner. While open, runs behind it wait without burning attempts."
    >
      <Group gap="xs" align="flex-end">
        <SegmentedControl
          aria-label="State"
          size="xs"
          value={state ?? ''}
          onChange={(v) => setParams({ state: v || null })}
          data={[
            { value: '', label: 'All' },
            { value: 'OPEN', label: 'Open' },
            { value: 'HALF_OPEN', label: 'Half open' },
            { value: 'CLOSED', label: 'Closed' },
          ]}
        />
        <TextInput
          label="Key"
          placeholder="dependency key"
          size="xs"
          value={key ?? ''}
          onChange={(e) => setParams({ key: e.currentTarget.value })}
        />
      </Group>
      {list.error ? (
        <ProblemAlert error={list.error} onRetry={() => list.refetch()} />
      ) : !list.data ? (
        <Text c="dimmed">Loading breakers…</Text>
      ) : items.length === 0 ? (
        <Empty title={state || key ? 'No breaker matches' : 'No circuit breakers yet'}>
          {state || key
            ? 'Clear the filters above.'
            : 'A breaker appears the first time a step with a circuitBreaker key (or an http step) runs.'}
        </Empty>
      ) : (
        <Table striped withTableBorder fz="sm" aria-label="Circuit breakers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Key</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Failures</Table.Th>
              <Table.Th>Last error</Table.Th>
              <Table.Th>Last failure</Table.Th>
              <Table.Th>Opened</Table.Th>
              <Table.Th>Tries again at</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((b) => (
              <Table.Tr key={b.id} data-breaker-key={b.key}>
                <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                  {b.key}
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={b.state} />
                </Table.Td>
                <Table.Td>
                  {b.failureCount} / {b.failureThreshold}
                </Table.Td>
                <Table.Td maw={240}>
                  <Text size="xs" truncate title={b.lastError ?? ''}>
                    {b.lastError ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Time value={b.lastFailureAt} />
                </Table.Td>
                <Table.Td>
                  <Time value={b.openedAt} />
                </Table.Td>
                <Table.Td>
                  <Time value={resetAt(b)} />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <ActionButton
                      operation="resetCircuitBreaker"
                      variant="light"
                      disabledReason={
                        b.state === 'CLOSED' && !b.failureCount ? 'Closed, with no failures counted' : null
                      }
                      onClick={() => doReset(b)}
                    >
                      Reset
                    </ActionButton>
                    <ActionButton operation="updateCircuitBreaker" variant="default" onClick={() => setEditing(b)}>
                      Edit thresholds
                    </ActionButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {editing && <Thresholds breaker={editing} onClose={() => setEditing(null)} />}
      {list.error && describeError(list.error).status === 403 ? null : null}
    </Page>
  );
}
