import type { ExecutionStatus } from '../../api';

// Which control operations the execution state machine allows from each status
// (the service is the judge: a 409 says why in words when the state moved meanwhile).
export type Control = 'pause' | 'resume' | 'cancel';

export const FINISHED: ExecutionStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export function isFinished(status: ExecutionStatus | undefined): boolean {
  return status !== undefined && FINISHED.includes(status);
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
