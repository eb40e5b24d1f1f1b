import { Alert, Button, Group, JsonInput, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';

import {
  useBulkDiscardDeadLettersMutation,
  useBulkRequeueDeadLettersMutation,
  useDiscardDeadLetterMutation,
  useRequeueDeadLetterMutation,
  type DeadLetterFilter,
  type DeadLetterQueueRead,
} from '../../api';
import { eachWithOutcome, Outcomes, type Outcome } from '../../components/Outcomes';
import { shortId } from '../../lib/format';
import { describeError, errorLine } from '../../lib/problems';
import { parseInputs } from './DeadLetterPanel';

export type BulkAction = 'requeue' | 'discard';
export type BulkTarget =
  { kind: 'selected'; items: DeadLetterQueueRead[] } | { kind: 'filter'; filter: DeadLetterFilter; count: number };

// one bulk request resolves at most this many; "all matching" asks again while some remain
const PER_REQUEST = 1000;

/** Confirm a bulk requeue / discard, run it, and show what happened to each entry. */
export function BulkResolve({
  action,
  target,
  onClose,
}: {
  action: BulkAction;
  target: BulkTarget;
  onClose: () => void;
}) {
  const [notes, setNotes] = useState('');
  const [overrides, setOverrides] = useState('');
  const [errors, setErrors] = useState<{ notes?: string; overrides?: string; request?: unknown }>({});
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [working, setWorking] = useState(false);
  const [requeueOne] = useRequeueDeadLetterMutation();
  const [discardOne] = useDiscardDeadLetterMutation();
  const [requeueAll] = useBulkRequeueDeadLettersMutation();
  const [discardAll] = useBulkDiscardDeadLettersMutation();
  const count = target.kind === 'selected' ? target.items.length : target.count;
  const verb = action === 'requeue' ? 'Requeue' : 'Discard';

  const run = async () => {
    const found: typeof errors = {};
    if (action === 'discard' && !notes.trim()) found.notes = 'Notes are required to discard';
    let inputOverrides: Record<string, unknown> | undefined;
    if (action === 'requeue' && overrides.trim()) {
      const parsed = parseInputs(overrides);
      if (parsed.error) found.overrides = parsed.error;
      inputOverrides = parsed.value;
    }
    setErrors(found);
    if (found.notes || found.overrides) return;
    const note = notes.trim() || undefined;
    setWorking(true);
    try {
      if (target.kind === 'selected') {
        setOutcomes(
          await eachWithOutcome(
            target.items,
            (e) => ({ id: e.id!, label: `${shortId(e.id)} (${e.stepKey})` }),
            async (e) => {
              const done =
                action === 'requeue'
                  ? await requeueOne({
                      id: e.id!,
                      deadLetterRequeueRequest: {
                        ...(inputOverrides ? { inputOverrides } : {}),
                        ...(note ? { notes: note } : {}),
                      },
                    }).unwrap()
                  : await discardOne({ id: e.id!, deadLetterDiscardRequest: { notes: note! } }).unwrap();
              return `now ${done.status?.toLowerCase()}`;
            },
            errorLine,
          ),
        );
      } else {
        const done: Outcome[] = [];
        // every round resolves up to PER_REQUEST and says how many remain
        for (let round = 0; round < 100; round++) {
          const result =
            action === 'requeue'
              ? await requeueAll({
                  deadLetterBulkRequeueRequest: {
                    filter: target.filter,
                    limit: PER_REQUEST,
                    ...(inputOverrides ? { inputOverrides } : {}),
                    ...(note ? { notes: note } : {}),
                  },
                }).unwrap()
              : await discardAll({
                  deadLetterBulkDiscardRequest: { filter: target.filter, limit: PER_REQUEST, notes: note! },
                }).unwrap();
          done.push(
            ...result.ids.map((id) => ({
              id,
              label: shortId(id),
              ok: true,
              message: action === 'requeue' ? 'requeued' : 'discarded',
            })),
          );
          if (result.remaining === 0 || result.count === 0) break;
        }
        setOutcomes(done);
      }
    } catch (error) {
      const d = describeError(error);
      if (d.status === 400 && action === 'requeue' && inputOverrides) setErrors({ overrides: d.detail || d.title });
      else setErrors({ request: error });
    } finally {
      setWorking(false);
    }
  };

  return (
    <Modal opened onClose={onClose} size="lg" title={`${verb} ${count} dead letter${count === 1 ? '' : 's'}?`}>
      {outcomes ? (
        <Stack>
          <Outcomes outcomes={outcomes} caption={verb} />
          <Group justify="flex-end">
            <Button onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      ) : (
        <Stack>
          <Text size="sm">
            {target.kind === 'filter'
              ? `Every quarantined entry that matches the filter: ${count} now (entries quarantined meanwhile are included).`
              : `The ${count} selected entr${count === 1 ? 'y' : 'ies'}: ${target.items.map((e) => shortId(e.id)).join(', ')}.`}{' '}
            {action === 'requeue'
              ? 'Each gets a fresh run of its step; its execution runs again.'
              : 'Each is marked discarded; its execution stays failed.'}
          </Text>
          {action === 'requeue' && (
            <JsonInput
              validationError="Not valid JSON"
              label="Input overrides (optional)"
              description="A JSON object merged over each entry's inputs (top-level keys)."
              placeholder='{"amount": 42}'
              value={overrides}
              onChange={setOverrides}
              error={errors.overrides}
              autosize
              minRows={3}
            />
          )}
          <Textarea
            label="Notes"
            description={
              action === 'discard' ? 'Required: why these are discarded.' : 'Optional: kept in each audit trail.'
            }
            value={notes}
            onChange={(e) => setNotes(e.currentTarget.value)}
            error={errors.notes}
            autosize
            minRows={2}
          />
          {errors.request ? (
            <Alert color="red" role="alert" title={`Could not ${action}`}>
              {errorLine(errors.request)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Back
            </Button>
            <Button color={action === 'discard' ? 'red' : undefined} loading={working} onClick={run}>
              {`${verb} ${count}`}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
