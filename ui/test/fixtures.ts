// Bodies as the service answers them (the generated types keep them honest).
import type {
  ApiKeyRead,
  CircuitBreakerStateRead,
  CurrentApiKey,
  DeadLetterQueueRead,
  RateLimitRead,
  RunRead,
  ScheduleRead,
  WorkflowExecutionGraph,
  WorkflowExecutionRead,
  WorkflowRead,
  WorkflowVersion,
} from '../src/api';

export const T0 = '2026-12-04T10:00:00Z';
export const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

export const ids = {
  wf: '11111111-1111-4111-8111-111111111111',
  running: '0a1b2c3d-0000-4000-8000-000000000001',
  paused: '1b2c3d4e-0000-4000-8000-000000000002',
  done: '2c3d4e5f-0000-4000-8000-000000000003',
  dl1: 'd1000000-0000-4000-8000-000000000001',
  dl2: 'd2000000-0000-4000-8000-000000000002',
  breaker: 'bbbbbbbb-0000-4000-8000-000000000001',
  key: 'cccccccc-0000-4000-8000-000000000001',
  me: 'cccccccc-0000-4000-8000-000000000009',
  schedule: 'eeeeeeee-0000-4000-8000-000000000001',
  rateLimit: 'ffffffff-0000-4000-8000-000000000001',
};

const ALL_OPERATIONS = [
  'listWorkflowExecutions',
  'getWorkflowExecution',
  'countWorkflowExecutions',
  'getWorkflowExecutionGraph',
  'listRuns',
  'getRun',
  'listDeadLetters',
  'countDeadLetters',
  'getDeadLetter',
  'listWorkflows',
  'getWorkflow',
  'listWorkflowVersions',
  'getWorkflowVersion',
  'listCircuitBreakers',
  'getCircuitBreaker',
  'listSchedules',
  'getSchedule',
  'listRateLimits',
  'getRateLimit',
  'getCurrentApiKey',
  'getHealth',
  'getMetrics',
];
const OPERATOR = [
  'pauseWorkflowExecution',
  'resumeWorkflowExecution',
  'cancelWorkflowExecution',
  'signalWorkflowExecution',
  'createWorkflowExecution',
  'requeueDeadLetter',
  'discardDeadLetter',
  'bulkRequeueDeadLetters',
  'bulkDiscardDeadLetters',
  'createSchedule',
  'updateSchedule',
  'deleteSchedule',
  'triggerSchedule',
  'createRateLimit',
  'updateRateLimit',
  'deleteRateLimit',
];
const ADMIN = [
  'createWorkflow',
  'updateWorkflow',
  'deleteWorkflow',
  'resetCircuitBreaker',
  'updateCircuitBreaker',
  'listApiKeys',
  'createApiKey',
  'getApiKey',
  'revokeApiKey',
];

export function me(role: 'viewer' | 'operator' | 'admin'): CurrentApiKey {
  const allowed =
    role === 'viewer'
      ? ALL_OPERATIONS
      : role === 'operator'
        ? [...ALL_OPERATIONS, ...OPERATOR]
        : [...ALL_OPERATIONS, ...OPERATOR, ...ADMIN];
  return { id: ids.me, name: `${role}-key`, role, allowedOperations: allowed };
}

export const workflow: WorkflowRead = {
  id: ids.wf,
  name: 'charge-and-notify',
  version: 2,
  description: 'Charge, then send a receipt',
  steps: [
    { key: 'charge', module: 'http', dependsOn: [], inputs: { amount: '${inputs.amount}' }, config: {} },
    { key: 'receipt', module: 'transform', dependsOn: ['charge'], inputs: {}, config: {} },
    { key: 'email', module: 'mailer.send', dependsOn: ['receipt'], inputs: {}, config: {} },
  ],
  createdAt: T0,
  updatedAt: at(60),
};

export const versions: WorkflowVersion[] = [
  {
    workflowId: ids.wf,
    version: 2,
    name: workflow.name,
    description: 'Charge, then send a receipt',
    steps: workflow.steps,
    createdAt: at(60),
  },
  {
    workflowId: ids.wf,
    version: 1,
    name: workflow.name,
    description: 'Charge',
    steps: workflow.steps.slice(0, 2),
    createdAt: T0,
  },
];

export function execution(
  id: string,
  status: WorkflowExecutionRead['status'],
  extra: Partial<WorkflowExecutionRead> = {},
): WorkflowExecutionRead {
  const finished = ['COMPLETED', 'FAILED', 'CANCELLED'].includes(status ?? '');
  return {
    id,
    workflowId: ids.wf,
    workflowVersion: 2,
    status,
    inputs: { amount: 42 },
    outputs: status === 'COMPLETED' ? { charge: { id: 'ch_1' } } : null,
    error: null,
    idempotencyKey: `key-${id.slice(-1)}`,
    createdAt: at(10),
    updatedAt: at(11),
    startedAt: at(10),
    finishedAt: finished ? at(12) : null,
    controlHistory: [],
    ...extra,
  };
}

