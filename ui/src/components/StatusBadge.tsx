import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  // executions
  PENDING: 'gray',
  RUNNING: 'blue',
  PAUSED: 'yellow',
  COMPLETED: 'green',
  FAILED: 'red',
  CANCELLED: 'dark',
  // runs
  LEASED: 'blue',
  WAITING: 'orange',
  SUCCEEDED: 'green',
  DEAD_LETTERED: 'red',
  // dead letters
  QUARANTINED: 'red',
  REQUEUED: 'teal',
  DISCARDED: 'gray',
  // breakers
  CLOSED: 'green',
  OPEN: 'red',
  HALF_OPEN: 'yellow',
};

export function statusColor(status: string | null | undefined): string {
  return (status && COLORS[status]) || 'gray';
}

export function statusLabel(status: string | null | undefined): string {
  return status ? status.replace('_', ' ') : 'NOT STARTED';
}

export function StatusBadge({ status }: { status: string | null | undefined }) {
  return (
    <Badge
      color={statusColor(status)}
      variant={status ? 'light' : 'outline'}
      radius="sm"
      style={{ flexShrink: 0, minWidth: 'max-content' }}
    >
      {statusLabel(status)}
    </Badge>
  );
}
