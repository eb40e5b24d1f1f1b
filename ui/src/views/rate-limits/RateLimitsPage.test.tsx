import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import * as f from '../../../test/fixtures';
import { renderApp } from '../../../test/render';
import { API, problem, sent, server, settled } from '../../../test/server';

describe('rate limits', () => {
  it('lists each rate limit: key, rate, burst and the tokens it holds now', async () => {
    renderApp('/rate-limits');
    expect(await screen.findByRole('heading', { level: 1, name: 'Rate limits' })).toBeInTheDocument();
    const row = within(await screen.findByRole('table', { name: 'Rate limits' })).getAllByRole('row')[1];
    const cells = within(row).getAllByRole('cell');
    expect(cells.slice(0, 4).map((c) => c.textContent)).toEqual(['payments-api', '5', '10', '7.3']);
    expect(screen.getByRole('link', { name: 'Rate limits' })).toBeInTheDocument();
  });

  it('creates a rate limit, shows a duplicate key as the problem it is', async () => {
    let calls = 0;
    server.use(
      http.post(`${API}/RateLimit`, async ({ request }) => {
        calls += 1;
        if (calls === 1) return problem(409, 'Conflict', "a RateLimit with key 'payments-api' exists");
        const body = (await request.json()) as Record<string, unknown>;
        return HttpResponse.json({ ...f.rateLimits[0], ...body, id: f.ids.rateLimit }, { status: 201 });
      }),
    );
    const { user } = renderApp('/rate-limits');
    await screen.findByRole('table', { name: 'Rate limits' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'New rate limit' })).toBeEnabled());
    await user.click(screen.getByRole('button', { name: 'New rate limit' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Key'), 'payments-api');
    await user.clear(within(dialog).getByLabelText('Runs per second'));
    await user.type(within(dialog).getByLabelText('Runs per second'), '2.5');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText(/exists/)).toBeInTheDocument();
    await user.clear(within(dialog).getByLabelText('Key'));
    await user.type(within(dialog).getByLabelText('Key'), 'mail-api');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Rate limit mail-api saved')).toBeInTheDocument();
    await settled();
    const bodies = sent('POST', '/RateLimit').map((c) => c.body);
    expect(bodies).toEqual([
      { key: 'payments-api', perSecond: 2.5, burst: 1 },
      { key: 'mail-api', perSecond: 2.5, burst: 1 },
    ]);
  });

  it('edits the rate and burst (the key stays) and deletes after asking', async () => {
    server.use(
      http.put(`${API}/RateLimit/:id`, () => HttpResponse.json({ ...f.rateLimits[0], burst: 20 })),
      http.delete(`${API}/RateLimit/:id`, () => new HttpResponse(null, { status: 204 })),
    );
    const { user } = renderApp('/rate-limits');
    await screen.findByRole('table', { name: 'Rate limits' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Edit' })).toBeEnabled());
    await user.click(screen.getByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Key')).toBeDisabled();
    await user.clear(within(dialog).getByLabelText('Burst (tokens at most)'));
    await user.type(within(dialog).getByLabelText('Burst (tokens at most)'), '20');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Rate limit payments-api saved')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    const confirm = await screen.findByRole('dialog');
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Rate limit payments-api deleted')).toBeInTheDocument();
    await settled();
    expect(sent('PUT', `/RateLimit/${f.ids.rateLimit}`)[0].body).toEqual({ perSecond: 5, burst: 20 });
    expect(sent('DELETE', `/RateLimit/${f.ids.rateLimit}`)).toHaveLength(1);
  });

  it('shows a viewer every write disabled, with the reason', async () => {
    renderApp('/rate-limits', 'viewer');
    await screen.findByRole('table', { name: 'Rate limits' });
    for (const name of ['New rate limit', 'Edit', 'Delete']) {
      await waitFor(() => expect(screen.getByRole('button', { name })).toBeDisabled());
      expect(screen.getByRole('button', { name }).closest('[data-disabled-reason]')).not.toBeNull();
    }
  });
});
