import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import * as f from '../../../test/fixtures';
import { renderApp } from '../../../test/render';
import { API, problem, sent, server, settled } from '../../../test/server';

describe('API keys', () => {
  it('lists keys, and creates one whose secret is shown once with a copy button', async () => {
    server.use(
      http.post(`${API}/ApiKey`, () =>
        HttpResponse.json(
          {
            id: 'eeeeeeee-0000-4000-8000-000000000000',
            name: 'night-operator',
            role: 'operator',
            prefix: 'vk_abc',
            createdAt: f.T0,
            secret: 'vk_abcdef_secret',
          },
          { status: 201 },
        ),
      ),
    );
    const { user } = renderApp('/api-keys');
    expect(await screen.findByRole('heading', { level: 1, name: 'API keys' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'API keys' });
    expect(within(table).getByText('mailer')).toBeInTheDocument();
    expect(within(table).getByText('you')).toBeInTheDocument();
    await user.type(screen.getByLabelText(/^Name/), 'night-operator');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('new-key-secret')).toHaveTextContent('vk_abcdef_secret');
    expect(within(dialog).getByRole('button', { name: 'Copy' })).toBeInTheDocument();
    await settled();
    expect(sent('POST', '/ApiKey')[0].body).toEqual({ name: 'night-operator', role: 'operator' });
    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByTestId('new-key-secret')).toBeNull()); // never shown again
  });

  it('shows a duplicate name at the field', async () => {
    server.use(http.post(`${API}/ApiKey`, () => problem(409, 'Conflict', "An API key named 'mailer' already exists")));
    const { user } = renderApp('/api-keys');
    await screen.findByRole('table', { name: 'API keys' });
    await user.type(screen.getByLabelText(/^Name/), 'mailer');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByText("An API key named 'mailer' already exists")).toBeInTheDocument();
  });

  it('revokes a key after a confirmation, never the one in use', async () => {
    server.use(http.delete(`${API}/ApiKey/:id`, () => HttpResponse.json({ ...f.apiKeys[1], revokedAt: f.at(5) })));
    const { user } = renderApp('/api-keys');
    const table = await screen.findByRole('table', { name: 'API keys' });
    const [mine, mailer] = within(table).getAllByRole('button', { name: 'Revoke' });
    await waitFor(() => expect(mailer).toBeEnabled());
    expect(mine).toBeDisabled();
    await user.click(mailer);
    const dialog = await screen.findByRole('dialog');
    expect(sent('DELETE', `/ApiKey/${f.ids.key}`)).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(sent('DELETE', `/ApiKey/${f.ids.key}`)).toHaveLength(1));
  });

  it('tells a non-admin that keys need an admin key, without asking the service', async () => {
    renderApp('/api-keys', 'operator');
    expect(await screen.findByText('Only an admin key can manage API keys')).toBeInTheDocument();
    expect(sent('GET', '/ApiKey')).toHaveLength(0);
  });
});
