-- Retention (VALKYR_RETENTION_DAYS, `valkyr purge`, DELETE /WorkflowExecution/{id}):
-- finished executions leave with everything that belongs to them, in small batches.

-- name: executions_purge_window
-- The next batch of a purge: up to $5 executions of status $1, after the cursor
-- ($3, $4) in (created_at, id) order through ix_workflow_executions_status (one that
-- finished before $2 was created before $2 too), that may go: finished before $2,
-- no dead letter waiting for a decision (QUARANTINED: an operator still has to look
-- at it), no run still leased (a cancelled execution whose runner has not stopped
-- yet), and not locked by anyone else (SKIP LOCKED: a purge never waits, and two
-- purging processes take different rows). They come back locked; the last one is
-- where the next batch starts. Executions that must stay are passed over once per
-- pass, not once per batch.
SELECT e.id, e.created_at FROM workflow_executions e
WHERE e.status = $1 AND e.created_at < $2
  AND (e.created_at, e.id) > ($3::timestamptz, $4::uuid)
  AND e.finished_at < $2
  AND NOT EXISTS (SELECT 1 FROM dead_letters d
                  WHERE d.execution_id = e.id AND d.status = 'QUARANTINED')
  AND NOT EXISTS (SELECT 1 FROM runs r
                  WHERE r.execution_id = e.id AND r.status = 'LEASED')
ORDER BY e.created_at, e.id
LIMIT $5
FOR UPDATE OF e SKIP LOCKED;

-- name: executions_purge
-- Delete the executions $1 (locked by the caller) with their runs, dead letters and
-- audit rows, children first, and count them in engine_counters (valkyr_purged_total)
-- in the same statement. Every foreign key into these rows cascades anyway; deleting
-- the children here lets the statement count them, and each cascade check then finds
-- an index (ix_dead_letters_run_id for runs, the execution_id indexes for the rest).
WITH dl AS (
    SELECT id FROM dead_letters WHERE execution_id = ANY($1::uuid[])
), dl_audit AS (
    DELETE FROM dead_letter_audit WHERE dead_letter_id IN (SELECT id FROM dl) RETURNING 1
), dead AS (
    DELETE FROM dead_letters WHERE id IN (SELECT id FROM dl) RETURNING 1
), ex_audit AS (
    DELETE FROM execution_audit WHERE execution_id = ANY($1::uuid[]) RETURNING 1
), gone_runs AS (
    DELETE FROM runs WHERE execution_id = ANY($1::uuid[]) RETURNING 1
), gone AS (
    DELETE FROM workflow_executions WHERE id = ANY($1::uuid[]) RETURNING 1
), counts AS (
    SELECT (SELECT count(*) FROM gone) AS executions,
           (SELECT count(*) FROM gone_runs) AS runs,
           (SELECT count(*) FROM dead) AS dead_letters,
           (SELECT count(*) FROM dl_audit) + (SELECT count(*) FROM ex_audit) AS audit
), counted AS (
    INSERT INTO engine_counters AS c (name, value)
    SELECT k.name, k.n FROM counts,
           LATERAL (VALUES ('purged_executions', counts.executions),
                           ('purged_runs', counts.runs),
                           ('purged_dead_letters', counts.dead_letters),
                           ('purged_audit', counts.audit)) AS k(name, n)
    WHERE k.n > 0
    ON CONFLICT (name) DO UPDATE SET value = c.value + EXCLUDED.value
)
SELECT executions, runs, dead_letters, audit FROM counts;

-- name: execution_purge_blockers
-- Why one execution (locked by the caller) may not be deleted now: runs still leased,
-- dead letters still waiting for a decision.
SELECT (SELECT count(*) FROM runs
        WHERE execution_id = $1 AND status = 'LEASED') AS leased,
       (SELECT count(*) FROM dead_letters
        WHERE execution_id = $1 AND status = 'QUARANTINED') AS quarantined;
