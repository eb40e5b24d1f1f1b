import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import * as f from '../../../test/fixtures';
import { renderApp } from '../../../test/render';
import { API, problem, sent, server, settled } from '../../../test/server';

const definition = (steps: unknown[]) => JSON.stringify({ name: 'new-flow', steps }, null, 2);

// typing JSON key by key is slow and needs escaping: set the editor's text at once
function setEditor(text: string) {
  fireEvent.change(screen.getByRole('textbox', { name: 'Definition' }), { target: { value: text } });
}

describe('the workflow studio', () => {
  it('lists workflows and opens one with its definition beside its DAG', async () => {
    renderApp('/workflows');
    expect(await screen.findByRole('heading', { level: 1, name: 'Workflows' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Workflows' });
    expect(within(table).getByRole('link', { name: 'charge-and-notify' })).toHaveAttribute(
      'href',
      `/workflows/${f.ids.wf}`,
    );
    renderApp(`/workflows/${f.ids.wf}`);
    expect(await screen.findByRole('heading', { level: 2, name: 'charge-and-notify' })).toBeInTheDocument();
    expect(await screen.findByTestId('dag-node-charge')).toBeInTheDocument();
    expect(screen.getByTestId('dag-node-email')).toBeInTheDocument();
    expect(screen.getByText('editing version 2: saving stores version 3')).toBeInTheDocument();
  });

  it('previews the DAG as the definition is typed, and marks bad steps before saving', async () => {
    renderApp('/workflows/new');
    await screen.findByRole('heading', { level: 2, name: 'New workflow' });
    expect(await screen.findByTestId('dag-node-fetch')).toBeInTheDocument(); // the starting example
    setEditor(
      definition([
        { key: 'a', module: 'noop', dependsOn: ['b'] },
        { key: 'b', module: 'noop', dependsOn: ['a'] },
        { key: 'c', module: 'noop', dependsOn: ['zz'] },
      ]),
    );
    const problems = await screen.findByRole('list', { name: 'Problems' });
    expect(within(problems).getAllByText(/is part of a cycle/)).toHaveLength(2);
    expect(within(problems).getByText(/depends on an unknown step zz/)).toBeInTheDocument();
    expect(screen.getByTestId('dag-node-c')).toHaveAttribute('title', 'depends on an unknown step zz');
    setEditor('{"name": ');
    expect(await screen.findByText(/Not valid JSON yet/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled());
  });

  it('creates a workflow and opens it', async () => {
    const created = { ...f.workflow, id: '22222222-2222-4222-8222-222222222222', name: 'new-flow', version: 1 };
    server.use(
      http.post(`${API}/Workflow`, () => HttpResponse.json(created, { status: 201 })),
      http.get(`${API}/Workflow/:id`, () => HttpResponse.json(created)),
    );
    const { user } = renderApp('/workflows/new');
    await screen.findByRole('heading', { level: 2, name: 'New workflow' });
    setEditor(definition([{ key: 'only', module: 'noop' }]));
    const save = screen.getByRole('button', { name: 'Save' });
    await waitFor(() => expect(save).toBeEnabled());
    await user.click(save);
    expect(await screen.findByRole('heading', { level: 2, name: 'new-flow' })).toBeInTheDocument();
    await settled();
    expect(sent('POST', '/Workflow')[0].body).toEqual({ name: 'new-flow', steps: [{ key: 'only', module: 'noop' }] });
  });

  it('shows the service’s validation errors on the step they name', async () => {
    server.use(
      http.put(`${API}/Workflow/:id`, () =>
        problem(400, 'Invalid workflow', "step 'receipt': unknown module config", {
          errors: [{ step: 'receipt', field: 'config', message: 'initialBackoffSeconds is above maxBackoffSeconds' }],
        }),
      ),
    );
    const { user } = renderApp(`/workflows/${f.ids.wf}`);
    await screen.findByTestId('dag-node-receipt');
    setEditor(JSON.stringify({ name: 'charge-and-notify', steps: f.workflow.steps.slice(0, 2) }, null, 2));
    const save = screen.getByRole('button', { name: 'Save' });
    await waitFor(() => expect(save).toBeEnabled());
    await user.click(save);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Invalid workflow');
    expect(alert).toHaveTextContent('step receipt (config): initialBackoffSeconds is above maxBackoffSeconds');
    await waitFor(() =>
      expect(screen.getByTestId('dag-node-receipt')).toHaveAttribute(
        'title',
        'initialBackoffSeconds is above maxBackoffSeconds',
      ),
    );
    expect(sent('PUT', `/Workflow/${f.ids.wf}`)).toHaveLength(1);
  });

  it('shows the version history with a diff between two versions', async () => {
    renderApp(`/workflows/${f.ids.wf}?tab=history`);
    const versions = await screen.findByRole('table', { name: 'Versions' });
    expect(within(versions).getAllByRole('row')).toHaveLength(3);
    const diff = await screen.findByLabelText('Differences between version 1 and 2');
    expect(diff.querySelector('[data-kind="removed"]')).toHaveTextContent('"description": "Charge"');
    expect(diff.querySelector('[data-kind="added"]')).toHaveTextContent('"description": "Charge, then send a receipt"');
    expect(screen.getByRole('status')).toHaveTextContent(/v1 → v2: \d+ lines added, 1 removed/);
  });

  it('starts an execution with inputs and an Idempotency-Key, and lands on it', async () => {
    server.use(
      http.post(`${API}/WorkflowExecution`, () =>
        HttpResponse.json(f.execution(f.ids.running, 'RUNNING'), { status: 201 }),
      ),
    );
    const { user } = renderApp(`/workflows/${f.ids.wf}`, 'operator');
    const start = await screen.findByRole('button', { name: 'Start execution' });
    await waitFor(() => expect(start).toBeEnabled());
    await user.click(start);
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Inputs'), { target: { value: '[1]' } });
    await user.click(within(dialog).getByRole('button', { name: 'Start execution' }));
    expect(await within(dialog).findByText('The inputs must be a JSON object')).toBeInTheDocument();
    fireEvent.change(within(dialog).getByLabelText('Inputs'), { target: { value: '{"amount": 42}' } });
    await user.type(within(dialog).getByLabelText('Idempotency-Key'), 'order-7');
    await user.click(within(dialog).getByRole('button', { name: 'Start execution' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Execution' })).toBeInTheDocument();
    expect(screen.getByText('Started an execution of charge-and-notify')).toBeInTheDocument();
    await settled();
    const post = sent('POST', '/WorkflowExecution')[0];
    expect(post.body).toEqual({ workflowId: f.ids.wf, inputs: { amount: 42 } });
    expect(post.headers.get('idempotency-key')).toBe('order-7');
  });

  it('says when a start opened an execution that existed already (a 200, not a 201)', async () => {
    server.use(
      http.post(`${API}/WorkflowExecution`, () =>
        HttpResponse.json(f.execution(f.ids.running, 'RUNNING'), { status: 200 }),
      ),
    );
    const { user } = renderApp(`/workflows/${f.ids.wf}`, 'operator');
    const start = await screen.findByRole('button', { name: 'Start execution' });
    await waitFor(() => expect(start).toBeEnabled());
    await user.click(start);
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Start execution' }));
    expect(await screen.findByText(/The same inputs started this execution before/)).toBeInTheDocument();
    expect(await screen.findByRole('heading', { level: 1, name: 'Execution' })).toBeInTheDocument();
  });

  it('shows the concurrency limit, keeps it in the definition, and starts with a priority', async () => {
    const limit = { key: '${inputs.customerId}', limit: 1 };
    server.use(
      http.get(`${API}/Workflow/:id`, () => HttpResponse.json({ ...f.workflow, concurrency: limit })),
      http.post(`${API}/WorkflowExecution`, () =>
        HttpResponse.json(f.execution(f.ids.running, 'RUNNING', { priority: 8 }), { status: 201 }),
      ),
    );
    const { user } = renderApp(`/workflows/${f.ids.wf}`, 'operator');
    expect(await screen.findByTestId('concurrency-limit')).toHaveTextContent(
      'at most 1 running per ${inputs.customerId}',
    );
    // an editor save sends the limit back: leaving it out would remove it
    const definitionText = (screen.getByRole('textbox', { name: 'Definition' }) as HTMLTextAreaElement).value;
    expect(JSON.parse(definitionText).concurrency).toEqual(limit);
    const start = screen.getByRole('button', { name: 'Start execution' });
    await waitFor(() => expect(start).toBeEnabled());
    await user.click(start);
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Inputs'), { target: { value: '{"customerId": "c1"}' } });
    await user.type(within(dialog).getByLabelText('Priority'), '8');
    await user.click(within(dialog).getByRole('button', { name: 'Start execution' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Execution' })).toBeInTheDocument();
    await settled();
    expect(sent('POST', '/WorkflowExecution')[0].body).toEqual({
      workflowId: f.ids.wf,
      inputs: { customerId: 'c1' },
      priority: 8,
    });
  });

  it('lets an operator start executions but not edit definitions', async () => {
    renderApp(`/workflows/${f.ids.wf}`, 'operator');
    await screen.findByTestId('dag-node-charge');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Start execution' })).toBeEnabled());
    expect(screen.getByRole('button', { name: 'Save' }).closest('[data-disabled-reason]')).toHaveAttribute(
      'data-disabled-reason',
      'Your key "operator-key" has the operator role, which may not change workflows.',
    );
  });

  it('says what to do when there is no workflow yet', async () => {
    server.use(http.get(`${API}/Workflow`, () => HttpResponse.json({ items: [], nextCursor: null })));
    renderApp('/workflows');
    expect(await screen.findByText('No workflows yet')).toBeInTheDocument();
  });
});
