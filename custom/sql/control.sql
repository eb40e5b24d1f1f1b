-- Execution control: pause, resume, cancel. Each runs after execution_lock
-- in the same transaction, so it serialises with completions, the reaper and requeues.

-- name: execution_pause
-- RUNNING → PAUSED (the caller checked the status under the lock).
UPDATE workflow_executions SET status = 'PAUSED', updated_at = now()
WHERE id = $1 AND status = 'RUNNING'
RETURNING *;

-- name: runs_hold
-- A paused execution's waiting runs leave the ready index (ix_runs_ready is
-- `status = 'PENDING' AND NOT held`), so no claimer sees them; runs in flight finish.
UPDATE runs SET held = true
WHERE execution_id = $1 AND status = 'PENDING' AND NOT held
RETURNING id;

-- name: execution_resume
-- PAUSED → RUNNING.
UPDATE workflow_executions SET status = 'RUNNING', updated_at = now()
WHERE id = $1 AND status = 'PAUSED'
RETURNING *;

-- name: runs_unhold
-- Held runs are ready again; the time spent paused does not count as dispatch latency.
UPDATE runs SET held = false, available_at = greatest(available_at, now())
WHERE execution_id = $1 AND status = 'PENDING' AND held
RETURNING id;

-- name: execution_cancel
-- RUNNING / PAUSED / PENDING → CANCELLED, finished now.
UPDATE workflow_executions
SET status = 'CANCELLED', finished_at = now(), updated_at = now()
WHERE id = $1 AND status IN ('RUNNING', 'PAUSED', 'PENDING')
RETURNING *;

-- name: runs_cancel_pending
-- Runs not yet dispatched, and waits parked for a signal, are cancelled outright.
UPDATE runs
SET status = 'CANCELLED', held = false, finished_at = now(),
    error = jsonb_build_object('message', 'execution cancelled', 'type', 'cancelled')
WHERE execution_id = $1 AND status IN ('PENDING', 'WAITING')
RETURNING id;

-- name: runs_request_cancel
-- Runs in flight are told at their runner's next heartbeat (cancel_ids for the
-- in-process runner, cancelRequested for REST runners) and stop cooperatively.
UPDATE runs SET cancel_requested = true
WHERE execution_id = $1 AND status = 'LEASED' AND NOT cancel_requested
RETURNING id;

-- name: execution_audit_insert
-- Who paused, resumed or cancelled an execution (the API key's name), in the same
-- transaction as the change.
INSERT INTO execution_audit (execution_id, action, actor, from_status, to_status, runs_changed)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: execution_audit_list
-- An execution's control history, oldest first.
SELECT action, actor, at, from_status, to_status, runs_changed
FROM execution_audit WHERE execution_id = $1 ORDER BY at, id;
