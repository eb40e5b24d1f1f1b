-- name: workflow_current
-- The current version of a workflow, to start an execution of it.
SELECT id, version, steps FROM workflows WHERE id = $1;

-- name: workflow_current_version
-- The current version of a workflow (NULL: no such workflow).
SELECT version FROM workflows WHERE id = $1;

-- name: workflow_version_steps
-- The (immutable) steps and concurrency limit of one workflow version.
SELECT steps, concurrency FROM workflow_versions WHERE workflow_id = $1 AND version = $2;

-- name: execution_insert
-- Start an execution unless one with this idempotency key exists; the unique index
-- decides under concurrent duplicates (no read-then-write). $8 its priority; $9 its
-- concurrency key (NULL: none) and $10 whether it may run now (else PENDING, waiting
-- for a slot: custom/executions/concurrency.py).
INSERT INTO workflow_executions
    (workflow_id, workflow_version, status, inputs, idempotency_key, request_hash,
     trace_context, created_by, started_at, priority, concurrency_key)
VALUES ($1, $2, CASE WHEN $10::boolean THEN 'RUNNING' ELSE 'PENDING' END, $3, $4, $5, $6,
        $7, CASE WHEN $10::boolean THEN now() END, $8, $9)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING *;

-- name: execution_insert_planned
-- execution_insert with a plan: $8 the delayed start (NULL: now), $9 the schedule
-- that fired it, $10 the clock (NULL = now()), $11 its priority, $12 its concurrency
-- key (NULL: none), $13 whether it may take a slot now. Starting later than now, it is
-- PENDING with no runs until executions_release_due (or, with a concurrency key,
-- concurrency_admit); otherwise RUNNING at once, unless it waits for a slot.
INSERT INTO workflow_executions
    (workflow_id, workflow_version, status, inputs, idempotency_key, request_hash,
     trace_context, created_by, started_at, start_at, schedule_id, priority, concurrency_key)
SELECT $1, $2, CASE WHEN waits THEN 'PENDING' ELSE 'RUNNING' END, $3, $4, $5, $6, $7,
       CASE WHEN waits THEN NULL ELSE coalesce($10::timestamptz, now()) END, $8, $9, $11, $12
FROM (SELECT coalesce($8::timestamptz > coalesce($10::timestamptz, now()), false)
             OR NOT $13::boolean AS waits) p
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING *;

