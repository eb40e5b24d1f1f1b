import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';

import {
  useCountWorkflowExecutionsQuery,
  useListWorkflowExecutionsQuery,
  useListWorkflowsQuery,
  type ExecutionStatus,
  type WorkflowExecutionRead,
} from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { eachWithOutcome, Outcomes, type Outcome } from '../../components/Outcomes';
import { Empty, Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { between, formatDuration, shortId } from '../../lib/format';
import { useBackoffInterval } from '../../lib/polling';
import { errorLine } from '../../lib/problems';
import { useSelection } from '../../lib/selection';
import { param, useUrlState } from '../../lib/url';
import { CONTROL, controlsFor, waitsForSlot, whyNot, type Control } from './control';
import { useControl } from './useControl';

const STATUSES: ExecutionStatus[] = ['PENDING', 'RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'];
const PAGE_SIZE = 50;

/** `datetime-local` wants local wall time without a zone. */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function runningFor(e: WorkflowExecutionRead): string {
  if (!e.startedAt) return '—';
  return formatDuration(between(e.startedAt, e.finishedAt ?? new Date().toISOString()));
}

// what the list shows always has an id (the spec marks it readOnly, not required)
type Execution = WorkflowExecutionRead & { id: string; workflowId: string };

interface Pending {
  control: Control;
  items: Execution[];
}

/** WorkflowExecutionMonitor: every execution, newest first, filtered in the URL. */
export function ExecutionsPage() {
  const [params, setParams] = useUrlState();
  const status = param(params, 'status') as ExecutionStatus | undefined;
  const workflowId = param(params, 'workflowId');
  const createdAfter = param(params, 'from');
  const createdBefore = param(params, 'to');
  const idPrefix = param(params, 'id');
  const cursor = param(params, 'cursor');
  const autoRefresh = params.get('refresh') !== 'off';

  const [interval, setPolling] = useState(0);
  const filters = { workflowId, createdAfter, createdBefore, idPrefix: idPrefix?.trim() || undefined };
  const list = useListWorkflowExecutionsQuery(
    { ...filters, status, cursor, limit: PAGE_SIZE },
    { pollingInterval: interval, skipPollingIfUnfocused: true },
  );
  const counts = useCountWorkflowExecutionsQuery(filters, { pollingInterval: interval, skipPollingIfUnfocused: true });
  const workflows = useListWorkflowsQuery({ limit: 500 });
  const fingerprint = list.data && counts.data ? JSON.stringify([list.data, counts.data]) : undefined;
  const next = useBackoffInterval(fingerprint, list.fulfilledTimeStamp, autoRefresh);
  if (next !== interval) setPolling(next);

  const names = useMemo(() => new Map((workflows.data?.items ?? []).map((w) => [w.id!, w.name])), [workflows.data]);
  const { selected, toggle, clear: clearSelection, setAll } = useSelection();
  const [pending, setPending] = useState<Pending | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [working, setWorking] = useState(false);
  const [control] = useControl();

  const items = (list.data?.items ?? []) as Execution[];
  const chosen = items.filter((e) => selected.has(e.id));
  const setFilter = (patch: Record<string, string | undefined | null>) => {
    clearSelection();
    setParams({ ...patch, cursor: null });
  };

  const act = async (c: Control, e: Execution) => {
    try {
      await control(c, e.id);
      notifications.show({ color: 'green', message: `Execution ${shortId(e.id)} ${CONTROL[c].past}` });
    } catch (error) {
      notifications.show({
        color: 'red',
        title: `Could not ${c} ${shortId(e.id)}`,
        message: errorLine(error),
        autoClose: 8000,
      });
    }
  };
  const runBulk = async () => {
    if (!pending) return;
    setWorking(true);
    const done = await eachWithOutcome(
      pending.items,
      (e) => ({ id: e.id, label: shortId(e.id) }),
      async (e) => `now ${(await control(pending.control, e.id)).status?.toLowerCase()}`,
      errorLine,
    );
    setWorking(false);
    setOutcomes(done);
    clearSelection();
  };
  const closeBulk = () => {
    setPending(null);
    setOutcomes(null);
  };

  const total = counts.data?.total;
  const statusOptions = [
    { value: '', label: `All${total !== undefined ? ` ${total}` : ''}` },
    ...STATUSES.map((s) => ({
      value: s,
      label: `${s[0]}${s.slice(1).toLowerCase()}${counts.data ? ` ${counts.data.counts[s]}` : ''}`,
    })),
  ];

  return (
    <Page
      title="Executions"
      subtitle="Every execution, newest first. Filters live in the address: share it to share the view."
      actions={
        <Group gap="xs">
          <Switch
            label="Auto-refresh"
            checked={autoRefresh}
            onChange={(e) => setParams({ refresh: e.currentTarget.checked ? null : 'off' })}
          />
          <Text size="xs" c="dimmed" aria-live="polite" data-testid="refresh-state">
            {autoRefresh ? `every ${Math.round((interval || 2000) / 1000)} s` : 'off'}
          </Text>
          <Button
            variant="default"
            size="xs"
            onClick={() => {
              list.refetch();
              counts.refetch();
            }}
          >
            Refresh
          </Button>
        </Group>
      }
    >
      <Stack gap="xs">
        <SegmentedControl
          aria-label="Status"
          data={statusOptions}
          value={status ?? ''}
          onChange={(v) => setFilter({ status: v || null })}
          size="xs"
          fullWidth
        />
        <Group gap="xs" align="flex-end" wrap="wrap">
          <Select
            label="Workflow"
            placeholder="Any workflow"
            clearable
            searchable
            data={(workflows.data?.items ?? []).map((w) => ({ value: w.id!, label: w.name }))}
            value={workflowId ?? null}
            onChange={(v) => setFilter({ workflowId: v === null ? null : String(v) })}
            size="xs"
            w={220}
          />
          <TextInput
            label="Created from"
            type="datetime-local"
            value={toLocalInput(createdAfter)}
            onChange={(e) => setFilter({ from: fromLocalInput(e.currentTarget.value) })}
            size="xs"
          />
          <TextInput
            label="Created before"
            type="datetime-local"
            value={toLocalInput(createdBefore)}
            onChange={(e) => setFilter({ to: fromLocalInput(e.currentTarget.value) })}
            size="xs"
          />
          <TextInput
            label="Execution id"
            placeholder="id or its first characters"
            value={idPrefix ?? ''}
            onChange={(e) => setFilter({ id: e.currentTarget.value.trim() })}
            error={idPrefix && !/^[0-9a-fA-F-]{1,36}$/.test(idPrefix) ? 'hexadecimal digits and dashes' : undefined}
            size="xs"
            w={240}
          />
          {(status || workflowId || createdAfter || createdBefore || idPrefix) && (
            <Button
              variant="subtle"
              size="xs"
              onClick={() => setFilter({ status: null, workflowId: null, from: null, to: null, id: null })}
            >
              Clear filters
            </Button>
          )}
        </Group>
      </Stack>

      {chosen.length > 0 && (
        <Group gap="xs" role="toolbar" aria-label="Selected executions">
          <Text size="sm">{chosen.length} selected</Text>
          {(['pause', 'resume', 'cancel'] as Control[]).map((c) => (
            <ActionButton
              key={c}
              operation={CONTROL[c].operation}
              color={CONTROL[c].color}
              variant="light"
              onClick={() => setPending({ control: c, items: chosen })}
            >
              {`${CONTROL[c].verb} selected (${chosen.length})`}
            </ActionButton>
          ))}
          <Button size="xs" variant="subtle" onClick={() => clearSelection()}>
            Clear selection
          </Button>
        </Group>
      )}

      {list.error ? (
        <ProblemAlert error={list.error} onRetry={() => list.refetch()} />
      ) : list.isLoading ? (
        <Text c="dimmed">Loading executions…</Text>
      ) : items.length === 0 ? (
        <Empty title={cursor ? 'No more executions' : 'No executions match'}>
          {status || workflowId || createdAfter || createdBefore || idPrefix ? (
            <>Clear or widen the filters above.</>
          ) : (
            <>
              Start one from{' '}
              <Anchor component={Link} to="/workflows">
                Workflows
              </Anchor>{' '}
              (pick a workflow, then “Start execution”), or submit one with POST /v1/WorkflowExecution.
            </>
          )}
        </Empty>
      ) : (
        <Table striped highlightOnHover withTableBorder verticalSpacing={4} fz="sm" aria-label="Executions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={32}>
                <Checkbox
                  aria-label="Select all executions on this page"
                  checked={chosen.length > 0 && chosen.length === items.length}
                  indeterminate={chosen.length > 0 && chosen.length < items.length}
                  onChange={(e) => (e.currentTarget.checked ? setAll(items.map((i) => i.id)) : clearSelection())}
                />
              </Table.Th>
              <Table.Th>Execution</Table.Th>
              <Table.Th>Workflow</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Finished</Table.Th>
              <Table.Th>Duration</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((e) => (
              <Table.Tr key={e.id} data-execution-id={e.id}>
                <Table.Td>
                  <Checkbox
                    aria-label={`Select execution ${shortId(e.id)}`}
                    checked={selected.has(e.id)}
                    onChange={() => toggle(e.id)}
                  />
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/executions/${e.id}`} ff="monospace" title={e.id}>
                    {shortId(e.id)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/workflows/${e.workflowId}`} size="sm">
                    {names.get(e.workflowId) ?? shortId(e.workflowId)}
                  </Anchor>{' '}
                  <Badge variant="default" size="xs">
                    v{e.workflowVersion}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={e.status} />
                  {waitsForSlot(e) ? (
                    <Text size="xs" c="dimmed" title={`concurrency key ${e.concurrencyKey}`}>
                      waiting for a slot
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Time value={e.createdAt} />
                </Table.Td>
                <Table.Td>
                  <Time value={e.finishedAt} />
                </Table.Td>
                <Table.Td>{runningFor(e)}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {controlsFor(e.status).map((c) => (
                      <ActionButton
                        key={c}
                        operation={CONTROL[c].operation}
                        color={CONTROL[c].color}
                        variant="light"
                        disabledReason={whyNot(c, e.status)}
                        onClick={() => (c === 'cancel' ? setPending({ control: c, items: [e] }) : act(c, e))}
                      >
                        {CONTROL[c].verb}
                      </ActionButton>
                    ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {items.length ? `${items.length} shown` : ''}
        </Text>
        <Group gap="xs">
          {cursor && (
            <Button size="xs" variant="default" onClick={() => setParams({ cursor: null }, true)}>
              Newest
            </Button>
          )}
          {list.data?.nextCursor && (
            <Button size="xs" variant="default" onClick={() => setParams({ cursor: list.data!.nextCursor }, true)}>
              Older
            </Button>
          )}
        </Group>
      </Group>

      <Modal
        opened={pending !== null}
        onClose={closeBulk}
        title={
          pending
            ? `${CONTROL[pending.control].verb} ${pending.items.length} execution${pending.items.length > 1 ? 's' : ''}?`
            : ''
        }
        size="lg"
      >
        {pending && !outcomes && (
          <Stack>
            <Text size="sm">
              {pending.control === 'cancel'
                ? 'Pending runs are cancelled and running ones are told to stop; the executions end CANCELLED. This cannot be undone.'
                : pending.control === 'pause'
                  ? 'No new run of these executions is dispatched until they are resumed; runs in flight finish.'
                  : 'Dispatch continues where it stopped.'}
            </Text>
            <Text size="sm" ff="monospace">
              {pending.items.map((e) => shortId(e.id)).join(', ')}
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={closeBulk}>
                Back
              </Button>
              <Button color={CONTROL[pending.control].color} loading={working} onClick={runBulk}>
                {`${CONTROL[pending.control].verb} ${pending.items.length === 1 ? 'execution' : `${pending.items.length} executions`}`}
              </Button>
            </Group>
          </Stack>
        )}
        {outcomes && (
          <Stack>
            <Outcomes outcomes={outcomes} caption={`${CONTROL[pending!.control].verb}`} />
            <Group justify="flex-end">
              <Button onClick={closeBulk}>Close</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Page>
  );
}
