import { Anchor, Badge, Button, Grid, Group, Paper, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { Link, useLocation, useNavigate, useParams } from 'react-router';

import { useGetWorkflowQuery, useListWorkflowsQuery } from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { Empty, Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Time } from '../../components/Time';
import { describeError } from '../../lib/problems';
import { param, useUrlState } from '../../lib/url';
import { Editor } from './Editor';
import { StartExecution } from './StartExecution';
import { VersionHistory } from './VersionHistory';

function Selected({ id }: { id: string }) {
  const workflow = useGetWorkflowQuery({ id });
  const [params, setParams] = useUrlState();
  const tab = param(params, 'tab') ?? 'definition';
  if (workflow.error) {
    return describeError(workflow.error).status === 404 ? (
      <Empty title="There is no workflow with this id">Pick one from the list, or create one.</Empty>
    ) : (
      <ProblemAlert error={workflow.error} onRetry={() => workflow.refetch()} />
    );
  }
  const w = workflow.data;
  if (!w) return <Text c="dimmed">Loading the workflow…</Text>;
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Group gap="xs">
          <Title order={2} size="h3">
            {w.name}
          </Title>
          <Badge variant="light">v{w.version}</Badge>
          {w.concurrency ? (
            <Badge variant="light" color="grape" data-testid="concurrency-limit" tt="none">
              at most {w.concurrency.limit} running per {w.concurrency.key}
            </Badge>
          ) : null}
        </Group>
        <Group gap="xs">
          <Button size="sm" variant="default" component={Link} to={`/executions?workflowId=${w.id}`}>
            Its executions
          </Button>
          <StartExecution workflowId={w.id!} name={w.name} />
        </Group>
      </Group>
      {w.description && (
        <Text size="sm" c="dimmed">
          {w.description}
        </Text>
      )}
      <Tabs value={tab} onChange={(v) => setParams({ tab: v === 'definition' ? null : v })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="definition">Definition</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="definition" pt="sm">
          {/* a new version remounts the editor with what was saved */}
          <Editor key={`${w.id}:${w.version}`} workflow={w} />
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="sm">
          <VersionHistory workflowId={w.id!} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

/** WorkflowStudio: list, create, edit with a live DAG, version history, start. */
export default function WorkflowsPage() {
  const { id } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const creating = location.pathname.endsWith('/workflows/new');
  const workflows = useListWorkflowsQuery({ limit: 500 });
  const items = workflows.data?.items ?? [];
  return (
    <Page
      title="Workflows"
      subtitle="Definitions as DAGs of steps. Every save stores a new version; executions keep the version they started with."
      actions={
        <ActionButton
          operation="createWorkflow"
          size="sm"
          variant={creating ? 'filled' : 'light'}
          onClick={() => navigate('/workflows/new')}
        >
          New workflow
        </ActionButton>
      }
    >
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: id || creating ? 3 : 12 }}>
          {workflows.error ? (
            <ProblemAlert error={workflows.error} onRetry={() => workflows.refetch()} />
          ) : !workflows.data ? (
            <Text c="dimmed">Loading workflows…</Text>
          ) : items.length === 0 ? (
            <Empty title="No workflows yet">
              Create one with “New workflow”: a JSON definition, previewed as a graph while you type.
            </Empty>
          ) : (
            <Table highlightOnHover withTableBorder fz="sm" aria-label="Workflows">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Version</Table.Th>
                  {!(id || creating) && <Table.Th>Steps</Table.Th>}
                  {!(id || creating) && <Table.Th>Updated</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((w) => (
                  <Table.Tr key={w.id} bg={w.id === id ? 'var(--mantine-color-default-hover)' : undefined}>
                    <Table.Td>
                      <Anchor component={Link} to={`/workflows/${w.id}`} fw={w.id === id ? 700 : undefined}>
                        {w.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>v{w.version}</Table.Td>
                    {!(id || creating) && <Table.Td>{w.steps.length}</Table.Td>}
                    {!(id || creating) && (
                      <Table.Td>
                        <Time value={w.updatedAt} />
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Grid.Col>
        {(id || creating) && (
          <Grid.Col span={{ base: 12, md: 9 }}>
            <Paper withBorder p="md">
              {creating ? (
                <Stack gap="sm">
                  <Title order={2} size="h3">
                    New workflow
                  </Title>
                  <Editor />
                </Stack>
              ) : (
                <Selected id={id!} />
              )}
            </Paper>
          </Grid.Col>
        )}
      </Grid>
    </Page>
  );
}