-- name: executions_release_due
-- Delayed executions whose startAt has come (clock $1, NULL = now()), up to $2, go
-- RUNNING; the caller creates their first runs, ready from startAt, in the same
-- transaction. SKIP LOCKED: every service process may release, each one once. Those
-- with a concurrency key are not released here: they take a slot in their turn
-- (concurrency_admit, when a slot frees or in the reaper's sweep).
UPDATE workflow_executions e
SET status = 'RUNNING', started_at = coalesce($1::timestamptz, now()), updated_at = now()
WHERE e.id IN (
    SELECT id FROM workflow_executions
    WHERE status = 'PENDING' AND start_at IS NOT NULL
      AND start_at <= coalesce($1::timestamptz, now()) AND concurrency_key IS NULL
    ORDER BY start_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
RETURNING e.*;

-- name: execution_start
-- Start an execution with its first runs in one round trip (one statement, so one
-- implicit transaction): $2 is the version the caller built the runs ($8) for; when
-- it is no longer the workflow's current version nothing is written and
-- current_version tells the caller which one to build for. No row: no such workflow.
-- A duplicate idempotency key writes nothing (id is NULL); the unique index decides
-- races. $9: carry the NOTIFY for runners of other processes (custom.runner.wakeup).
-- $10: the priority (the runs' priority_rank is 9 minus it: ix_runs_ready, 0 first).
WITH wf AS (
    SELECT version FROM workflows WHERE id = $1
), created AS (
    INSERT INTO workflow_executions
        (workflow_id, workflow_version, status, inputs, idempotency_key, request_hash,
         trace_context, created_by, started_at, priority)
    SELECT $1, $2, 'RUNNING', $3, $4, $5, $6, $7, now(), $10 FROM wf WHERE wf.version = $2
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING *
), first_runs AS (
    INSERT INTO runs (execution_id, step_key, module, attempt, status, inputs, config,
                      idempotency_key, held, max_attempts, retry, timeout_seconds,
                      breaker_key, rate_limit_key, priority_rank, available_at)
    SELECT c.id, s.step_key, s.module, 1, 'PENDING', s.inputs, s.config,
           s.idempotency_key, false, s.max_attempts, s.retry, s.timeout_seconds,
           s.breaker_key, s.rate_limit_key, 9 - c.priority, clock_timestamp()
    FROM created c, jsonb_to_recordset($8::jsonb) AS s(
        step_key text, module text, inputs jsonb, config jsonb, idempotency_key text,
        max_attempts int, retry jsonb, timeout_seconds float8, breaker_key text,
        rate_limit_key text)
), woken AS (
    SELECT pg_notify('valkyr_runs', '') FROM created WHERE $9::boolean
)
-- (a plain SELECT in a WITH runs only when referenced: `notified` is what sends it)
SELECT wf.version AS current_version, (SELECT count(*) FROM woken) AS notified, c.*
FROM wf LEFT JOIN created c ON true;

-- name: execution_by_idempotency_key
-- The execution a duplicate submission refers to.
SELECT * FROM workflow_executions WHERE idempotency_key = $1;

-- name: execution_get
-- One execution.
SELECT * FROM workflow_executions WHERE id = $1;

-- name: execution_get_for_api
-- One execution, and whether it has a control history (most have none: then GET
-- is this one round trip; otherwise execution_audit_list follows).
SELECT e.*, EXISTS (SELECT 1 FROM execution_audit a WHERE a.execution_id = e.id)
           AS has_control_history
FROM workflow_executions e WHERE e.id = $1;

-- name: execution_lock
-- Lock an execution before changing its runs: every writer takes this lock first,
-- so completions of parallel steps (fan-in) and control operations serialise.
SELECT id, workflow_id, workflow_version, status, inputs, trace_context
FROM workflow_executions WHERE id = $1 FOR UPDATE;

-- name: execution_lock_by_run
-- Lock the execution that owns a run (the first statement of complete/fail).
SELECT e.id, e.workflow_id, e.workflow_version, e.status, e.inputs, e.trace_context
FROM workflow_executions e
WHERE e.id = (SELECT execution_id FROM runs WHERE id = $1)
FOR UPDATE OF e;

-- name: execution_runs_latest
-- The latest attempt of every step of an execution.
SELECT DISTINCT ON (step_key) id, step_key, status, output, attempt, idempotency_key
FROM runs WHERE execution_id = $1
ORDER BY step_key, attempt DESC;

-- name: execution_complete
-- Every step succeeded: the execution is COMPLETED with their outputs (the row back
-- says whether it frees a concurrency slot).
UPDATE workflow_executions
SET status = 'COMPLETED', outputs = $2, finished_at = now(), updated_at = now()
WHERE id = $1 AND status IN ('RUNNING', 'PAUSED')
RETURNING id, workflow_id, workflow_version, concurrency_key;

-- name: execution_fail
-- A step was dead-lettered: the execution FAILED (a requeue can resume it). The row
-- back says whether it frees a concurrency slot.
UPDATE workflow_executions
SET status = 'FAILED', error = $2, finished_at = now(), updated_at = now()
WHERE id = $1 AND status IN ('RUNNING', 'PAUSED', 'PENDING')
RETURNING id, workflow_id, workflow_version, concurrency_key;

-- name: runs_insert
-- Create runs (one row per array element) for steps that became ready (a WAITING
-- run's available_at is its wait's deadline); they take the execution's priority (read
-- by primary key: the caller holds its row lock).
INSERT INTO runs (execution_id, step_key, module, attempt, status, inputs, config,
                  output, error, idempotency_key, held, max_attempts, retry, timeout_seconds,
                  breaker_key, rate_limit_key, priority_rank, available_at, finished_at)
SELECT $1, s.step_key, s.module, s.attempt, s.status, s.inputs, s.config, s.output, s.error,
       s.idempotency_key, $2, s.max_attempts, s.retry, s.timeout_seconds, s.breaker_key,
       s.rate_limit_key, (SELECT 9 - e.priority FROM workflow_executions e WHERE e.id = $1),
       coalesce($4::timestamptz, clock_timestamp()) + make_interval(secs => s.delay),
       CASE WHEN s.status IN ('PENDING', 'WAITING') THEN NULL ELSE now() END
FROM jsonb_to_recordset($3::jsonb) AS s(
    step_key text, module text, attempt int, status text, inputs jsonb, config jsonb,
    output jsonb, error jsonb, idempotency_key text, max_attempts int, retry jsonb,
    timeout_seconds float8, breaker_key text, rate_limit_key text, delay float8)
RETURNING id, step_key, status, attempt;

-- name: runs_notify
-- Wake runners in other processes: new work is ready.
SELECT pg_notify('valkyr_runs', '');

-- name: dead_letter_insert
-- Quarantine a run that failed permanently or used up its attempts.
INSERT INTO dead_letters (run_id, execution_id, step_key, reason, error, attempts, inputs,
                          config, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'QUARANTINED')
RETURNING id;

-- name: run_succeeded_with_key
-- The output of this step's earlier success with the same idempotency key, if any.
SELECT output FROM runs
WHERE execution_id = $1 AND step_key = $2 AND idempotency_key = $3 AND status = 'SUCCEEDED'
ORDER BY attempt DESC LIMIT 1;

-- name: run_latest_attempt
-- The highest attempt number of one step of an execution (0 when it never ran).
SELECT coalesce(max(attempt), 0) FROM runs WHERE execution_id = $1 AND step_key = $2;

-- name: execution_reopen
-- A FAILED execution runs again (a dead letter was requeued).
UPDATE workflow_executions
SET status = 'RUNNING', error = NULL, finished_at = NULL, updated_at = now()
WHERE id = $1 AND status = 'FAILED'
RETURNING id, workflow_id, workflow_version, status, inputs, trace_context;

-- name: execution_trace_context
-- The W3C trace context stored with an execution at submit (runs continue that trace).
SELECT trace_context FROM workflow_executions WHERE id = $1;

-- name: workflows_current_many
-- The current versions of the workflows a batch submit names (absent: no such workflow).
SELECT id, version FROM workflows WHERE id = ANY($1::uuid[]);

-- name: executions_insert_batch
-- Start many executions, of any workflows, in one statement (HTTP batch submit): each
-- row carries its workflow version, key and content hash. Rows go in in key order so
-- two batches that share keys wait for each other's index entries in the same order
-- (no deadlock); a key that exists, or repeats in the batch, is skipped.
INSERT INTO workflow_executions
    (workflow_id, workflow_version, status, inputs, idempotency_key, request_hash,
     trace_context, created_by, started_at, priority)
SELECT e.workflow_id, e.version, 'RUNNING', e.inputs, e.key, e.hash, $2, $3, now(), e.priority
FROM jsonb_to_recordset($1::jsonb) AS e(workflow_id uuid, version int, inputs jsonb,
                                        key text, hash text, priority int)
ORDER BY e.key
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING *;

-- name: executions_by_keys
-- The executions that a batch's skipped duplicates refer to.
SELECT * FROM workflow_executions WHERE idempotency_key = ANY($1::text[]);

-- name: runs_insert_many
-- The first runs of many executions in one statement (batch submit).
INSERT INTO runs (execution_id, step_key, module, attempt, status, inputs, config,
                  idempotency_key, held, max_attempts, retry, timeout_seconds,
                  breaker_key, rate_limit_key, priority_rank, available_at)
SELECT s.execution_id, s.step_key, s.module, 1, 'PENDING', s.inputs, s.config,
       s.idempotency_key, false, s.max_attempts, s.retry, s.timeout_seconds, s.breaker_key,
       s.rate_limit_key, s.priority_rank, clock_timestamp()
FROM jsonb_to_recordset($1::jsonb) AS s(
    execution_id uuid, step_key text, module text, inputs jsonb, config jsonb,
    idempotency_key text, max_attempts int, retry jsonb, timeout_seconds float8,
    breaker_key text, rate_limit_key text, priority_rank int);

-- name: executions_runs_latest_many
-- execution_runs_latest for many executions at once (batched completions).
SELECT DISTINCT ON (execution_id, step_key)
       execution_id, id, step_key, status, output, attempt, idempotency_key
FROM runs WHERE execution_id = ANY($1::uuid[])
ORDER BY execution_id, step_key, attempt DESC;

-- name: executions_complete_many
-- execution_complete for many executions at once (batched completions). The rows are
-- reached by primary key through the id array: joined on the recordset alone, the
-- planner hashed it against every RUNNING execution (a seq scan or the status index).
-- Only the executions that free a concurrency slot come back (most have no key).
WITH done AS (
    UPDATE workflow_executions e
    SET status = 'COMPLETED', outputs = c.outputs, finished_at = now(), updated_at = now()
    FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, outputs jsonb)
    WHERE e.id = ANY($2::uuid[]) AND e.id = c.id AND (e.status IN ('RUNNING', 'PAUSED')) IS TRUE
    RETURNING e.id, e.workflow_id, e.workflow_version, e.concurrency_key
)
SELECT * FROM done WHERE concurrency_key IS NOT NULL;
