import {
  Anchor,
  Button,
  Checkbox,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import {
  useCountDeadLettersQuery,
  useListDeadLettersQuery,
  useListWorkflowsQuery,
  type DeadLetterReason,
  type DeadLetterStatus,
} from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { Empty, Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { shortId } from '../../lib/format';
import { useSelection } from '../../lib/selection';
import { param, useUrlState } from '../../lib/url';
import { BulkResolve, type BulkAction, type BulkTarget } from './BulkResolve';
import { DeadLetterPanel } from './DeadLetterPanel';

const REASONS: DeadLetterReason[] = ['permanent_error', 'attempts_exhausted', 'lease_expired'];
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return error ? JSON.stringify(error) : '—';
}

/** DLQBrowser: quarantined runs, filtered in the URL, resolved one by one or in bulk. */
export default function DeadLettersPage() {
  const { id: entryId } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useUrlState();
  // QUARANTINED unless the address says otherwise (`status=all` for every status)
  const statusParam = param(params, 'status') ?? 'QUARANTINED';
  const status = (statusParam === 'all' ? undefined : statusParam) as DeadLetterStatus | undefined;
  const workflowId = param(params, 'workflowId');
  const stepKey = param(params, 'stepKey');
  const reason = param(params, 'reason') as DeadLetterReason | undefined;
  const executionId = param(params, 'executionId');
  const cursor = param(params, 'cursor');
  const executionOk = !executionId || UUID.test(executionId);
  const filter = { workflowId, stepKey, reason, executionId: executionOk ? executionId : undefined };

  const list = useListDeadLettersQuery(
    { ...filter, status, cursor, limit: 50 },
    { pollingInterval: 10000, skipPollingIfUnfocused: true, skip: !executionOk },
  );
  const matching = useCountDeadLettersQuery(
    { ...filter, status: 'QUARANTINED' },
    { skip: !executionOk, pollingInterval: 10000, skipPollingIfUnfocused: true },
  );
  const workflows = useListWorkflowsQuery({ limit: 500 });
  const { selected, toggle, clear: clearSelection, setAll } = useSelection();
  const [bulk, setBulk] = useState<{ action: BulkAction; target: BulkTarget } | null>(null);

  const items = useMemo(() => list.data?.items ?? [], [list.data]);
  const open = items.filter((e) => e.status === 'QUARANTINED');
  const chosen = open.filter((e) => selected.has(e.id!));
  const search = params.toString();
  const setFilter = (patch: Record<string, string | null | undefined>) => {
    clearSelection();
    setParams({ ...patch, cursor: null });
  };
  const matchCount = matching.data?.count ?? 0;

  return (
    <Page
      title="Dead letters"
      subtitle="Runs that failed for good, quarantined until someone requeues them (with corrected inputs) or discards them with a note."
    >
      <Stack gap="xs">
        <SegmentedControl
          aria-label="Status"
          size="xs"
          value={statusParam}
          onChange={(v) => setFilter({ status: v === 'QUARANTINED' ? null : v })}
          data={[
            { value: 'QUARANTINED', label: `Quarantined${matching.data ? ` ${matchCount}` : ''}` },
            { value: 'REQUEUED', label: 'Requeued' },
            { value: 'DISCARDED', label: 'Discarded' },
            { value: 'all', label: 'All' },
          ]}
        />
        <Group gap="xs" align="flex-end">
          <Select
            label="Workflow"
            placeholder="Any workflow"
            clearable
            searchable
            data={(workflows.data?.items ?? []).map((w) => ({ value: w.id!, label: w.name }))}
            value={workflowId ?? null}
            onChange={(v) => setFilter({ workflowId: v })}
            size="xs"
            w={200}
          />
          <TextInput
            label="Step"
            placeholder="step key"
            value={stepKey ?? ''}
            onChange={(e) => setFilter({ stepKey: e.currentTarget.value })}
            size="xs"
            w={150}
          />
          <Select
            label="Reason"
            placeholder="Any reason"
            clearable
            data={REASONS}
            value={reason ?? null}
            onChange={(v) => setFilter({ reason: v })}
            size="xs"
            w={180}
          />
          <TextInput
            label="Execution id"
            placeholder="the whole id"
            value={executionId ?? ''}
            onChange={(e) => setFilter({ executionId: e.currentTarget.value.trim() })}
            error={executionOk ? undefined : 'a whole execution id (UUID)'}
            size="xs"
            w={300}
          />
          {(workflowId || stepKey || reason || executionId) && (
            <Button
              variant="subtle"
              size="xs"
              onClick={() => setFilter({ workflowId: null, stepKey: null, reason: null, executionId: null })}
            >
              Clear filters
            </Button>
          )}
        </Group>
      </Stack>

      <Group gap="xs" role="toolbar" aria-label="Bulk actions">
        {chosen.length > 0 ? (
          <>
            <Text size="sm">{chosen.length} selected</Text>
            <ActionButton
              operation="requeueDeadLetter"
              onClick={() => setBulk({ action: 'requeue', target: { kind: 'selected', items: chosen } })}
            >
              {`Requeue selected (${chosen.length})`}
            </ActionButton>
            <ActionButton
              operation="discardDeadLetter"
              color="red"
              variant="light"
              onClick={() => setBulk({ action: 'discard', target: { kind: 'selected', items: chosen } })}
            >
              {`Discard selected (${chosen.length})`}
            </ActionButton>
            <Button size="xs" variant="subtle" onClick={() => clearSelection()}>
              Clear selection
            </Button>
          </>
        ) : (
          <Text size="sm" c="dimmed">
            Select quarantined entries to resolve them together, or act on all {matchCount} that match the filter:
          </Text>
        )}
        <ActionButton
          operation="bulkRequeueDeadLetters"
          variant="default"
          disabledReason={matchCount === 0 ? 'No quarantined entry matches the filter' : null}
          onClick={() => setBulk({ action: 'requeue', target: { kind: 'filter', filter, count: matchCount } })}
        >
          {`Requeue all matching (${matchCount})`}
        </ActionButton>
        <ActionButton
          operation="bulkDiscardDeadLetters"
          variant="default"
          color="red"
          disabledReason={matchCount === 0 ? 'No quarantined entry matches the filter' : null}
          onClick={() => setBulk({ action: 'discard', target: { kind: 'filter', filter, count: matchCount } })}
        >
          {`Discard all matching (${matchCount})`}
        </ActionButton>
      </Group>

      {list.error ? (
        <ProblemAlert error={list.error} onRetry={() => list.refetch()} />
      ) : list.isLoading ? (
        <Text c="dimmed">Loading dead letters…</Text>
      ) : items.length === 0 ? (
        <Empty title={status === 'QUARANTINED' ? 'Nothing is quarantined' : 'No dead letters match'}>
          {status === 'QUARANTINED' && !workflowId && !stepKey && !reason && !executionId
            ? 'Every run that failed for good has been resolved. Pick “All” to see the history.'
            : 'Clear or change the filters above.'}
        </Empty>
      ) : (
        <Table striped highlightOnHover withTableBorder fz="sm" verticalSpacing={4} aria-label="Dead letters">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={32}>
                <Checkbox
                  aria-label="Select every quarantined entry on this page"
                  disabled={open.length === 0}
                  checked={chosen.length > 0 && chosen.length === open.length}
                  indeterminate={chosen.length > 0 && chosen.length < open.length}
                  onChange={(e) => (e.currentTarget.checked ? setAll(open.map((i) => i.id!)) : clearSelection())}
                />
              </Table.Th>
              <Table.Th>Entry</Table.Th>
              <Table.Th>Execution</Table.Th>
              <Table.Th>Step</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Quarantined</Table.Th>
              <Table.Th>Error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((e) => (
              <Table.Tr
                key={e.id}
                data-dead-letter-id={e.id}
                bg={e.id === entryId ? 'var(--mantine-color-default-hover)' : undefined}
              >
                <Table.Td>
                  <Checkbox
                    aria-label={`Select dead letter ${shortId(e.id)}`}
                    disabled={e.status !== 'QUARANTINED'}
                    checked={selected.has(e.id!)}
                    onChange={() => toggle(e.id!)}
                  />
                </Table.Td>
                <Table.Td>
                  <Anchor
                    component={Link}
                    to={`/dead-letters/${e.id}${search ? `?${search}` : ''}`}
                    ff="monospace"
                    title={e.id}
                  >
                    {shortId(e.id)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/executions/${e.executionId}`} ff="monospace">
                    {shortId(e.executionId)}
                  </Anchor>
                </Table.Td>
                <Table.Td ff="monospace">{e.stepKey}</Table.Td>
                <Table.Td>{e.reason}</Table.Td>
                <Table.Td>{e.attempts}</Table.Td>
                <Table.Td>
                  <StatusBadge status={e.status} />
                </Table.Td>
                <Table.Td>
                  <Time value={e.createdAt} />
                </Table.Td>
                <Table.Td maw={320}>
                  <Text size="xs" truncate title={errorMessage(e.error)}>
                    {errorMessage(e.error)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group justify="flex-end" gap="xs">
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

      <DeadLetterPanel id={entryId} onClose={() => navigate(`/dead-letters${search ? `?${search}` : ''}`)} />
      {bulk && (
        <BulkResolve
          action={bulk.action}
          target={bulk.target}
          onClose={() => {
            setBulk(null);
            clearSelection();
          }}
        />
      )}
    </Page>
  );
}
