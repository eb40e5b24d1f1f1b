// The base every generated endpoint (generated.ts) is injected into: where the API is,
// the operator's key on every request, and a 401 anywhere signs the tab out.
import {
  createApi,
  fetchBaseQuery,
  type BaseQueryFn,
  type FetchArgs,
  type FetchBaseQueryError,
} from '@reduxjs/toolkit/query/react';

import { signedOut, type SessionState } from '../app/session';

const rawBaseQuery = fetchBaseQuery({
  // absolute: a relative base fails to parse under jsdom, and the API is same-origin
  baseUrl: `${window.location.origin}/v1`,
  prepareHeaders(headers, { getState }) {
    const { key } = (getState() as { session: SessionState }).session;
    if (key) headers.set('Authorization', `Bearer ${key}`);
    return headers;
  },
});

const baseQuery: BaseQueryFn<string | FetchArgs, unknown, FetchBaseQueryError> = async (args, api, extraOptions) => {
  const result = await rawBaseQuery(args, api, extraOptions);
  if (result.error?.status === 401) api.dispatch(signedOut('rejected'));
  return result;
};

export const baseApi = createApi({
  reducerPath: 'api',
  baseQuery,
  endpoints: () => ({}),
  refetchOnReconnect: true,
});
