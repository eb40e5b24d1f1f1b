import { Badge, Table, Text } from '@mantine/core';

export interface Outcome {
  id: string;
  label: string;
  ok: boolean;
  message: string;
}

/** What a bulk action did to each item. */
export function Outcomes({ outcomes, caption }: { outcomes: Outcome[]; caption: string }) {
  const failed = outcomes.filter((o) => !o.ok).length;
  return (
    <div>
      <Text size="sm" mb="xs" role="status">
        {caption}: {outcomes.length - failed} done{failed ? `, ${failed} not done` : ''}.
      </Text>
      <Table striped withTableBorder aria-label="Outcome per item" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Item</Table.Th>
            <Table.Th>Result</Table.Th>
            <Table.Th>Details</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {outcomes.map((o) => (
            <Table.Tr key={o.id}>
              <Table.Td>
                <code>{o.label}</code>
              </Table.Td>
              <Table.Td>
                <Badge color={o.ok ? 'green' : 'red'} variant="light">
                  {o.ok ? 'done' : 'not done'}
                </Badge>
              </Table.Td>
              <Table.Td>{o.message}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

/** Run `action` on every item, a few at a time, and say what happened to each. */
export async function eachWithOutcome<T>(
  items: T[],
  label: (item: T) => { id: string; label: string },
  action: (item: T) => Promise<string>,
  describe: (error: unknown) => string,
  concurrency = 4,
): Promise<Outcome[]> {
  const results: Outcome[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      const { id, label: text } = label(item);
      try {
        results[index] = { id, label: text, ok: true, message: await action(item) };
      } catch (error) {
        results[index] = { id, label: text, ok: false, message: describe(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
