import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

// The API key lives in sessionStorage: kept for this browser tab (a reload keeps you
// signed in), gone when the tab closes, never shared with other tabs.
const STORAGE_KEY = 'valkyr.apiKey';

export type SignOutReason = 'signed-out' | 'rejected';

export interface SessionState {
  key: string | null;
  reason: SignOutReason | null;
}

function storedKey(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function persistKey(key: string | null): void {
  try {
    if (key) window.sessionStorage.setItem(STORAGE_KEY, key);
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage refused (private mode): the key stays in memory for this page only
  }
}

export const sessionSlice = createSlice({
  name: 'session',
  initialState: (): SessionState => ({ key: storedKey(), reason: null }),
  reducers: {
    signedIn(state, action: PayloadAction<string>) {
      state.key = action.payload;
      state.reason = null;
    },
    signedOut(state, action: PayloadAction<SignOutReason>) {
      state.key = null;
      state.reason = action.payload;
    },
  },
});

export const { signedIn, signedOut } = sessionSlice.actions;
