import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';

import {
  useCreateApiKeyMutation,
  useGetCurrentApiKeyQuery,
  useListApiKeysQuery,
  useRevokeApiKeyMutation,
  type ApiKeyCreatedRead,
  type ApiKeyRead,
  type Role,
} from '../../api';
import { ActionButton } from '../../components/ActionButton';
import { Empty, Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Time } from '../../components/Time';
import { useCan } from '../../lib/permissions';
import { describeError, errorLine } from '../../lib/problems';

const ROLES: { value: Role; label: string }[] = [
  { value: 'viewer', label: 'viewer: reads everything' },
  { value: 'operator', label: 'operator: viewer + execution control + dead letters' },
  { value: 'runner', label: 'runner: the worker protocol only' },
  { value: 'admin', label: 'admin: everything' },
];

function CreateKey({ onCreated }: { onCreated: (key: ApiKeyCreatedRead) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [create, { isLoading, error, reset }] = useCreateApiKeyMutation();
  const d = error ? describeError(error) : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      onCreated(await create({ apiKey: { name: name.trim(), role } }).unwrap());
      setName('');
    } catch {
      // shown at the field
    }
  };
  return (
    <form onSubmit={submit} aria-label="Create a key">
      <Group align="flex-end" gap="xs">
        <TextInput
          label="Name"
          description="Who or what uses it (a runner key acts as this runnerId)"
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
            reset();
          }}
          error={d ? d.detail || d.title : undefined}
          required
          maxLength={200}
          w={280}
        />
        <Select
          label="Role"
          data={ROLES}
          value={role}
          onChange={(v) => v && setRole(v as Role)}
          allowDeselect={false}
          w={360}
        />
        <ActionButton
          operation="createApiKey"
          type="submit"
          size="sm"
          loading={isLoading}
          disabledReason={name.trim() ? null : 'Give the key a name'}
        >
          Create key
        </ActionButton>
      </Group>
    </form>
  );
}

/** API keys (admin): create (the secret is shown once), list, revoke. */
export default function ApiKeysPage() {
  const can = useCan('listApiKeys');
  const me = useGetCurrentApiKeyQuery();
  const keys = useListApiKeysQuery({ limit: 500 }, { skip: !can.allowed });
  const [revoke] = useRevokeApiKeyMutation();
  const [created, setCreated] = useState<ApiKeyCreatedRead | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyRead | null>(null);
  const doRevoke = async () => {
    if (!revoking) return;
    try {
      await revoke({ id: revoking.id! }).unwrap();
      notifications.show({ color: 'green', message: `Revoked ${revoking.name}: it stopped working at once` });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Could not revoke', message: errorLine(error), autoClose: 8000 });
    }
    setRevoking(null);
  };
  if (me.data && !can.allowed) {
    return (
      <Page title="API keys">
        <Empty title="Only an admin key can manage API keys">
          {can.reason} Ask an admin for a key, or run <Code>valkyr keys create</Code> on the server.
        </Empty>
      </Page>
    );
  }
  const items = keys.data?.items ?? [];
  return (
    <Page title="API keys" subtitle="Keys are stored hashed: a secret is shown once, when the key is created.">
      <CreateKey onCreated={setCreated} />
      {keys.error ? (
        <ProblemAlert error={keys.error} onRetry={() => keys.refetch()} />
      ) : !keys.data ? (
        <Text c="dimmed">Loading keys…</Text>
      ) : items.length === 0 ? (
        <Empty title="No keys" />
      ) : (
        <Table striped withTableBorder fz="sm" aria-label="API keys">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Prefix</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Revoked</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((k) => (
              <Table.Tr key={k.id} data-key-name={k.name} style={k.revokedAt ? { opacity: 0.6 } : undefined}>
                <Table.Td>
                  {k.name} {k.id === me.data?.id && <Badge size="xs">you</Badge>}
                </Table.Td>
                <Table.Td>{k.role}</Table.Td>
                <Table.Td ff="monospace">{k.prefix}…</Table.Td>
                <Table.Td>
                  <Time value={k.createdAt} />
                </Table.Td>
                <Table.Td>
                  <Time value={k.lastUsedAt} />
                </Table.Td>
                <Table.Td>
                  <Time value={k.revokedAt} />
                </Table.Td>
                <Table.Td>
                  <ActionButton
                    operation="revokeApiKey"
                    color="red"
                    variant="light"
                    disabledReason={
                      k.revokedAt
                        ? 'Revoked already'
                        : k.id === me.data?.id
                          ? 'This is the key you are signed in with'
                          : null
                    }
                    onClick={() => setRevoking(k)}
                  >
                    Revoke
                  </ActionButton>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      <Modal
        opened={created !== null}
        onClose={() => setCreated(null)}
        title={`Key ${created?.name} created`}
        size="lg"
      >
        {created && (
          <Stack>
            <Alert color="yellow" title="Copy the secret now">
              It is shown only this once: the service keeps only its hash.
            </Alert>
            <Group gap="xs" wrap="nowrap">
              <Code block style={{ flex: 1, wordBreak: 'break-all' }} data-testid="new-key-secret">
                {created.secret}
              </Code>
              <CopyButton value={created.secret}>
                {({ copied, copy }) => (
                  <Button onClick={copy} color={copied ? 'teal' : undefined} variant="light">
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
            <Text size="sm">
              Role <strong>{created.role}</strong>. Send it as <Code>Authorization: Bearer …</Code> or{' '}
              <Code>X-API-Key</Code>.
            </Text>
            <Group justify="flex-end">
              <Button onClick={() => setCreated(null)}>Done</Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title={`Revoke ${revoking?.name}?`}>
        <Stack>
          <Text size="sm">It stops working at once, for every process that uses it. The record stays.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              Back
            </Button>
            <Button color="red" onClick={doRevoke}>
              Revoke key
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Page>
  );
}
