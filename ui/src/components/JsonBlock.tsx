import { Paper, Text, useComputedColorScheme } from '@mantine/core';
import { JsonView, collapseAllNested, darkStyles, defaultStyles } from 'react-json-view-lite';
import 'react-json-view-lite/dist/index.css';

/** JSON folded below its first level; click to unfold. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  const scheme = useComputedColorScheme('light');
  const empty = value === null || value === undefined;
  return (
    <div>
      <Text size="sm" fw={600} mb={4}>
        {label}
      </Text>
      <Paper withBorder p="xs" radius="sm" style={{ overflowX: 'auto', fontSize: 13 }}>
        {empty ? (
          <Text size="sm" c="dimmed">
            none
          </Text>
        ) : typeof value === 'object' ? (
          <JsonView
            data={value as object}
            shouldExpandNode={collapseAllNested}
            style={scheme === 'dark' ? darkStyles : defaultStyles}
            aria-label={label}
          />
        ) : (
          <code>{JSON.stringify(value)}</code>
        )}
      </Paper>
    </div>
  );
}
