import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import * as f from '../../../test/fixtures';
import { renderApp } from '../../../test/render';
import { API, calls, problem, sent, server } from '../../../test/server';

const rowOf = (id: string) => document.querySelector(`tr[data-execution-id="${id}"]`) as HTMLElement;

describe('the executions monitor', () => {
  it('shows executions newest first in a table, with counts per status', async () => {
    renderApp('/executions');
    expect(await screen.findByRole('heading', { level: 1, name: 'Executions' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Executions' });
    expect(within(table).getAllByRole('row')).toHaveLength(4); // header + 3
    expect(within(rowOf(f.ids.running)).getByText('RUNNING')).toBeInTheDocument();
    expect(within(rowOf(f.ids.running)).getByRole('link', { name: '0a1b2c3d' })).toHaveAttribute(
      'href',
      `/executions/${f.ids.running}`,
    );
    expect(within(rowOf(f.ids.done)).getByText('charge-and-notify')).toBeInTheDocument();
    expect(await screen.findByText('Running 1')).toBeInTheDocument();
    expect(screen.getByText('All 3')).toBeInTheDocument();
    // the actions the state machine allows, per row
    expect(within(rowOf(f.ids.running)).getByRole('button', { name: 'Pause' })).toBeEnabled();
    expect(within(rowOf(f.ids.paused)).getByRole('button', { name: 'Resume' })).toBeEnabled();
    expect(within(rowOf(f.ids.done)).queryByRole('button')).toBeNull();
  });

  it('says which pending executions wait for a concurrency slot', async () => {
    const waiting = f.execution(f.ids.paused, 'PENDING', { concurrencyKey: 'c1', startedAt: null });
    const later = f.execution(f.ids.done, 'PENDING', { concurrencyKey: 'c1', startAt: '2999-01-01T00:00:00Z' });
    server.use(
      http.get(`${API}/WorkflowExecution`, () =>
        HttpResponse.json({ items: [f.execution(f.ids.running, 'RUNNING'), waiting, later], nextCursor: null }),
      ),
    );
    renderApp('/executions');
    await screen.findByRole('table', { name: 'Executions' });
    await waitFor(() => expect(within(rowOf(f.ids.paused)).getByText('waiting for a slot')).toBeInTheDocument());
    expect(within(rowOf(f.ids.paused)).getByText('waiting for a slot')).toHaveAttribute('title', 'concurrency key c1');
    expect(within(rowOf(f.ids.done)).queryByText('waiting for a slot')).toBeNull(); // its start is to come
    expect(within(rowOf(f.ids.running)).queryByText('waiting for a slot')).toBeNull();
  });

  it('filters by status, workflow, time range and id, in the request and the address', async () => {
    const { user } = renderApp(
      `/executions?status=FAILED&workflowId=${f.ids.wf}&from=2026-12-01T00:00:00.000Z&id=aaaa`,
    );
    await screen.findByRole('table', { name: 'Executions' });
    const list = sent('GET', '/WorkflowExecution').at(-1)!;
    expect(Object.fromEntries(list.query)).toMatchObject({
      status: 'FAILED',
      workflowId: f.ids.wf,
      createdAfter: '2026-12-01T00:00:00.000Z',
      idPrefix: 'aaaa',
    });
    const count = sent('GET', '/WorkflowExecution/counts').at(-1)!;
    expect(count.query.get('status')).toBeNull(); // counts are per status
    expect(count.query.get('idPrefix')).toBe('aaaa');

    await user.click(screen.getByText('Clear filters'));
    await waitFor(() => expect(sent('GET', '/WorkflowExecution').at(-1)!.query.get('status')).toBeNull());
    await user.click(screen.getByText('Paused 1'));
    await waitFor(() => expect(sent('GET', '/WorkflowExecution').at(-1)!.query.get('status')).toBe('PAUSED'));
    await user.type(screen.getByLabelText('Execution id'), 'zz');
    expect(await screen.findByText('hexadecimal digits and dashes')).toBeInTheDocument();
  });

  it('pauses from the row, and says in words why the service refused', async () => {
    server.use(
      http.post(`${API}/WorkflowExecution/:id/pause`, () =>
        problem(
          409,
          'Invalid execution transition',
          'cannot pause execution x: it is COMPLETED (only RUNNING executions can be paused)',
        ),
      ),
    );
    const { user } = renderApp('/executions', 'operator');
    await screen.findByRole('table', { name: 'Executions' });
    await user.click(within(rowOf(f.ids.running)).getByRole('button', { name: 'Pause' }));
    expect(await screen.findByText(/only RUNNING executions can be paused/)).toBeInTheDocument();
    expect(sent('POST', `/WorkflowExecution/${f.ids.running}/pause`)).toHaveLength(1);
  });

  it('cancels in bulk after a confirmation, with an outcome per execution', async () => {
    server.use(
      http.post(`${API}/WorkflowExecution/:id/cancel`, ({ params }) =>
        params.id === f.ids.paused
          ? problem(409, 'Invalid execution transition', 'cannot cancel execution: it is CANCELLED')
          : HttpResponse.json(f.execution(String(params.id), 'CANCELLED')),
      ),
    );
    const { user } = renderApp('/executions', 'operator');
    await screen.findByRole('table', { name: 'Executions' });
    await user.click(screen.getByRole('checkbox', { name: 'Select execution 0a1b2c3d' }));
    await user.click(within(rowOf(f.ids.paused)).getByRole('checkbox'));
    await user.click(screen.getByRole('button', { name: 'Cancel selected (2)' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Cancel 2 executions?')).toBeInTheDocument();
    expect(sent('POST', `/WorkflowExecution/${f.ids.running}/cancel`)).toHaveLength(0); // not before confirming
    await user.click(within(dialog).getByRole('button', { name: 'Cancel 2 executions' }));
    const outcome = await within(dialog).findByRole('table', { name: 'Outcome per item' });
    expect(within(outcome).getByText('now cancelled')).toBeInTheDocument();
    expect(within(outcome).getByText(/it is CANCELLED/)).toBeInTheDocument();
    expect(within(dialog).getByText('Cancel: 1 done, 1 not done.')).toBeInTheDocument();
  });

  it('shows a viewer every action disabled, with the reason', async () => {
    renderApp('/executions', 'viewer');
    await screen.findByRole('table', { name: 'Executions' });
    const pause = await within(rowOf(f.ids.running)).findByRole('button', { name: 'Pause' });
    await waitFor(() => expect(pause).toBeDisabled());
    expect(pause.closest('[data-disabled-reason]')).toHaveAttribute(
      'data-disabled-reason',
      'Your key "viewer-key" has the viewer role, which may not pause executions.',
    );
    expect(sent('POST', `/WorkflowExecution/${f.ids.running}/pause`)).toHaveLength(0);
  });

  it('says what to do when there is nothing', async () => {
    server.use(http.get(`${API}/WorkflowExecution`, () => HttpResponse.json({ items: [], nextCursor: null })));
    renderApp('/executions');
    expect(await screen.findByText('No executions match')).toBeInTheDocument();
    expect(
      within(screen.getByText('No executions match').parentElement!).getByRole('link', { name: 'Workflows' }),
    ).toHaveAttribute('href', '/workflows');
  });

  it('shows a failing service as an error with a retry', async () => {
    let fail = true;
    server.use(
      http.get(`${API}/WorkflowExecution`, () =>
        fail
          ? problem(503, 'Service Unavailable', 'database down')
          : HttpResponse.json({ items: f.executions, nextCursor: null }),
      ),
    );
    const { user } = renderApp('/executions');
    expect(await screen.findByRole('alert')).toHaveTextContent('database down');
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Executions' })).toBeInTheDocument();
  });

  it('pages to older executions with the cursor, kept in the address', async () => {
    server.use(
      http.get(`${API}/WorkflowExecution`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        return HttpResponse.json(
          cursor
            ? { items: [f.executions[2]], nextCursor: null }
            : { items: f.executions.slice(0, 2), nextCursor: 'c2' },
        );
      }),
    );
    const { user } = renderApp('/executions');
    await screen.findByRole('table', { name: 'Executions' });
    await user.click(screen.getByRole('button', { name: 'Older' }));
    await waitFor(() => expect(rowOf(f.ids.done)).not.toBeNull());
    expect(calls.some((c) => c.query.get('cursor') === 'c2')).toBe(true);
    expect(screen.getByRole('button', { name: 'Newest' })).toBeInTheDocument();
  });

  it('can switch auto-refresh off (kept in the address)', async () => {
    const { user } = renderApp('/executions');
    await screen.findByRole('table', { name: 'Executions' });
    expect(screen.getByTestId('refresh-state')).toHaveTextContent(/every \d+ s/);
    await user.click(screen.getByRole('switch', { name: 'Auto-refresh' }));
    expect(screen.getByTestId('refresh-state')).toHaveTextContent('off');
  });
});
