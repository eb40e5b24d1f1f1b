import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import * as f from '../../../test/fixtures';
import { renderApp } from '../../../test/render';
import { API, sent, server, settled } from '../../../test/server';

describe('schedules', () => {
  it('lists each schedule: workflow, cadence, overlap, next and last firing', async () => {
    renderApp('/schedules');
    expect(await screen.findByRole('heading', { level: 1, name: 'Schedules' })).toBeInTheDocument();
    const row = within(await screen.findByRole('table', { name: 'Schedules' })).getAllByRole('row')[1];
    expect(row).toHaveTextContent('0 6 * * MON-FRI (Europe/Paris)');
    expect(row).toHaveTextContent('SKIP');
    expect(within(row).getAllByRole('time')).toHaveLength(2);
  });

  it('pauses a schedule with its other fields unchanged, and fires one now', async () => {
    server.use(
      http.put(`${API}/Schedule/:id`, () => HttpResponse.json({ ...f.schedules[0], paused: true })),
      http.post(`${API}/Schedule/:id/trigger`, () =>
        HttpResponse.json({ ...f.executions[0], scheduleId: f.ids.schedule }, { status: 201 }),
      ),
    );
    const { user } = renderApp('/schedules');
    await screen.findByRole('table', { name: 'Schedules' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled());
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    expect(await screen.findByText('Schedule paused')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Fire now' }));
    expect(await screen.findByText('Fired: an execution started')).toBeInTheDocument();
    await settled();
    const body = sent('PUT', `/Schedule/${f.ids.schedule}`)[0].body as Record<string, unknown>;
    expect(body).toMatchObject({ paused: true, cron: '0 6 * * MON-FRI', overlap: 'SKIP' });
    expect(sent('POST', `/Schedule/${f.ids.schedule}/trigger`)).toHaveLength(1);
  });

  it('shows a viewer the actions disabled', async () => {
    renderApp('/schedules', 'viewer');
    await screen.findByRole('table', { name: 'Schedules' });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Fire now' }).closest('[data-disabled-reason]')).not.toBeNull(),
    );
  });

  it("shows an execution's schedule and delayed start", async () => {
    const scheduled = { ...f.executions[0], status: 'PENDING', startAt: f.at(600), scheduleId: f.ids.schedule };
    server.use(http.get(`${API}/WorkflowExecution/:id`, () => HttpResponse.json(scheduled)));
    renderApp(`/executions/${f.ids.running}`);
    expect(await screen.findByTestId('schedule-id')).toHaveTextContent(f.ids.schedule.slice(0, 8));
    expect(screen.getByText('Starts at')).toBeInTheDocument();
  });
});
