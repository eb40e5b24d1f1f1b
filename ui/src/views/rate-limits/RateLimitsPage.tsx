import { Button, Group, Modal, NumberInput, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';

import {
  useCreateRateLimitMutation,
  useDeleteRateLimitMutation,
  useListRateLimitsQuery,
  useUpdateRateLimitMutation,
  type RateLimitRead,
} from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { Empty, Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useBackoffInterval } from '../../lib/polling';

/** Tokens as a person reads them: whole when whole, else one decimal. */
function tokens(value: number | undefined): string {
  if (value === undefined) return '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** Create a rate limit (editing: `limit` given, its key stays). */
function RateLimitForm({ limit, onClose }: { limit: RateLimitRead | null; onClose: () => void }) {
  const [key, setKey] = useState(limit?.key ?? '');
  const [perSecond, setPerSecond] = useState<number | string>(limit?.perSecond ?? 1);
  const [burst, setBurst] = useState<number | string>(limit?.burst ?? 1);
  const [create, created] = useCreateRateLimitMutation();
  const [update, updated] = useUpdateRateLimitMutation();
  const error = limit ? updated.error : created.error;
  const save = async () => {
    const settings = { perSecond: Number(perSecond), burst: Number(burst) };
    try {
      if (limit) await update({ id: limit.id!, rateLimitSettings: settings }).unwrap();
      else await create({ rateLimit: { key: key.trim(), ...settings } }).unwrap();
      notifications.show({ color: 'green', message: `Rate limit ${limit?.key ?? key.trim()} saved` });
      onClose();
    } catch {
      // shown below, at the form
    }
  };
  return (
    <Modal opened onClose={onClose} title={limit ? `Rate limit ${limit.key}` : 'New rate limit'}>
      <Stack>
        <TextInput
          label="Key"
          description="Steps name it with rateLimit"
          value={key}
          disabled={Boolean(limit)}
          maxLength={255}
          onChange={(e) => setKey(e.currentTarget.value)}
        />
        <NumberInput
          label="Runs per second"
          min={0.001}
          max={1000000}
          decimalScale={3}
          value={perSecond}
          onChange={setPerSecond}
        />
        <NumberInput label="Burst (tokens at most)" min={1} max={1000000} value={burst} onChange={setBurst} />
        {error ? <ProblemAlert error={error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Back
          </Button>
          <Button onClick={save} loading={created.isLoading || updated.isLoading} disabled={!limit && !key.trim()}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Ask before deleting: steps naming the key run unlimited afterwards. */
function ConfirmDelete({ limit, onClose }: { limit: RateLimitRead; onClose: () => void }) {
  const [remove, { isLoading, error }] = useDeleteRateLimitMutation();
  const confirm = async () => {
    try {
      await remove({ id: limit.id! }).unwrap();
      notifications.show({ color: 'green', message: `Rate limit ${limit.key} deleted` });
      onClose();
    } catch {
      // shown below
    }
  };
  return (
    <Modal opened onClose={onClose} title={`Delete rate limit ${limit.key}?`}>
      <Stack>
        <Text size="sm">
          Steps that name {limit.key} will be claimed without a limit, the runs it holds back at once.
        </Text>
        {error ? <ProblemAlert error={error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Back
          </Button>
          <Button color="red" onClick={confirm} loading={isLoading}>
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Every rate limit: its rate, burst and the tokens it holds now; create, edit, delete. */
export default function RateLimitsPage() {
  const [interval, setPolling] = useState(0);
  const list = useListRateLimitsQuery({ limit: 500 }, { pollingInterval: interval, skipPollingIfUnfocused: true });
  const next = useBackoffInterval(list.data ? JSON.stringify(list.data) : undefined, list.fulfilledTimeStamp, true);
  if (next !== interval) setPolling(next);
  const [editing, setEditing] = useState<RateLimitRead | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RateLimitRead | null>(null);
  const items = list.data?.items ?? [];
  const done = () => {
    setEditing(null);
    setDeleting(null);
    list.refetch();
  };
  return (
    <Page
      title="Rate limits"
      subtitle="Token buckets shared by every runner: runs of a step naming a key wait for a token, without using an attempt."
      actions={
        <ActionButton operation="createRateLimit" onClick={() => setEditing('new')}>
          New rate limit
        </ActionButton>
      }
    >
      {list.error ? (
        <ProblemAlert error={list.error} onRetry={() => list.refetch()} />
      ) : !list.data ? (
        <Text c="dimmed">Loading rate limits…</Text>
      ) : items.length === 0 ? (
        <Empty title="No rate limits yet">Create one, then name its key in a step's rateLimit.</Empty>
      ) : (
        <Table striped withTableBorder fz="sm" aria-label="Rate limits">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Key</Table.Th>
              <Table.Th>Per second</Table.Th>
              <Table.Th>Burst</Table.Th>
              <Table.Th>Tokens now</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id} data-rate-limit-key={r.key}>
                <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                  {r.key}
                </Table.Td>
                <Table.Td>{r.perSecond}</Table.Td>
                <Table.Td>{r.burst}</Table.Td>
                <Table.Td>{tokens(r.availableTokens)}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <ActionButton operation="updateRateLimit" variant="light" onClick={() => setEditing(r)}>
                      Edit
                    </ActionButton>
                    <ActionButton
                      operation="deleteRateLimit"
                      variant="default"
                      color="red"
                      onClick={() => setDeleting(r)}
                    >
                      Delete
                    </ActionButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {editing && <RateLimitForm limit={editing === 'new' ? null : editing} onClose={done} />}
      {deleting && <ConfirmDelete limit={deleting} onClose={done} />}
    </Page>
  );
}