export const executions = [
  execution(ids.running, 'RUNNING'),
  execution(ids.paused, 'PAUSED'),
  execution(ids.done, 'COMPLETED'),
];

export const counts = {
  counts: { PENDING: 0, RUNNING: 1, PAUSED: 1, COMPLETED: 1, FAILED: 0, CANCELLED: 0 },
  total: 3,
};

export const graph: WorkflowExecutionGraph = {
  executionId: ids.running,
  workflowId: ids.wf,
  workflowVersion: 2,
  workflowName: workflow.name,
  status: 'RUNNING',
  nodes: [
    {
      key: 'charge',
      module: 'http',
      dependsOn: [],
      status: 'SUCCEEDED',
      attempts: 2,
      runId: 'r-2',
      availableAt: at(10),
      claimedAt: at(10.5),
      finishedAt: at(11),
    },
    {
      key: 'receipt',
      module: 'transform',
      dependsOn: ['charge'],
      status: 'LEASED',
      attempts: 1,
      runId: 'r-3',
      availableAt: at(11),
      claimedAt: at(11.2),
      finishedAt: null,
    },
    { key: 'email', module: 'mailer.send', dependsOn: ['receipt'], status: null, attempts: 0, runId: null },
  ],
};

export function run(
  id: string,
  stepKey: string,
  attempt: number,
  status: RunRead['status'],
  times: [number, number | null, number | null],
): RunRead {
  const [ready, claimed, finished] = times;
  return {
    id,
    executionId: ids.running,
    stepKey,
    module: 'http',
    attempt,
    status,
    inputs: { amount: 42 },
    config: {},
    output: status === 'SUCCEEDED' ? { id: 'ch_1' } : null,
    error: status === 'FAILED' ? { message: 'HTTP 503 from payments', type: 'transient' } : null,
    idempotencyKey: 'abc:def',
    leaseOwner: claimed !== null ? 'host:1:runner' : null,
    leaseToken: null,
    leaseExpiresAt: null,
    heartbeatAt: null,
    cancelRequested: false,
    createdAt: at(ready),
    availableAt: at(ready),
    claimedAt: claimed !== null ? at(claimed) : null,
    startedAt: claimed !== null ? at(claimed) : null,
    finishedAt: finished !== null ? at(finished) : null,
  };
}

export const runs: RunRead[] = [
  run('r-1', 'charge', 1, 'FAILED', [10, 10.25, 10.3]),
  run('r-2', 'charge', 2, 'SUCCEEDED', [10.4, 10.5, 11]),
  run('r-3', 'receipt', 1, 'LEASED', [11, 11.2, null]),
];

export function deadLetter(
  id: string,
  executionId: string,
  extra: Partial<DeadLetterQueueRead> = {},
): DeadLetterQueueRead {
  return {
    id,
    runId: 'r-9',
    executionId,
    stepKey: 'charge',
    reason: 'permanent_error',
    error: { message: 'HTTP 400: amount missing', type: 'permanent' },
    attempts: 1,
    inputs: { customer: 'ada' },
    config: { url: 'https://payments.example/charges' },
    status: 'QUARANTINED',
    resolutionNotes: null,
    resolvedBy: null,
    resolvedAt: null,
    createdAt: at(20),
    audit: [],
    ...extra,
  };
}

export const deadLetters = [deadLetter(ids.dl1, ids.running), deadLetter(ids.dl2, ids.paused, { stepKey: 'receipt' })];

export const breakers: CircuitBreakerStateRead[] = [
  {
    id: ids.breaker,
    key: 'payments',
    state: 'OPEN',
    failureCount: 5,
    failureThreshold: 5,
    openedAt: at(30),
    resetTimeoutSeconds: 30,
    halfOpenMaxCalls: 1,
    lastFailureAt: at(30),
    lastError: 'HTTP 503 from payments',
    createdAt: T0,
    updatedAt: at(30),
  },
];

export const schedules: ScheduleRead[] = [
  {
    id: ids.schedule,
    workflowId: ids.wf,
    cron: '0 6 * * MON-FRI',
    timezone: 'Europe/Paris',
    intervalSeconds: null,
    inputs: { amount: 21 },
    paused: false,
    overlap: 'SKIP',
    catchupWindowSeconds: 60,
    nextFireAt: at(3600),
    lastFireAt: at(-3600),
    createdAt: T0,
    updatedAt: T0,
  },
];

export const rateLimits: RateLimitRead[] = [
  {
    id: ids.rateLimit,
    key: 'payments-api',
    perSecond: 5,
    burst: 10,
    availableTokens: 7.25,
    createdAt: T0,
    updatedAt: T0,
  },
];

export const apiKeys: ApiKeyRead[] = [
  { id: ids.me, name: 'admin-key', role: 'admin', prefix: 'vk_adm', createdAt: T0, revokedAt: null, lastUsedAt: at(1) },
  { id: ids.key, name: 'mailer', role: 'runner', prefix: 'vk_mai', createdAt: T0, revokedAt: null, lastUsedAt: null },
];
