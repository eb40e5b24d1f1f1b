import { Alert, Anchor, Badge, Button, Grid, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';

import {
  useCountDeadLettersQuery,
  useGetWorkflowExecutionGraphQuery,
  useGetWorkflowExecutionQuery,
  useListRunsQuery,
  type RunRead,
} from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { CopyId } from '../../components/CopyId';
import { DagView } from '../../components/DagView';
import { JsonBlock } from '../../components/JsonBlock';
import { Empty, Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { between, formatDuration, shortId } from '../../lib/format';
import { useBackoffInterval } from '../../lib/polling';
import { describeError } from '../../lib/problems';
import { param, useUrlState } from '../../lib/url';
import { CONTROL, isFinished, waitsForSlot, whyNot, type Control } from '../executions/control';
import { useControl } from '../executions/useControl';
import { Timeline } from './Timeline';
import { WaitingSteps } from './WaitingSteps';

const RUN_PAGE = 500;

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

function RunsTable({ runs }: { runs: RunRead[] }) {
  return (
    <Table striped withTableBorder fz="xs" verticalSpacing={3} aria-label="Runs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Step</Table.Th>
          <Table.Th>Attempt</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Ready</Table.Th>
          <Table.Th>Claimed</Table.Th>
          <Table.Th>Started</Table.Th>
          <Table.Th>Finished</Table.Th>
          <Table.Th>Runner</Table.Th>
          <Table.Th>Dispatch latency</Table.Th>
          <Table.Th>Ran for</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {runs.map((r) => (
          <Table.Tr key={r.id}>
            <Table.Td ff="monospace">{r.stepKey}</Table.Td>
            <Table.Td>{r.attempt}</Table.Td>
            <Table.Td>
              <StatusBadge status={r.status} />
            </Table.Td>
            <Table.Td>
              <Time value={r.availableAt} />
            </Table.Td>
            <Table.Td>
              <Time value={r.claimedAt} />
            </Table.Td>
            <Table.Td>
              <Time value={r.startedAt} />
            </Table.Td>
            <Table.Td>
              <Time value={r.finishedAt} />
            </Table.Td>
            <Table.Td ff="monospace">{r.leaseOwner ?? '—'}</Table.Td>
            <Table.Td>{formatDuration(between(r.availableAt, r.claimedAt))}</Table.Td>
            <Table.Td>{formatDuration(between(r.claimedAt, r.finishedAt))}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** One execution: its DAG, its runs on a timeline, its data, its history, its controls. */
export default function ExecutionPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useUrlState();
  const step = param(params, 'step');
  const [interval, setPolling] = useState(0);
  const poll = { pollingInterval: interval, skipPollingIfUnfocused: true };
  const execution = useGetWorkflowExecutionQuery({ id }, poll);
  const graph = useGetWorkflowExecutionGraphQuery({ id }, poll);
  const runs = useListRunsQuery({ executionId: id, limit: RUN_PAGE }, poll);
  const deadLetters = useCountDeadLettersQuery({ executionId: id }, poll);
  const quarantined = useCountDeadLettersQuery({ executionId: id, status: 'QUARANTINED' }, poll);
  // Refreshes back off while nothing moves, and stop once the execution is finished in
  // every answer and none of its runs is still pending or running: the three answers are
  // separate reads, and the last refresh must not leave a graph from before the end. A
  // requeue reopens the execution (the action refetches it) and refreshing starts again.
  const runsSettled =
    runs.data !== undefined && runs.data.items.every((r) => r.status !== 'PENDING' && r.status !== 'LEASED');
  const finished = isFinished(execution.data?.status) && isFinished(graph.data?.status) && runsSettled;
  const fingerprint =
    execution.data && graph.data && runs.data ? JSON.stringify([execution.data, graph.data, runs.data]) : undefined;
  const next = useBackoffInterval(fingerprint, execution.fulfilledTimeStamp, !finished);
  if (next !== interval) setPolling(next);

  const [control, busy] = useControl();
  const [actionError, setActionError] = useState<{ control: Control; error: unknown } | null>(null);
  const act = async (c: Control) => {
    setActionError(null);
    try {
      const done = await control(c, id);
      notifications.show({
        color: 'green',
        message: `Execution ${CONTROL[c].past}: now ${done.status?.toLowerCase()}`,
      });
    } catch (error) {
      setActionError({ control: c, error });
    }
  };

  const allRuns = runs.data?.items ?? [];
  const stepRuns = useMemo(
    () =>
      [...allRuns]
        .filter((r) => !step || r.stepKey === step)
        .sort(
          (a, b) => (a.availableAt ?? '').localeCompare(b.availableAt ?? '') || (a.attempt ?? 0) - (b.attempt ?? 0),
        ),
    [allRuns, step],
  );
  const latestOfStep = step ? [...stepRuns].sort((a, b) => (b.attempt ?? 0) - (a.attempt ?? 0))[0] : undefined;

  if (execution.error) {
    const d = describeError(execution.error);
    return (
      <Page title="Execution" subtitle={<code>{id}</code>}>
        {d.status === 404 ? (
          <Empty title="There is no execution with this id">
            It may have been deleted, or the link is wrong.{' '}
            <Anchor component={Link} to="/executions">
              Back to executions
            </Anchor>
          </Empty>
        ) : (
          <ProblemAlert error={execution.error} onRetry={() => execution.refetch()} />
        )}
      </Page>
    );
  }
  const e = execution.data;
  const g = graph.data;
  return (
    <Page
      title="Execution"
      subtitle={
        <Group gap="xs">
          <CopyId value={id} label="Copy execution id" />
          {e && <StatusBadge status={e.status} />}
          {g && (
            <Text size="sm" component="div">
              of{' '}
              <Anchor component={Link} to={`/workflows/${g.workflowId}`}>
                {g.workflowName}
              </Anchor>{' '}
              <Badge size="xs" variant="default">
                v{g.workflowVersion}
              </Badge>
            </Text>
          )}
        </Group>
      }
      actions={
        <>
          {(['pause', 'resume', 'cancel'] as Control[]).map((c) => (
            <ActionButton
              key={c}
              operation={CONTROL[c].operation}
              color={CONTROL[c].color}
              variant="light"
              size="sm"
              loading={busy}
              disabledReason={e ? whyNot(c, e.status) : 'Loading…'}
              onClick={() => act(c)}
            >
              {CONTROL[c].verb}
            </ActionButton>
          ))}
          <Button variant="default" size="sm" component={Link} to="/executions">
            All executions
          </Button>
        </>
      }
    >
      {actionError && (
        <Alert
          color="red"
          role="alert"
          title={`Could not ${actionError.control} this execution`}
          withCloseButton
          onClose={() => setActionError(null)}
        >
          {describeError(actionError.error).detail || describeError(actionError.error).title}
        </Alert>
      )}
      {!e ? (
        <Text c="dimmed">Loading the execution…</Text>
      ) : (
        <>
          <Paper withBorder p="sm">
            <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
              <Fact label="Created">
                <Time value={e.createdAt} />
              </Fact>
              <Fact label="Started">
                <Time value={e.startedAt} />
              </Fact>
              {e.startAt ? (
                <Fact label="Starts at">
                  <Time value={e.startAt} />
                </Fact>
              ) : null}
              {e.scheduleId ? (
                <Fact label="Schedule">
                  <Anchor component={Link} to="/schedules" ff="monospace" data-testid="schedule-id">
                    {e.scheduleId.slice(0, 8)}
                  </Anchor>
                </Fact>
              ) : null}
              <Fact label="Priority">
                <span data-testid="priority">{e.priority ?? '–'}</span>
              </Fact>
              {e.concurrencyKey != null ? (
                <Fact label="Concurrency key">
                  <Group gap={4}>
                    <Text size="sm" ff="monospace" data-testid="concurrency-key">
                      {e.concurrencyKey}
                    </Text>
                    {waitsForSlot(e) ? (
                      <Badge size="xs" variant="light" color="yellow">
                        waiting for a slot
                      </Badge>
                    ) : null}
                  </Group>
                </Fact>
              ) : null}
              <Fact label="Finished">
                <Time value={e.finishedAt} />
              </Fact>
              <Fact label="Duration">
                {formatDuration(between(e.startedAt, e.finishedAt ?? new Date().toISOString()))}
              </Fact>
              <Fact label="Dead letters">
                <Anchor component={Link} to={`/dead-letters?executionId=${id}&status=all`}>
                  {deadLetters.data ? `${deadLetters.data.count} (${quarantined.data?.count ?? 0} open)` : '…'}
                </Anchor>
              </Fact>
              <Fact label="Refresh">
                <span data-testid="refresh-state">
                  {finished ? 'finished: not refreshing' : `every ${Math.round((interval || 2000) / 1000)} s`}
                </span>
              </Fact>
            </SimpleGrid>
          </Paper>

          <WaitingSteps executionId={id} runs={allRuns} />

          <Grid gap="md">
            <Grid.Col span={{ base: 12, lg: step ? 8 : 12 }}>
              <Title order={2} size="h4" mb="xs">
                Steps
              </Title>
              {graph.error ? (
                <ProblemAlert error={graph.error} onRetry={() => graph.refetch()} />
              ) : g ? (
                <DagView
                  label="Steps of the execution"
                  steps={g.nodes.map((n) => ({
                    key: n.key,
                    module: n.module,
                    dependsOn: n.dependsOn,
                    status: n.status ?? null,
                    detail: n.attempts > 1 ? `attempt ${n.attempts}` : undefined,
                  }))}
                  selected={step}
                  onSelect={(key) => setParams({ step: key === step ? null : key })}
                />
              ) : (
                <Text c="dimmed">Loading the graph…</Text>
              )}
              <Text size="xs" c="dimmed" mt={4}>
                Click a step for its runs, inputs and output.
              </Text>
            </Grid.Col>
            {step && (
              <Grid.Col span={{ base: 12, lg: 4 }}>
                <Group justify="space-between">
                  <Title order={2} size="h4">
                    Step {step}
                  </Title>
                  <Button size="xs" variant="subtle" onClick={() => setParams({ step: null })}>
                    Show all steps
                  </Button>
                </Group>
                {latestOfStep ? (
                  <Stack gap="xs" mt="xs">
                    <Group gap="xs">
                      <StatusBadge status={latestOfStep.status} />
                      <Text size="sm">
                        attempt {latestOfStep.attempt}, module <code>{latestOfStep.module}</code>
                      </Text>
                    </Group>
                    <JsonBlock label="Inputs" value={latestOfStep.inputs} />
                    <JsonBlock label="Output" value={latestOfStep.output} />
                    <JsonBlock label="Error" value={latestOfStep.error} />
                  </Stack>
                ) : (
                  <Text c="dimmed" size="sm" mt="xs">
                    This step has not run yet: it waits for the steps it depends on.
                  </Text>
                )}
              </Grid.Col>
            )}
          </Grid>

          <div>
            <Title order={2} size="h4" mb="xs">
              Timeline{step ? ` of ${step}` : ''}
            </Title>
            {runs.error ? (
              <ProblemAlert error={runs.error} />
            ) : (
              <Timeline runs={stepRuns} now={Date.now()} onSelect={(key) => setParams({ step: key })} />
            )}
            {allRuns.length >= RUN_PAGE && (
              <Text size="xs" c="orange">
                Showing the newest {RUN_PAGE} runs.
              </Text>
            )}
          </div>
          {stepRuns.length > 0 && <RunsTable runs={stepRuns} />}

          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <JsonBlock label="Execution inputs" value={e.inputs} />
            <JsonBlock label="Outputs" value={e.outputs} />
            <JsonBlock label="Error" value={e.error} />
          </SimpleGrid>

          <div>
            <Title order={2} size="h4" mb="xs">
              Control history
            </Title>
            {e.controlHistory?.length ? (
              <Table withTableBorder fz="sm" aria-label="Control history">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Action</Table.Th>
                    <Table.Th>By</Table.Th>
                    <Table.Th>From</Table.Th>
                    <Table.Th>To</Table.Th>
                    <Table.Th>Runs changed</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {e.controlHistory.map((h, i) => (
                    <Table.Tr key={i}>
                      <Table.Td>
                        <Time value={h.at} />
                      </Table.Td>
                      <Table.Td>{h.action}</Table.Td>
                      <Table.Td>{h.actor}</Table.Td>
                      <Table.Td>
                        <StatusBadge status={h.fromStatus} />
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={h.toStatus} />
                      </Table.Td>
                      <Table.Td>{h.runsChanged ?? 0}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : (
              <Text size="sm" c="dimmed">
                Nobody paused, resumed or cancelled this execution.
              </Text>
            )}
          </div>
          <Text size="xs" c="dimmed">
            Execution {shortId(id)} · idempotency key <code>{e.idempotencyKey}</code>
          </Text>
        </>
      )}
    </Page>
  );
}
