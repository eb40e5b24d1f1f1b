// The console's API: the generated endpoints and hooks (generated.ts) on the base
// (base.ts). The one enhancement: a start answers 200 for a duplicate of an earlier
// execution (same Idempotency-Key, or same workflow, version and inputs) and 201 for a
// new one; the console tells the operator which.
import type { FetchBaseQueryMeta } from '@reduxjs/toolkit/query';

import { valkyrApi, type WorkflowExecutionRead } from './generated';

export * from './generated';
export { baseApi } from './base';

export type StartedExecution = WorkflowExecutionRead & { duplicate: boolean };

export const api = valkyrApi.enhanceEndpoints({
  endpoints: {
    createWorkflowExecution: {
      transformResponse: (
        execution: WorkflowExecutionRead,
        meta: FetchBaseQueryMeta | undefined,
      ): StartedExecution => ({
        ...execution,
        duplicate: meta?.response?.status === 200,
      }),
    },
  },
});

export const { useCreateWorkflowExecutionMutation: useStartExecutionMutation } = api;
