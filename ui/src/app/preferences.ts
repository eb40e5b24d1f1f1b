import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

// Display preferences, kept in localStorage for every tab of this browser.
const STORAGE_KEY = 'valkyr.preferences';

export interface PreferencesState {
  utc: boolean;
}

function stored(): PreferencesState {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<PreferencesState>) : {};
    return { utc: parsed.utc === true };
  } catch {
    return { utc: false };
  }
}

export const preferencesSlice = createSlice({
  name: 'preferences',
  initialState: stored,
  reducers: {
    utcChanged(state, action: PayloadAction<boolean>) {
      state.utc = action.payload;
      try {
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...state }));
      } catch {
        // not kept: the choice lasts for this page
      }
    },
  },
});

export const { utcChanged } = preferencesSlice.actions;
