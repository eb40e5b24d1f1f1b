import { Button, Tooltip, type ButtonProps } from '@mantine/core';
import type { MouseEventHandler, ReactNode } from 'react';

import { useCan } from '../lib/permissions';

interface Props extends ButtonProps {
  /** The operation the button calls: the key's role decides whether it is enabled. */
  operation: string;
  onClick?: MouseEventHandler<HTMLButtonElement>;
  /** Why it is disabled otherwise (the execution's state, a missing note…). */
  disabledReason?: string | null;
  children: ReactNode;
  type?: 'button' | 'submit';
}

/** A button for an action the key's role may or may not take: disabled with the reason
 * when it may not (never sent for a 403). */
export function ActionButton({ operation, disabledReason, children, ...props }: Props) {
  const can = useCan(operation);
  const reason = !can.allowed ? can.reason : disabledReason;
  // one structure whether enabled or not: a button that becomes enabled (the key's role
  // arrived, the execution moved) stays the same element, focus and all
  return (
    <Tooltip label={reason ?? ''} multiline w={280} withArrow disabled={!reason}>
      {/* a disabled button gets no pointer events: the wrapper carries the tooltip */}
      <span style={{ display: 'inline-block' }} data-disabled-reason={reason ?? undefined}>
        <Button size="xs" {...props} disabled={Boolean(reason) || props.disabled}>
          {children}
        </Button>
      </span>
    </Tooltip>
  );
}
