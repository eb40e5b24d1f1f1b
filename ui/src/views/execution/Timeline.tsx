import { Group, Text, Tooltip } from '@mantine/core';

import type { RunRead } from '../../api';
import { statusColor, statusLabel } from '../../components/StatusBadge';
import { between, formatDuration } from '../../lib/format';

function ms(iso: string | null | undefined): number | null {
  return iso ? new Date(iso).getTime() : null;
}

/** Runs per step on one time axis: the wait for a runner (ready → claimed, the dispatch
 * latency) in grey, the run itself (claimed → finished) in its status colour. */
export function Timeline({ runs, now, onSelect }: { runs: RunRead[]; now: number; onSelect?: (step: string) => void }) {
  const ordered = [...runs].sort(
    (a, b) => (ms(a.availableAt) ?? 0) - (ms(b.availableAt) ?? 0) || (a.attempt ?? 0) - (b.attempt ?? 0),
  );
  const starts = ordered.map((r) => ms(r.availableAt) ?? ms(r.createdAt)).filter((v): v is number => v !== null);
  const ends = ordered.map((r) => ms(r.finishedAt) ?? now);
  if (!starts.length)
    return (
      <Text c="dimmed" size="sm">
        No runs yet.
      </Text>
    );
  const t0 = Math.min(...starts);
  const t1 = Math.max(...ends, t0 + 1);
  const span = t1 - t0;
  const pct = (t: number) => `${(((t - t0) / span) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `${Math.max(((b - a) / span) * 100, 0.4).toFixed(3)}%`;
  return (
    <div role="img" aria-label="Timeline of runs" data-testid="timeline">
      <Group justify="space-between" mb={4}>
        <Text size="xs" c="dimmed">
          0
        </Text>
        <Text size="xs" c="dimmed">
          {formatDuration(span)}
        </Text>
      </Group>
      {ordered.map((r) => {
        const ready = ms(r.availableAt) ?? ms(r.createdAt) ?? t0;
        const claimed = ms(r.claimedAt);
        const end = ms(r.finishedAt) ?? now;
        const color = statusColor(r.status);
        const latency = between(r.availableAt, r.claimedAt);
        const label =
          `${r.stepKey} attempt ${r.attempt}: ${statusLabel(r.status)}` +
          (latency !== null ? `, dispatch ${formatDuration(latency)}` : ', not claimed yet') +
          (claimed !== null ? `, ran ${formatDuration(end - claimed)}` : '');
        return (
          <div key={r.id} style={{ display: 'flex', alignItems: 'center', gap: 8, height: 22 }}>
            <Text
              size="xs"
              w={150}
              truncate
              ff="monospace"
              style={{ cursor: onSelect ? 'pointer' : undefined }}
              onClick={() => onSelect?.(r.stepKey!)}
            >
              {r.stepKey} #{r.attempt}
            </Text>
            <Tooltip label={label} withArrow>
              <div
                style={{
                  position: 'relative',
                  flex: 1,
                  height: 12,
                  background: 'var(--mantine-color-default-hover)',
                  borderRadius: 3,
                }}
                aria-label={label}
              >
                <div
                  style={{
                    position: 'absolute',
                    left: pct(ready),
                    width: width(ready, claimed ?? end),
                    top: 3,
                    height: 6,
                    background: 'var(--mantine-color-gray-5)',
                    borderRadius: 2,
                  }}
                />
                {claimed !== null && (
                  <div
                    style={{
                      position: 'absolute',
                      left: pct(claimed),
                      width: width(claimed, end),
                      top: 0,
                      height: 12,
                      background: `var(--mantine-color-${color}-filled)`,
                      borderRadius: 2,
                    }}
                  />
                )}
              </div>
            </Tooltip>
          </div>
        );
      })}
    </div>
  );
}
