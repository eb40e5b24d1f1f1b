-- Concurrency limits (custom/executions/concurrency.py): at most `limit` executions of a
-- workflow with one key value RUNNING or PAUSED at once, the others PENDING in arrival
-- order. Every decision about one (workflow, key) is taken under its advisory lock.

-- name: concurrency_lock
-- Serialise admissions of one (workflow $1, key $2) across every process, until the
-- transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2, 0));

-- name: concurrency_slots
-- How many executions of (workflow $1, key $2) hold a slot and how many wait for one
-- (ix_workflow_executions_concurrency).
SELECT count(*) FILTER (WHERE status IN ('RUNNING', 'PAUSED')) AS active,
       count(*) FILTER (WHERE status = 'PENDING') AS waiting
FROM workflow_executions
WHERE workflow_id = $1 AND concurrency_key = $2
  AND status IN ('PENDING', 'RUNNING', 'PAUSED');

-- name: concurrency_admit
-- Admit the oldest waiting executions of (workflow $1, key $2) into the free slots of
-- limit $3: RUNNING from now (their first runs are the caller's to create).
WITH active AS (
    SELECT count(*) AS n FROM workflow_executions
    WHERE workflow_id = $1 AND concurrency_key = $2 AND status IN ('RUNNING', 'PAUSED')
), next AS (
    SELECT e.id FROM workflow_executions e
    WHERE e.workflow_id = $1 AND e.concurrency_key = $2 AND e.status = 'PENDING'
    ORDER BY e.created_at, e.id
    LIMIT greatest(0, $3 - (SELECT n FROM active))
    FOR UPDATE
)
UPDATE workflow_executions e
SET status = 'RUNNING', started_at = now(), updated_at = now()
FROM next WHERE e.id = next.id
RETURNING e.*;

-- name: concurrency_waiting_keys
-- The (workflow, key, version) of executions waiting for a slot, for the reaper's sweep
-- (the version of the oldest waiting one gives the limit).
SELECT DISTINCT ON (workflow_id, concurrency_key)
       workflow_id, concurrency_key, workflow_version
FROM workflow_executions
WHERE concurrency_key IS NOT NULL AND status = 'PENDING'
ORDER BY workflow_id, concurrency_key, created_at
LIMIT $1;
