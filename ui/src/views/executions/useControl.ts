import { useCallback } from 'react';

import {
  useCancelWorkflowExecutionMutation,
  usePauseWorkflowExecutionMutation,
  useResumeWorkflowExecutionMutation,
  type WorkflowExecutionRead,
} from '../../api';
import type { Control } from './control';

/** pause / resume / cancel one execution; rejects with the API's error. */
export function useControl(): [(control: Control, id: string) => Promise<WorkflowExecutionRead>, boolean] {
  const [pause, p] = usePauseWorkflowExecutionMutation();
  const [resume, r] = useResumeWorkflowExecutionMutation();
  const [cancel, c] = useCancelWorkflowExecutionMutation();
  const run = useCallback(
    (control: Control, id: string) => {
      const call = { pause, resume, cancel }[control];
      return call({ id }).unwrap();
    },
    [pause, resume, cancel],
  );
  return [run, p.isLoading || r.isLoading || c.isLoading];
}
