import { Alert, Button, List } from '@mantine/core';

import { describeError } from '../lib/problems';

/** An error from the API in words, with what to do about it. */
export function ProblemAlert({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const d = describeError(error);
  return (
    <Alert color="red" title={title ?? d.title} role="alert" variant="light">
      {title ? <strong>{d.title}. </strong> : null}
      {d.detail}
      {d.errors.length > 0 && (
        <List size="sm" mt="xs">
          {d.errors.map((e, i) => (
            <List.Item key={i}>
              {e.step ? <strong>{e.step}: </strong> : null}
              {e.message}
            </List.Item>
          ))}
        </List>
      )}
      {onRetry && (
        <Button size="xs" variant="light" color="red" mt="sm" onClick={onRetry}>
          Try again
        </Button>
      )}
    </Alert>
  );
}
