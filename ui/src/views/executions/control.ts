import type { ExecutionStatus } from '../../api';

// Which control operations the execution state machine allows from each status
// (the service is the judge: a 409 says why in words when the state moved meanwhile).
export type Control = 'pause' | 'resume' | 'cancel';

export const FINISHED: ExecutionStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export function isFinished(status: ExecutionStatus | undefined): boolean {
  return status !== undefined && FINISHED.includes(status);
}

/** PENDING with a concurrency key and no start still to come: it waits for one of
 * the executions with its key to finish (the workflow's concurrency limit). */
export function waitsForSlot(e: {
  status?: ExecutionStatus;
  concurrencyKey?: string | null;
  startAt?: string | null;
}): boolean {
  if (e.status !== 'PENDING' || e.concurrencyKey == null) return false;
  return !e.startAt || Date.parse(e.startAt) <= Date.now();
}

export function controlsFor(status: ExecutionStatus | undefined): Control[] {
  switch (status) {
    case 'RUNNING':
      return ['pause', 'cancel'];
    case 'PAUSED':
      return ['resume', 'cancel'];
    case 'PENDING':
      return ['cancel'];
    default:
      return [];
  }
}

export const CONTROL: Record<Control, { verb: string; operation: string; past: string; color: string }> = {
  pause: { verb: 'Pause', operation: 'pauseWorkflowExecution', past: 'paused', color: 'yellow' },
  resume: { verb: 'Resume', operation: 'resumeWorkflowExecution', past: 'resumed', color: 'blue' },
  cancel: { verb: 'Cancel', operation: 'cancelWorkflowExecution', past: 'cancelled', color: 'red' },
};

export function whyNot(control: Control, status: ExecutionStatus | undefined): string | null {
  if (controlsFor(status).includes(control)) return null;
  const allowed = { pause: 'running', resume: 'paused', cancel: 'pending, running or paused' }[control];
  return `Only ${allowed} executions can be ${CONTROL[control].past}; this one is ${status?.toLowerCase() ?? 'unknown'}.`;
}
