import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';

import { renderApp } from '../../test/render';
import { API, calls, problem, server } from '../../test/server';

describe('signing in', () => {
  it('asks for a key first, keeps it for the tab and opens where the operator was going', async () => {
    const { user } = renderApp('/dead-letters?reason=lease_expired', null);
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Paste an API key')).toBeInTheDocument();
    await user.type(screen.getByLabelText('API key'), 'vk_pasted');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Dead letters' })).toBeInTheDocument();
    expect(window.sessionStorage.getItem('valkyr.apiKey')).toBe('vk_pasted');
    await waitFor(() => expect(calls.some((c) => c.headers.get('authorization') === 'Bearer vk_pasted')).toBe(true));
    expect(calls.find((c) => c.path === '/DeadLetterQueue')?.query.get('reason')).toBe('lease_expired');
  });

  it('sends a refused key back to the sign-in page and forgets it', async () => {
    server.use(
      http.get(`${API}/ApiKey/current`, () => problem(401, 'Unauthorized', 'The API key is unknown or revoked')),
    );
    renderApp('/executions', 'admin');
    expect(await screen.findByText('The key was refused')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(window.sessionStorage.getItem('valkyr.apiKey')).toBeNull();
  });

  it('signs out: the key is forgotten and nothing read with it stays', async () => {
    const { user, store } = renderApp('/executions', 'operator');
    expect(await screen.findByRole('heading', { level: 1, name: 'Executions' })).toBeInTheDocument();
    await screen.findByText('operator-key');
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(window.sessionStorage.getItem('valkyr.apiKey')).toBeNull();
    expect(Object.keys(store.getState().api.queries)).toHaveLength(0);
  });

  it('has a link for every view in the navigation, and a page for an unknown address', async () => {
    renderApp('/no/such/page');
    const nav = await screen.findByRole('navigation');
    for (const name of ['Executions', 'Dead letters', 'Workflows', 'Circuit breakers', 'API keys']) {
      expect(within(nav).getByRole('link', { name })).toBeInTheDocument();
    }
    expect(await screen.findByText('There is no such page')).toBeInTheDocument();
  });

  it('tells a read-only key so, once, at the top', async () => {
    renderApp('/executions', 'viewer');
    expect(await screen.findByText(/Read-only: signed in with the viewer key "viewer-key"/)).toBeInTheDocument();
  });
});
