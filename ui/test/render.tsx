import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { App } from '../src/app/App';
import { makeStore } from '../src/app/store';
import { baseApi } from '../src/api';
import { resetCalls, signInAs } from './server';

/** The whole console at `path`, signed in with a key of `role` (or signed out). */
export function renderApp(path: string, role: 'viewer' | 'operator' | 'admin' | null = 'admin') {
  resetCalls();
  if (role) {
    signInAs(role);
    window.sessionStorage.setItem('valkyr.apiKey', `vk_test_${role}`);
  }
  const store = makeStore();
  store.dispatch(baseApi.util.resetApiState());
  const user = userEvent.setup();
  const utils = render(<App store={store} initialPath={path} />);
  return { ...utils, store, user };
}
