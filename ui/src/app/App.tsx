import { MantineProvider, createTheme } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { lazy, useState } from 'react';
import { Provider } from 'react-redux';
import { createBrowserRouter, createMemoryRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';

import { Empty, Page } from '../components/Page';
import { ExecutionsPage } from '../views/executions/ExecutionsPage';
import { Layout } from './Layout';
import { SignIn } from './SignIn';
import type { AppStore } from './store';

// The views with a graph (xyflow, dagre) load on first use: the monitor opens fast.
const ExecutionPage = lazy(() => import('../views/execution/ExecutionPage'));
const WorkflowsPage = lazy(() => import('../views/workflows/WorkflowsPage'));
const DeadLettersPage = lazy(() => import('../views/dead-letters/DeadLettersPage'));
const BreakersPage = lazy(() => import('../views/breakers/BreakersPage'));
const SchedulesPage = lazy(() => import('../views/schedules/SchedulesPage'));
const RateLimitsPage = lazy(() => import('../views/rate-limits/RateLimitsPage'));
const ApiKeysPage = lazy(() => import('../views/api-keys/ApiKeysPage'));

function NotFound() {
  return (
    <Page title="Not found">
      <Empty title="There is no such page">Pick a view on the left.</Empty>
    </Page>
  );
}

export const ROUTES: RouteObject[] = [
  { path: '/sign-in', element: <SignIn /> },
  {
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/executions" replace /> },
      { path: 'executions', element: <ExecutionsPage /> },
      { path: 'executions/:id', element: <ExecutionPage /> },
      { path: 'dead-letters', element: <DeadLettersPage /> },
      { path: 'dead-letters/:id', element: <DeadLettersPage /> },
      { path: 'workflows', element: <WorkflowsPage /> },
      { path: 'workflows/new', element: <WorkflowsPage /> },
      { path: 'workflows/:id', element: <WorkflowsPage /> },
      { path: 'circuit-breakers', element: <BreakersPage /> },
      { path: 'schedules', element: <SchedulesPage /> },
      { path: 'rate-limits', element: <RateLimitsPage /> },
      { path: 'api-keys', element: <ApiKeysPage /> },
      { path: '*', element: <NotFound /> },
    ],
  },
];

const theme = createTheme({
  primaryColor: 'indigo',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  defaultRadius: 'sm',
});

export function Providers({ store, children }: { store: AppStore; children: React.ReactNode }) {
  return (
    <Provider store={store}>
      <MantineProvider theme={theme} defaultColorScheme="auto">
        <Notifications position="top-right" />
        {children}
      </MantineProvider>
    </Provider>
  );
}

export function App({ store, initialPath }: { store: AppStore; initialPath?: string }) {
  // tests start at a path in memory; the browser uses its address bar
  const [router] = useState(() =>
    initialPath ? createMemoryRouter(ROUTES, { initialEntries: [initialPath] }) : createBrowserRouter(ROUTES),
  );
  return (
    <Providers store={store}>
      <RouterProvider router={router} />
    </Providers>
  );
}
