import { combineReducers, configureStore } from '@reduxjs/toolkit';
import { setupListeners } from '@reduxjs/toolkit/query';

import { baseApi } from '../api/base';
import { preferencesSlice } from './preferences';
import { persistKey, sessionSlice, signedOut } from './session';

const rootReducer = combineReducers({
  [baseApi.reducerPath]: baseApi.reducer,
  session: sessionSlice.reducer,
  preferences: preferencesSlice.reducer,
});

export type RootState = ReturnType<typeof rootReducer>;

export function makeStore(preloaded?: Partial<RootState>) {
  const store = configureStore({
    reducer: rootReducer,
    preloadedState: preloaded as RootState | undefined,
    middleware: (getDefault) => getDefault().concat(baseApi.middleware),
  });
  let key = store.getState().session.key;
  store.subscribe(() => {
    const next = store.getState().session.key;
    if (next === key) return;
    key = next;
    persistKey(next);
    // nothing read with one key may be shown to the next (or to no one)
    if (next === null) store.dispatch(baseApi.util.resetApiState());
  });
  setupListeners(store.dispatch);
  return store;
}

export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore['dispatch'];
export { signedOut };
