import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useSearchParams } from 'react-router';

import { useAppDispatch, useAppSelector } from './hooks';
import { signedIn } from './session';

/** Sign in with an API key; it is kept for this browser tab only. */
export function SignIn() {
  const dispatch = useAppDispatch();
  const session = useAppSelector((s) => s.session);
  const [params] = useSearchParams();
  const location = useLocation();
  const [key, setKey] = useState('');
  const [touched, setTouched] = useState(false);
  const next = params.get('next') || '/executions';
  if (session.key) return <Navigate to={next.startsWith('/') ? next : '/executions'} replace />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (key.trim()) dispatch(signedIn(key.trim()));
  };
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={440} component="main">
        <form onSubmit={submit} aria-label="Sign in">
          <Stack>
            <div>
              <Title order={1} size="h2">
                Sign in
              </Title>
              <Text c="dimmed" size="sm">
                Valkyr operator console
              </Text>
            </div>
            {session.reason === 'rejected' && (
              <Alert color="red" role="alert" title="The key was refused">
                The service does not know this key, or it was revoked. Paste a current key.
              </Alert>
            )}
            {session.reason === 'signed-out' && location.state !== 'fresh' && (
              <Alert color="blue" role="status">
                You are signed out. The key was forgotten by this tab.
              </Alert>
            )}
            <PasswordInput
              label="API key"
              description="make run prints a development admin key (it is also in .data/dev-admin-key). The key is kept for this browser tab only."
              placeholder="vk_…"
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={touched && !key.trim() ? 'Paste an API key' : undefined}
              autoFocus
              autoComplete="off"
            />
            <Button type="submit">Sign in</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
