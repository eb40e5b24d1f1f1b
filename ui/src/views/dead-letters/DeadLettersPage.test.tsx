import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import * as f from '../../../test/fixtures';
import { renderApp } from '../../../test/render';
import { API, calls, problem, sent, server, settled } from '../../../test/server';

const rowOf = (id: string) => document.querySelector(`tr[data-dead-letter-id="${id}"]`) as HTMLElement;

describe('the dead-letter browser', () => {
  it('lists quarantined entries by default and filters by step, workflow, reason and execution', async () => {
    const { user } = renderApp(`/dead-letters?stepKey=charge&workflowId=${f.ids.wf}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Dead letters' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Dead letters' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(within(rowOf(f.ids.dl1)).getByText('HTTP 400: amount missing')).toBeInTheDocument();
    const list = sent('GET', '/DeadLetterQueue').at(-1)!;
    expect(Object.fromEntries(list.query)).toMatchObject({
      status: 'QUARANTINED',
      stepKey: 'charge',
      workflowId: f.ids.wf,
    });
    await user.click(screen.getByText('All'));
    await waitFor(() => expect(sent('GET', '/DeadLetterQueue').at(-1)!.query.get('status')).toBeNull());
    await user.type(screen.getByLabelText('Execution id'), 'abc');
    expect(await screen.findByText('a whole execution id (UUID)')).toBeInTheDocument();
  });

  it('shows one entry: error, inputs and config it ran with, audit trail', async () => {
    server.use(
      http.get(`${API}/DeadLetterQueue/:id`, () =>
        HttpResponse.json(
          f.deadLetter(f.ids.dl1, f.ids.running, {
            status: 'REQUEUED',
            resolvedBy: 'ops',
            resolvedAt: f.at(40),
            resolutionNotes: 'fixed',
            audit: [
              {
                action: 'REQUEUED',
                actor: 'ops',
                at: f.at(40),
                notes: 'fixed',
                changes: { amount: 42 },
                newRunId: 'ffffffff-0000-4000-8000-000000000000',
              },
            ],
          }),
        ),
      ),
    );
    renderApp(`/dead-letters/${f.ids.dl1}`);
    const drawer = await screen.findByRole('dialog');
    expect(await within(drawer).findByLabelText('Error')).toHaveTextContent('HTTP 400: amount missing');
    expect(within(drawer).getByLabelText('Inputs it ran with')).toHaveTextContent('ada');
    expect(within(drawer).getByLabelText('Config it ran with')).toHaveTextContent('payments.example');
    const audit = within(drawer).getByRole('table', { name: 'Audit trail' });
    expect(within(audit).getByText('{"amount":42}')).toBeInTheDocument();
    expect(within(drawer).queryByRole('button', { name: 'Requeue' })).toBeNull(); // resolved already
  });

  it('requeues with corrected inputs: invalid JSON is refused at the field before sending', async () => {
    server.use(
      http.post(`${API}/DeadLetterQueue/:id/requeue`, () =>
        HttpResponse.json(f.deadLetter(f.ids.dl1, f.ids.running, { status: 'REQUEUED' })),
      ),
    );
    const { user } = renderApp(`/dead-letters/${f.ids.dl1}`, 'operator');
    const drawer = await screen.findByRole('dialog');
    const inputs = await within(drawer).findByLabelText('Inputs to requeue with');
    expect(inputs).toHaveValue('{\n  "customer": "ada"\n}'); // pre-filled with what it ran with
    const requeue = within(drawer).getByRole('button', { name: 'Requeue' });
    await waitFor(() => expect(requeue).toBeEnabled());
    await user.clear(inputs);
    await user.type(inputs, '{{"customer": }');
    await user.click(requeue);
    expect(await within(drawer).findByText(/Not valid JSON/)).toBeInTheDocument();
    await user.clear(inputs);
    await user.type(inputs, '[[1, 2]');
    await user.click(requeue);
    expect(await within(drawer).findByText('The inputs must be a JSON object')).toBeInTheDocument();
    expect(sent('POST', `/DeadLetterQueue/${f.ids.dl1}/requeue`)).toHaveLength(0);
    await user.clear(inputs);
    await user.type(inputs, '{{"customer": "ada", "amount": 42}');
    await user.type(within(drawer).getByLabelText('Notes'), 'amount confirmed');
    await user.click(requeue);
    await waitFor(() => expect(sent('POST', `/DeadLetterQueue/${f.ids.dl1}/requeue`)).toHaveLength(1));
    await settled();
    expect(sent('POST', `/DeadLetterQueue/${f.ids.dl1}/requeue`)[0].body).toEqual({
      inputOverrides: { customer: 'ada', amount: 42 },
      notes: 'amount confirmed',
    });
  });

  it('shows a 400 from the service at the inputs field', async () => {
    server.use(
      http.post(`${API}/DeadLetterQueue/:id/requeue`, () =>
        problem(400, 'Bad Request', 'inputOverrides must not contain NUL characters (U+0000)'),
      ),
    );
    const { user } = renderApp(`/dead-letters/${f.ids.dl1}`, 'operator');
    const drawer = await screen.findByRole('dialog');
    const inputs = await within(drawer).findByLabelText('Inputs to requeue with');
    await user.clear(inputs);
    await user.type(inputs, '{{"customer": "x"}');
    const requeue = within(drawer).getByRole('button', { name: 'Requeue' });
    await waitFor(() => expect(requeue).toBeEnabled());
    await user.click(requeue);
    expect(await within(drawer).findByText(/must not contain NUL characters/)).toBeInTheDocument();
  });

  it('discards only with notes', async () => {
    server.use(
      http.post(`${API}/DeadLetterQueue/:id/discard`, () =>
        HttpResponse.json(f.deadLetter(f.ids.dl1, f.ids.running, { status: 'DISCARDED' })),
      ),
    );
    const { user } = renderApp(`/dead-letters/${f.ids.dl1}`, 'operator');
    const drawer = await screen.findByRole('dialog');
    const discard = await within(drawer).findByRole('button', { name: 'Discard' });
    await waitFor(() => expect(discard).toBeEnabled());
    await user.click(discard);
    expect(await within(drawer).findByText(/notes are required to discard/)).toBeInTheDocument();
    expect(sent('POST', `/DeadLetterQueue/${f.ids.dl1}/discard`)).toHaveLength(0);
    await user.type(within(drawer).getByLabelText('Notes'), 'duplicate order');
    await user.click(discard);
    await waitFor(() => expect(sent('POST', `/DeadLetterQueue/${f.ids.dl1}/discard`)).toHaveLength(1));
    await settled();
    expect(sent('POST', `/DeadLetterQueue/${f.ids.dl1}/discard`)[0].body).toEqual({ notes: 'duplicate order' });
  });

  it('requeues the selected entries, one outcome each', async () => {
    server.use(
      http.post(`${API}/DeadLetterQueue/:id/requeue`, ({ params }) =>
        params.id === f.ids.dl2
          ? problem(409, 'Dead letter not resolvable', 'DeadLetterQueue is REQUEUED already')
          : HttpResponse.json(f.deadLetter(f.ids.dl1, f.ids.running, { status: 'REQUEUED' })),
      ),
    );
    const { user } = renderApp('/dead-letters', 'operator');
    await screen.findByRole('table', { name: 'Dead letters' });
    await user.click(screen.getByRole('checkbox', { name: 'Select every quarantined entry on this page' }));
    await user.click(screen.getByRole('button', { name: 'Requeue selected (2)' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Requeue 2 dead letters?')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Requeue 2' }));
    const outcome = await within(dialog).findByRole('table', { name: 'Outcome per item' });
    expect(within(outcome).getByText('now requeued')).toBeInTheDocument();
    expect(within(outcome).getByText(/REQUEUED already/)).toBeInTheDocument();
  });

  it('discards every entry matching the filter: the count first, then the bulk call until none remain', async () => {
    let round = 0;
    server.use(
      http.post(`${API}/DeadLetterQueue/bulk-discard`, () => {
        round += 1;
        return HttpResponse.json(
          round === 1 ? { count: 1, ids: [f.ids.dl1], remaining: 1 } : { count: 1, ids: [f.ids.dl2], remaining: 0 },
        );
      }),
    );
    const { user } = renderApp(`/dead-letters?reason=permanent_error`, 'operator');
    await screen.findByRole('table', { name: 'Dead letters' });
    const all = await screen.findByRole('button', { name: 'Discard all matching (2)' });
    const count = sent('GET', '/DeadLetterQueue/count').at(-1)!;
    expect(Object.fromEntries(count.query)).toMatchObject({ status: 'QUARANTINED', reason: 'permanent_error' });
    await waitFor(() => expect(all).toBeEnabled());
    await user.click(all);
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Discard 2' }));
    expect(await within(dialog).findByText('Notes are required to discard')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Notes'), 'obsolete orders');
    await user.click(within(dialog).getByRole('button', { name: 'Discard 2' }));
    const outcome = await within(dialog).findByRole('table', { name: 'Outcome per item' });
    expect(within(outcome).getAllByText('discarded')).toHaveLength(2);
    await settled();
    const bulk = calls.filter((c) => c.path === '/DeadLetterQueue/bulk-discard');
    expect(bulk).toHaveLength(2);
    expect(bulk[0].body).toEqual({ filter: { reason: 'permanent_error' }, limit: 1000, notes: 'obsolete orders' });
  });

  it('says when nothing is quarantined', async () => {
    server.use(
      http.get(`${API}/DeadLetterQueue`, () => HttpResponse.json({ items: [], nextCursor: null })),
      http.get(`${API}/DeadLetterQueue/count`, () => HttpResponse.json({ count: 0 })),
    );
    renderApp('/dead-letters', 'operator');
    expect(await screen.findByText('Nothing is quarantined')).toBeInTheDocument();
    const all = screen.getByRole('button', { name: 'Requeue all matching (0)' });
    expect(all).toBeDisabled();
  });
});
