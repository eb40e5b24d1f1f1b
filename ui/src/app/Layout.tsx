import {
  ActionIcon,
  Alert,
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  Switch,
  Text,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense } from 'react';
import { Link, Navigate, Outlet, useLocation } from 'react-router';

import { useGetCurrentApiKeyQuery } from '../api';
import { MoonIcon, SunIcon } from '../components/icons';
import { ProblemAlert } from '../components/ProblemAlert';
import { useAppDispatch, useAppSelector } from './hooks';
import { utcChanged } from './preferences';
import { signedOut } from './session';

export const VIEWS = [
  { to: '/executions', label: 'Executions' },
  { to: '/dead-letters', label: 'Dead letters' },
  { to: '/workflows', label: 'Workflows' },
  { to: '/circuit-breakers', label: 'Circuit breakers' },
  { to: '/schedules', label: 'Schedules' },
  { to: '/rate-limits', label: 'Rate limits' },
  { to: '/api-keys', label: 'API keys' },
];

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const dark = scheme === 'dark';
  return (
    <Tooltip label={dark ? 'Light mode' : 'Dark mode'}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label="Dark mode"
        aria-pressed={dark}
        onClick={() => setColorScheme(dark ? 'light' : 'dark')}
      >
        {dark ? <SunIcon /> : <MoonIcon />}
      </ActionIcon>
    </Tooltip>
  );
}

/** The console's frame: who is signed in, the views, time and colour preferences. */
export function Layout() {
  const dispatch = useAppDispatch();
  const utc = useAppSelector((s) => s.preferences.utc);
  const session = useAppSelector((s) => s.session);
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure();
  const me = useGetCurrentApiKeyQuery(undefined, { skip: !session.key });
  if (!session.key) {
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <AppShell
      header={{ height: 52 }}
      navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Text
              fw={800}
              size="lg"
              component={Link}
              to="/executions"
              style={{ textDecoration: 'none', color: 'inherit' }}
            >
              Valkyr
            </Text>
            <Text c="dimmed" size="sm" visibleFrom="xs">
              operator console
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {me.data && (
              <Group gap={6} wrap="nowrap" visibleFrom="sm" aria-label="Signed in as">
                <Text size="sm">{me.data.name}</Text>
                <Badge variant="outline" size="sm">
                  {me.data.role}
                </Badge>
              </Group>
            )}
            <Switch
              label="UTC"
              checked={utc}
              onChange={(e) => dispatch(utcChanged(e.currentTarget.checked))}
              size="sm"
            />
            <ColorSchemeToggle />
            <Button variant="default" size="xs" onClick={() => dispatch(signedOut('signed-out'))}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Views">
        {VIEWS.map((v) => (
          <NavLink
            key={v.to}
            component={Link}
            to={v.to}
            label={v.label}
            active={location.pathname === v.to || location.pathname.startsWith(v.to + '/')}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {me.data && !me.data.allowedOperations.includes('pauseWorkflowExecution') ? (
          <Alert
            color="gray"
            variant="light"
            mb="sm"
            role="note"
            title={`Read-only: signed in with the ${me.data.role} key "${me.data.name}"`}
          >
            Everything is visible; actions that change something are disabled (pausing, requeueing, editing need an
            operator or admin key). Point at a disabled button to see why.
          </Alert>
        ) : null}
        {me.error && !('status' in me.error && me.error.status === 401) ? (
          <ProblemAlert error={me.error} title="Could not check your key" onRetry={() => me.refetch()} />
        ) : null}
        <Suspense fallback={<Text c="dimmed">Loading…</Text>}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
