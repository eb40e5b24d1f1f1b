import { Group, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';

import {
  useListSchedulesQuery,
  useTriggerScheduleMutation,
  useUpdateScheduleMutation,
  type ScheduleRead,
} from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { Empty, Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Time } from '../../components/Time';
import { useBackoffInterval } from '../../lib/polling';
import { errorLine } from '../../lib/problems';

/** When it fires: the cron with its zone, or the interval. */
function cadence(s: ScheduleRead): string {
  return s.cron ? `${s.cron} (${s.timezone ?? 'UTC'})` : `every ${s.intervalSeconds} s`;
}

/** The schedule as PUT takes it: its writable fields, `paused` changed. */
function withPaused(s: ScheduleRead, paused: boolean) {
  return {
    workflowId: s.workflowId,
    cron: s.cron ?? null,
    timezone: s.timezone,
    intervalSeconds: s.intervalSeconds ?? null,
    inputs: s.inputs,
    paused,
    overlap: s.overlap,
    catchupWindowSeconds: s.catchupWindowSeconds,
  };
}

/** Every schedule: when it fires next and last, paused or not; pause, resume, fire now. */
export default function SchedulesPage() {
  const [interval, setPolling] = useState(0);
  const list = useListSchedulesQuery({ limit: 500 }, { pollingInterval: interval, skipPollingIfUnfocused: true });
  const next = useBackoffInterval(list.data ? JSON.stringify(list.data) : undefined, list.fulfilledTimeStamp, true);
  if (next !== interval) setPolling(next);
  const [update] = useUpdateScheduleMutation();
  const [trigger] = useTriggerScheduleMutation();
  const items = list.data?.items ?? [];
  const act = async (what: string, run: () => Promise<unknown>, done: string) => {
    try {
      await run();
      notifications.show({ color: 'green', message: done });
      list.refetch();
    } catch (error) {
      notifications.show({ color: 'red', title: `Could not ${what}`, message: errorLine(error), autoClose: 8000 });
    }
  };
  return (
    <Page
      title="Schedules"
      subtitle="Workflows started on a cron or an interval, each moment once across every process."
    >
      {list.error ? (
        <ProblemAlert error={list.error} onRetry={() => list.refetch()} />
      ) : !list.data ? (
        <Text c="dimmed">Loading schedules…</Text>
      ) : items.length === 0 ? (
        <Empty title="No schedules yet">Create one with POST /v1/Schedule (see the README).</Empty>
      ) : (
        <Table striped withTableBorder fz="sm" aria-label="Schedules">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Workflow</Table.Th>
              <Table.Th>Fires</Table.Th>
              <Table.Th>Overlap</Table.Th>
              <Table.Th>Next</Table.Th>
              <Table.Th>Last</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((s) => (
              <Table.Tr key={s.id} data-schedule-id={s.id}>
                <Table.Td ff="monospace">
                  <Link to={`/workflows/${s.workflowId}`}>{s.workflowId.slice(0, 8)}</Link>
                </Table.Td>
                <Table.Td ff="monospace">{cadence(s)}</Table.Td>
                <Table.Td>{s.overlap}</Table.Td>
                <Table.Td>{s.paused ? <Text size="sm">paused</Text> : <Time value={s.nextFireAt} />}</Table.Td>
                <Table.Td>
                  <Time value={s.lastFireAt} />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <ActionButton
                      operation="updateSchedule"
                      variant="light"
                      onClick={() =>
                        act(
                          s.paused ? 'resume the schedule' : 'pause the schedule',
                          () => update({ id: s.id!, schedule: withPaused(s, !s.paused) }).unwrap(),
                          s.paused ? 'Schedule resumed' : 'Schedule paused',
                        )
                      }
                    >
                      {s.paused ? 'Resume' : 'Pause'}
                    </ActionButton>
                    <ActionButton
                      operation="triggerSchedule"
                      variant="default"
                      onClick={() =>
                        act('fire the schedule', () => trigger({ id: s.id! }).unwrap(), 'Fired: an execution started')
                      }
                    >
                      Fire now
                    </ActionButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Page>
  );
}
