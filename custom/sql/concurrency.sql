-- Concurrency limits (custom/executions/concurrency.py): at most `limit` executions of a
-- workflow with one key value RUNNING or PAUSED at once, the others PENDING in arrival
-- order. Every decision about one (workflow, key) is taken under its advisory lock.
-- A delayed execution (start_at) with a key arrives at its start_at: before that it
-- neither waits for a slot nor blocks those behind it. $3 / $4 below are the clock
-- (NULL = now()).

-- name: concurrency_lock
-- Serialise admissions of one (workflow $1, key $2) across every process, until the
-- transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text || '/' || $2::text, 0));

-- name: concurrency_slots
-- How many executions of (workflow $1, key $2) hold a slot and how many wait for one
-- (ix_workflow_executions_concurrency).
SELECT count(*) FILTER (WHERE status IN ('RUNNING', 'PAUSED')) AS active,
       count(*) FILTER (WHERE status = 'PENDING'
                          AND (start_at IS NULL
                               OR start_at <= coalesce($3::timestamptz, now()))) AS waiting
FROM workflow_executions
WHERE workflow_id = $1 AND concurrency_key = $2
  AND status IN ('PENDING', 'RUNNING', 'PAUSED');

-- name: concurrency_admit
-- Admit the oldest waiting executions of (workflow $1, key $2) into the free slots of
-- limit $3: RUNNING from now (their first runs are the caller's to create). Arrival
-- is the submission, or the start_at of a delayed one.
WITH active AS (
    SELECT count(*) AS n FROM workflow_executions
    WHERE workflow_id = $1 AND concurrency_key = $2 AND status IN ('RUNNING', 'PAUSED')
), next AS (
    SELECT e.id FROM workflow_executions e
    WHERE e.workflow_id = $1 AND e.concurrency_key = $2 AND e.status = 'PENDING'
      AND (e.start_at IS NULL OR e.start_at <= coalesce($4::timestamptz, now()))
    ORDER BY coalesce(e.start_at, e.created_at), e.created_at, e.id
    LIMIT greatest(0, $3 - (SELECT n FROM active))
    FOR UPDATE
)
UPDATE workflow_executions e
SET status = 'RUNNING', started_at = coalesce($4::timestamptz, now()), updated_at = now()
FROM next WHERE e.id = next.id
RETURNING e.*;

-- name: concurrency_waiting_keys
-- The (workflow, key, version) of executions waiting for a slot (their start come,
-- clock $2) while fewer than the limit hold one, up to $1, for the reaper's sweep (the
-- version of the oldest waiting one gives the limit). Keys whose slots are all taken
-- are left out: in the steady state the sweep opens no transaction at all.
WITH oldest AS (
    SELECT DISTINCT ON (workflow_id, concurrency_key)
           workflow_id, concurrency_key, workflow_version
    FROM workflow_executions
    WHERE concurrency_key IS NOT NULL AND status = 'PENDING'
      AND (start_at IS NULL OR start_at <= coalesce($2::timestamptz, now()))
    ORDER BY workflow_id, concurrency_key, coalesce(start_at, created_at), created_at
)
SELECT o.workflow_id, o.concurrency_key, o.workflow_version
FROM oldest o
JOIN workflow_versions v ON v.workflow_id = o.workflow_id AND v.version = o.workflow_version
WHERE (SELECT count(*) FROM workflow_executions a
       WHERE a.workflow_id = o.workflow_id AND a.concurrency_key = o.concurrency_key
         AND a.status IN ('RUNNING', 'PAUSED'))
      < coalesce((v.concurrency ->> 'limit')::int, 0)
LIMIT $1;
