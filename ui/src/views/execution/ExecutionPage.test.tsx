import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import * as f from '../../../test/fixtures';
import { renderApp } from '../../../test/render';
import { API, problem, sent, server } from '../../../test/server';

describe('one execution', () => {
  it('shows its DAG coloured by run state, its runs on a timeline and in a table', async () => {
    renderApp(`/executions/${f.ids.running}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Execution' })).toBeInTheDocument();
    const charge = await screen.findByTestId('dag-node-charge');
    expect(charge).toHaveAttribute('data-status', 'SUCCEEDED');
    expect(charge).toHaveTextContent('attempt 2');
    expect(screen.getByTestId('dag-node-receipt')).toHaveAttribute('data-status', 'LEASED');
    expect(screen.getByTestId('dag-node-email')).toHaveTextContent('NOT STARTED');
    expect(screen.getByRole('figure', { name: 'Steps of the execution' })).toBeInTheDocument();
    // the timeline: each attempt, with its dispatch latency
    const timeline = screen.getByTestId('timeline');
    expect(within(timeline).getByLabelText(/charge attempt 1: FAILED, dispatch 250 ms, ran 50 ms/)).toBeInTheDocument();
    expect(within(timeline).getByLabelText(/receipt attempt 1: LEASED, dispatch 200 ms/)).toBeInTheDocument();
    const runs = screen.getByRole('table', { name: 'Runs' });
    expect(within(runs).getAllByRole('row')).toHaveLength(4);
    expect(within(runs).getAllByText('host:1:runner')).toHaveLength(3);
    expect(screen.getByText('of')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'charge-and-notify' })).toHaveAttribute('href', `/workflows/${f.ids.wf}`);
    expect(sent('GET', '/Run').at(-1)!.query.get('executionId')).toBe(f.ids.running);
    expect(screen.getByRole('link', { name: '2 (2 open)' })).toHaveAttribute(
      'href',
      `/dead-letters?executionId=${f.ids.running}&status=all`,
    );
  });

  it('shows the priority and the concurrency key of an execution waiting for a slot', async () => {
    server.use(
      http.get(`${API}/WorkflowExecution/:id`, () =>
        HttpResponse.json(
          f.execution(f.ids.running, 'PENDING', { priority: 2, concurrencyKey: 'c1', startedAt: null }),
        ),
      ),
    );
    renderApp(`/executions/${f.ids.running}`);
    expect(await screen.findByTestId('concurrency-key')).toHaveTextContent('c1');
    expect(screen.getByTestId('priority')).toHaveTextContent('2');
    expect(screen.getByText('waiting for a slot')).toBeInTheDocument();
  });

  it('says nothing about slots for a running execution with a key', async () => {
    server.use(
      http.get(`${API}/WorkflowExecution/:id`, () =>
        HttpResponse.json(f.execution(f.ids.running, 'RUNNING', { priority: 5, concurrencyKey: 'c1' })),
      ),
    );
    renderApp(`/executions/${f.ids.running}`);
    expect(await screen.findByTestId('concurrency-key')).toHaveTextContent('c1');
    expect(screen.queryByText('waiting for a slot')).toBeNull();
  });

  it('opens a step: its attempts, inputs, output and error, kept in the address', async () => {
    const { user } = renderApp(`/executions/${f.ids.running}`);
    // a plain click: the graph's pan handler reads a mousedown's window, which jsdom leaves out
    fireEvent.click(await screen.findByTestId('dag-node-charge'));
    expect(await screen.findByRole('heading', { name: 'Step charge' })).toBeInTheDocument();
    const runs = screen.getByRole('table', { name: 'Runs' });
    expect(within(runs).getAllByRole('row')).toHaveLength(3); // two attempts of charge
    expect(screen.getByRole('heading', { name: 'Timeline of charge' })).toBeInTheDocument();
    expect(screen.getByLabelText('Output')).toHaveTextContent('ch_1');
    await user.click(screen.getByRole('button', { name: 'Show all steps' }));
    expect(screen.queryByRole('heading', { name: 'Step charge' })).toBeNull();
  });

  it('pauses, and puts a 409 from the state machine in words', async () => {
    server.use(
      http.post(`${API}/WorkflowExecution/:id/pause`, () =>
        problem(
          409,
          'Invalid execution transition',
          'cannot pause execution: it is COMPLETED (only RUNNING executions can be paused)',
        ),
      ),
    );
    const { user } = renderApp(`/executions/${f.ids.running}`, 'operator');
    const pause = await screen.findByRole('button', { name: 'Pause' });
    await waitFor(() => expect(pause).toBeEnabled());
    expect(screen.getByRole('button', { name: 'Resume' })).toBeDisabled(); // running: nothing to resume
    await user.click(pause);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not pause this execution');
    expect(alert).toHaveTextContent('only RUNNING executions can be paused');
  });

  it('stops refreshing a finished execution and shows its control history', async () => {
    server.use(
      http.get(`${API}/WorkflowExecution/:id`, () =>
        HttpResponse.json(
          f.execution(f.ids.done, 'CANCELLED', {
            controlHistory: [
              {
                action: 'cancel',
                actor: 'night-operator',
                at: f.at(12),
                fromStatus: 'RUNNING',
                toStatus: 'CANCELLED',
                runsChanged: 2,
              },
            ],
          }),
        ),
      ),
      http.get(`${API}/WorkflowExecution/:id/graph`, () => HttpResponse.json({ ...f.graph, status: 'CANCELLED' })),
      http.get(`${API}/Run`, () => HttpResponse.json({ items: f.runs.slice(0, 2), nextCursor: null })),
    );
    renderApp(`/executions/${f.ids.done}`);
    expect(await screen.findByText('finished: not refreshing')).toBeInTheDocument();
    const history = screen.getByRole('table', { name: 'Control history' });
    expect(within(history).getByText('night-operator')).toBeInTheDocument();
    expect(within(history).getByText('cancel')).toBeInTheDocument();
    for (const verb of ['Pause', 'Resume', 'Cancel']) expect(screen.getByRole('button', { name: verb })).toBeDisabled();
  });

  it('refreshes until the graph and the runs have caught up with a finished execution', async () => {
    // the execution's read says COMPLETED while the graph's, made a moment earlier, still
    // shows a step running: one more refresh must bring the graph to the end
    let graphReads = 0;
    server.use(
      http.get(`${API}/WorkflowExecution/:id`, () => HttpResponse.json(f.execution(f.ids.running, 'COMPLETED'))),
      http.get(`${API}/WorkflowExecution/:id/graph`, () => {
        graphReads += 1;
        const done = graphReads > 1;
        return HttpResponse.json({
          ...f.graph,
          status: done ? 'COMPLETED' : 'RUNNING',
          nodes: f.graph.nodes.map((n) => ({ ...n, status: done ? 'SUCCEEDED' : n.status })),
        });
      }),
      http.get(`${API}/Run`, () =>
        HttpResponse.json({ items: graphReads > 1 ? f.runs.slice(0, 2) : f.runs, nextCursor: null }),
      ),
    );
    renderApp(`/executions/${f.ids.running}`);
    expect(await screen.findByTestId('dag-node-receipt')).toHaveAttribute('data-status', 'LEASED');
    expect(screen.getByTestId('refresh-state')).toHaveTextContent(/every \d+ s/);
    await waitFor(() => expect(screen.getByTestId('dag-node-receipt')).toHaveAttribute('data-status', 'SUCCEEDED'), {
      timeout: 8000,
    });
    expect(await screen.findByText('finished: not refreshing', {}, { timeout: 8000 })).toBeInTheDocument();
  });

  it('says so when there is no such execution', async () => {
    renderApp('/executions/99999999-0000-4000-8000-000000000000');
    expect(await screen.findByText('There is no execution with this id')).toBeInTheDocument();
  });
});

describe('a step waiting for a signal', () => {
  const waiting = (signal: string) => ({
    ...f.run('r-w', 'approval', 1, 'WAITING', [12, null, null]),
    module: 'wait',
    config: { signal },
    leaseOwner: null,
  });

  it('shows it with an Approve button that sends the signal named approved', async () => {
    server.use(
      http.get(`${API}/Run`, () => HttpResponse.json({ items: [...f.runs, waiting('approved')], nextCursor: null })),
      http.post(`${API}/WorkflowExecution/:id/signal`, () =>
        HttpResponse.json({ id: 's-1', name: 'approved', payload: { approved: true } }, { status: 201 }),
      ),
    );
    const { user } = renderApp(`/executions/${f.ids.running}`, 'operator');
    const step = await screen.findByTestId('waiting-approval');
    expect(step).toHaveTextContent('waits for signal approved');
    const approve = within(step).getByRole('button', { name: 'Approve' });
    await waitFor(() => expect(approve).toBeEnabled());
    await user.click(approve);
    await waitFor(() => expect(sent('POST', `/WorkflowExecution/${f.ids.running}/signal`)).toHaveLength(1));
    expect(sent('POST', `/WorkflowExecution/${f.ids.running}/signal`)[0].body).toEqual({
      name: 'approved',
      payload: { approved: true },
    });
  });

  it('sends any other signal with a JSON payload, and has no Approve for it', async () => {
    server.use(
      http.get(`${API}/Run`, () => HttpResponse.json({ items: [waiting('shipped')], nextCursor: null })),
      http.post(`${API}/WorkflowExecution/:id/signal`, () =>
        problem(409, 'Execution finished', 'cannot signal execution: it is CANCELLED'),
      ),
    );
    const { user } = renderApp(`/executions/${f.ids.running}`, 'operator');
    const step = await screen.findByTestId('waiting-approval');
    expect(within(step).queryByRole('button', { name: 'Approve' })).toBeNull();
    fireEvent.change(within(step).getByLabelText('Payload (JSON)'), { target: { value: '{"tracking": "T1"}' } });
    const send = within(step).getByRole('button', { name: 'Send signal' });
    await waitFor(() => expect(send).toBeEnabled());
    await user.click(send);
    expect(await within(step).findByRole('alert')).toHaveTextContent('it is CANCELLED');
    expect(sent('POST', `/WorkflowExecution/${f.ids.running}/signal`)[0].body).toEqual({
      name: 'shipped',
      payload: { tracking: 'T1' },
    });
  });
});
