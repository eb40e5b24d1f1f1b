import { useGetCurrentApiKeyQuery } from '../api';

// What the operator's key may do, from GET /ApiKey/current (the service's x-roles):
// an action the key may not take is shown disabled with this reason, never tried
// for a 403.
const WHAT: Record<string, string> = {
  pauseWorkflowExecution: 'pause executions',
  resumeWorkflowExecution: 'resume executions',
  cancelWorkflowExecution: 'cancel executions',
  signalWorkflowExecution: 'send signals to executions',
  createWorkflowExecution: 'start executions',
  requeueDeadLetter: 'requeue dead letters',
  discardDeadLetter: 'discard dead letters',
  bulkRequeueDeadLetters: 'requeue dead letters',
  bulkDiscardDeadLetters: 'discard dead letters',
  createWorkflow: 'create workflows',
  updateWorkflow: 'change workflows',
  resetCircuitBreaker: 'reset circuit breakers',
  updateCircuitBreaker: 'change breaker thresholds',
  createApiKey: 'create API keys',
  revokeApiKey: 'revoke API keys',
  listApiKeys: 'manage API keys',
};

export interface Permission {
  allowed: boolean;
  reason?: string;
}

export function useCan(operationId: string): Permission {
  const { data } = useGetCurrentApiKeyQuery();
  if (!data) return { allowed: false, reason: 'Checking what your key may do…' };
  if (data.allowedOperations.includes(operationId)) return { allowed: true };
  const what = WHAT[operationId] ?? `call ${operationId}`;
  return {
    allowed: false,
    reason: `Your key "${data.name}" has the ${data.role} role, which may not ${what}.`,
  };
}
