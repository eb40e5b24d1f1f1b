import { ActionIcon, CopyButton, Group, Tooltip } from '@mantine/core';

import { CheckIcon, CopyIcon } from './icons';

/** An id in full with a button that copies it. */
export function CopyId({ value, label = 'Copy id' }: { value: string; label?: string }) {
  return (
    <Group gap={4} wrap="nowrap" component="span">
      <code>{value}</code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : label} withArrow>
            <ActionIcon variant="subtle" size="sm" onClick={copy} aria-label={label}>
              {copied ? <CheckIcon /> : <CopyIcon />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
