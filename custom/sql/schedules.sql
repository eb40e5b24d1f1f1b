-- Schedules (custom/schedules): each service process's scheduler claims due
-- schedules with SKIP LOCKED and advances next_fire_at in the transaction that
-- starts the firing's execution, so each moment fires once without a leader.

-- name: clock_now
-- The time as the engine sees it: the injected clock $1, or the database's now().
SELECT coalesce($1::timestamptz, now());

-- name: schedule_claim_due
-- One schedule whose next firing has come (clock $1), locked for this transaction;
-- schedules another scheduler holds are skipped, not waited for.
SELECT * FROM schedules
WHERE NOT paused AND next_fire_at <= coalesce($1::timestamptz, now())
ORDER BY next_fire_at
LIMIT 1
FOR UPDATE SKIP LOCKED;

-- name: schedule_fired
-- After a pass over a schedule's due firings: the next one, and the last that
-- started an execution ($3 NULL: none did, the previous stays).
UPDATE schedules
SET next_fire_at = $2, last_fire_at = coalesce($3, last_fire_at), updated_at = now()
WHERE id = $1
RETURNING *;

-- name: schedule_triggered
-- A firing by hand (POST /Schedule/{id}/trigger): only lastFireAt moves.
UPDATE schedules SET last_fire_at = $2, updated_at = now()
WHERE id = $1
RETURNING *;

-- name: schedule_running
-- Whether an execution this schedule started is not finished (overlap SKIP);
-- ix_workflow_executions_schedule_active holds exactly those.
SELECT EXISTS (
    SELECT 1 FROM workflow_executions
    WHERE schedule_id = $1 AND status IN ('PENDING', 'RUNNING', 'PAUSED')
);
