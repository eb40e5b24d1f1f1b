import { Badge, Code, Group, Paper, Radio, ScrollArea, Table, Text } from '@mantine/core';
import { useMemo } from 'react';

import { useListWorkflowVersionsQuery, type WorkflowVersion } from '../../api';
import { Empty } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Time } from '../../components/Time';
import { diffLines } from '../../lib/diff';
import { prettyJson } from '../../lib/format';
import { useUrlState } from '../../lib/url';

export function definitionText(v: {
  name: string;
  description?: string | null;
  steps: unknown;
  concurrency?: unknown;
}): string {
  // the concurrency limit is part of the definition: an editor save without it removes it
  const limit = v.concurrency ? { concurrency: v.concurrency } : {};
  return prettyJson({ name: v.name, description: v.description ?? null, ...limit, steps: v.steps });
}

function Diff({ from, to }: { from: WorkflowVersion; to: WorkflowVersion }) {
  const lines = useMemo(() => diffLines(definitionText(from), definitionText(to)), [from, to]);
  const added = lines.filter((l) => l.kind === 'added').length;
  const removed = lines.filter((l) => l.kind === 'removed').length;
  return (
    <div>
      <Text size="sm" mb={4} role="status">
        v{from.version} → v{to.version}: {added} line{added === 1 ? '' : 's'} added, {removed} removed
      </Text>
      <Paper withBorder>
        <ScrollArea.Autosize mah={480}>
          <pre
            aria-label={`Differences between version ${from.version} and ${to.version}`}
            style={{ margin: 0, fontSize: 12, lineHeight: 1.45 }}
          >
            {lines.map((l, i) => (
              <div
                key={i}
                data-kind={l.kind}
                style={{
                  padding: '0 8px',
                  background:
                    l.kind === 'added'
                      ? 'var(--mantine-color-green-light)'
                      : l.kind === 'removed'
                        ? 'var(--mantine-color-red-light)'
                        : undefined,
                }}
              >
                {l.kind === 'added' ? '+ ' : l.kind === 'removed' ? '- ' : '  '}
                {l.text}
              </div>
            ))}
          </pre>
        </ScrollArea.Autosize>
      </Paper>
    </div>
  );
}

/** Every stored version of a workflow; pick two to see what changed. */
export function VersionHistory({ workflowId }: { workflowId: string }) {
  const versions = useListWorkflowVersionsQuery({ id: workflowId, limit: 100 });
  const [params, setParams] = useUrlState();
  const items = versions.data?.items ?? [];
  if (versions.error) return <ProblemAlert error={versions.error} onRetry={() => versions.refetch()} />;
  if (!versions.data) return <Text c="dimmed">Loading versions…</Text>;
  if (items.length === 0) return <Empty title="No versions stored" />;
  const newest = items[0].version;
  const toV = Number(params.get('to') ?? newest);
  const fromV = Number(params.get('from') ?? items[1]?.version ?? newest);
  const from = items.find((v) => v.version === fromV);
  const to = items.find((v) => v.version === toV);
  return (
    <>
      <Table withTableBorder fz="sm" aria-label="Versions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Version</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Steps</Table.Th>
            <Table.Th>Saved</Table.Th>
            <Table.Th>Compare from</Table.Th>
            <Table.Th>to</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((v) => (
            <Table.Tr key={v.version}>
              <Table.Td>
                <Group gap={4}>
                  v{v.version}
                  {v.version === newest && (
                    <Badge size="xs" variant="light">
                      current
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>{v.name}</Table.Td>
              <Table.Td>{v.steps.length}</Table.Td>
              <Table.Td>
                <Time value={v.createdAt} />
              </Table.Td>
              <Table.Td>
                <Radio
                  aria-label={`Compare from version ${v.version}`}
                  checked={v.version === fromV}
                  onChange={() => setParams({ from: v.version })}
                />
              </Table.Td>
              <Table.Td>
                <Radio
                  aria-label={`Compare to version ${v.version}`}
                  checked={v.version === toV}
                  onChange={() => setParams({ to: v.version })}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {items.length === 1 ? (
        <Text size="sm" c="dimmed">
          Only one version so far: every save stores a new one.
        </Text>
      ) : from && to ? (
        from.version === to.version ? (
          <Text size="sm" c="dimmed">
            Pick two different versions to compare.
          </Text>
        ) : (
          <Diff from={from} to={to} />
        )
      ) : (
        <Text size="sm" c="dimmed">
          The versions named in the address are not on this page: pick two above. <Code>from</Code>/<Code>to</Code>
        </Text>
      )}
    </>
  );
}
