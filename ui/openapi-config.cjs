// `make generate` (npm run generate, scripts/generate-api.mjs): the console's RTK Query
// endpoints and hooks from the spec, into src/api/generated.ts (committed; never
// edited by hand). Hooks are named after the spec's operationIds
// (listWorkflowExecutions → useListWorkflowExecutionsQuery).
//
// Queries provide their operation's tag and mutations invalidate it; an action that
// changes other resources too invalidates those as well, so every view showing them
// refreshes (a requeue changes the entry, its execution and its runs).
const EXECUTION_CONTROL = ['WorkflowExecution', 'Run', 'DeadLetterQueue'];
const DEAD_LETTER_RESOLUTION = ['DeadLetterQueue', 'WorkflowExecution', 'Run'];

/** @type {import('@rtk-query/codegen-openapi').ConfigFile} */
module.exports = {
  schemaFile: '../spec/openapi.yaml',
  apiFile: './src/api/base.ts',
  apiImport: 'baseApi',
  outputFile: './src/api/generated.ts',
  exportName: 'valkyrApi',
  hooks: { queries: true, lazyQueries: true, mutations: true },
  tag: true,
  endpointOverrides: [
    {
      pattern: ['cancelWorkflowExecution', 'pauseWorkflowExecution', 'resumeWorkflowExecution'],
      invalidatesTags: EXECUTION_CONTROL,
    },
    {
      pattern: [
        'requeueDeadLetter',
        'discardDeadLetter',
        'bulkRequeueDeadLetters',
        'bulkDiscardDeadLetters',
      ],
      invalidatesTags: DEAD_LETTER_RESOLUTION,
    },
    { pattern: 'resetCircuitBreaker', invalidatesTags: ['CircuitBreakerState', 'Run'] },
    // the worker protocol is not the console's: its calls refresh nothing here
    { pattern: ['claimRuns', 'heartbeatRun', 'completeRun', 'failRun'], invalidatesTags: [] },
  ],
};
