import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import * as f from '../../../test/fixtures';
import { renderApp } from '../../../test/render';
import { API, problem, sent, server, settled } from '../../../test/server';

describe('circuit breakers', () => {
  it('shows each breaker: state, failures, last error, when it tries again', async () => {
    renderApp('/circuit-breakers?state=OPEN');
    expect(await screen.findByRole('heading', { level: 1, name: 'Circuit breakers' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Circuit breakers' });
    const row = within(table).getAllByRole('row')[1];
    expect(row).toHaveTextContent('payments');
    expect(row).toHaveTextContent('OPEN');
    expect(row).toHaveTextContent('5 / 5');
    expect(row).toHaveTextContent('HTTP 503 from payments');
    expect(within(row).getAllByRole('time')).toHaveLength(3);
    expect(sent('GET', '/CircuitBreakerState').at(-1)!.query.get('state')).toBe('OPEN');
  });

  it('resets a breaker', async () => {
    server.use(
      http.post(`${API}/CircuitBreakerState/:id/reset`, () =>
        HttpResponse.json({ ...f.breakers[0], state: 'CLOSED', failureCount: 0 }),
      ),
    );
    const { user } = renderApp('/circuit-breakers');
    await screen.findByRole('table', { name: 'Circuit breakers' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Reset' })).toBeEnabled());
    await user.click(screen.getByRole('button', { name: 'Reset' }));
    expect(await screen.findByText('payments is closed again: the runs it held are ready')).toBeInTheDocument();
    expect(sent('POST', `/CircuitBreakerState/${f.ids.breaker}/reset`)).toHaveLength(1);
  });

  it('edits thresholds, and shows a refusal at the form', async () => {
    let refuse = true;
    server.use(
      http.put(`${API}/CircuitBreakerState/:id`, () =>
        refuse
          ? problem(400, 'Bad Request', 'failureThreshold: 0 is less than the minimum of 1')
          : HttpResponse.json(f.breakers[0]),
      ),
    );
    const { user } = renderApp('/circuit-breakers');
    await screen.findByRole('table', { name: 'Circuit breakers' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Edit thresholds' })).toBeEnabled());
    await user.click(screen.getByRole('button', { name: 'Edit thresholds' }));
    const dialog = await screen.findByRole('dialog');
    const failures = within(dialog).getByLabelText('Failures before it opens');
    await user.clear(failures);
    await user.type(failures, '8');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText(/less than the minimum/)).toBeInTheDocument();
    refuse = false;
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await settled();
    expect(sent('PUT', `/CircuitBreakerState/${f.ids.breaker}`)[0].body).toEqual({
      failureThreshold: 8,
      resetTimeoutSeconds: 30,
      halfOpenMaxCalls: 1,
    });
  });

  it('shows an operator the admin-only actions disabled with the reason', async () => {
    renderApp('/circuit-breakers', 'operator');
    await screen.findByRole('table', { name: 'Circuit breakers' });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Reset' }).closest('[data-disabled-reason]')).toHaveAttribute(
        'data-disabled-reason',
        'Your key "operator-key" has the operator role, which may not reset circuit breakers.',
      ),
    );
  });

  it('says where breakers come from when there is none', async () => {
    server.use(http.get(`${API}/CircuitBreakerState`, () => HttpResponse.json({ items: [], nextCursor: null })));
    renderApp('/circuit-breakers');
    expect(await screen.findByText('No circuit breakers yet')).toBeInTheDocument();
  });
});
