-- Signals and the `wait` steps they complete (custom/executions/signals.py). Every
-- statement but waits_expired runs after execution_lock, in the same transaction.

-- name: signal_insert
-- Keep a signal; clock_timestamp() orders several sent in one transaction.
INSERT INTO signals (execution_id, name, payload, idempotency_key, sent_by, received_at)
VALUES ($1, $2, $3, $4, $5, clock_timestamp())
RETURNING *;

-- name: signal_by_idempotency_key
-- The signal an Idempotency-Key was first sent with (a repeated POST answers it).
SELECT * FROM signals WHERE execution_id = $1 AND idempotency_key = $2;

-- name: signal_get
-- One signal.
SELECT * FROM signals WHERE id = $1;

-- name: signals_deliver
-- Pair the execution's WAITING runs with its unconsumed signals of the same name,
-- oldest with oldest (the n-th wait reached takes the n-th signal sent); each pair's
-- signal is consumed by its run, and the run SUCCEEDS with the payload as output.
-- Under the execution lock there is never a waiting run and a kept signal of the same
-- name after this, so the pairing is simply rank against rank.
WITH waiting AS (
    SELECT r.id, r.config ->> 'signal' AS name,
           row_number() OVER (PARTITION BY r.config ->> 'signal'
                              ORDER BY r.created_at, r.id) AS n
    FROM runs r
    WHERE r.execution_id = $1 AND r.status = 'WAITING'
), kept AS (
    SELECT s.id, s.name, s.payload,
           row_number() OVER (PARTITION BY s.name ORDER BY s.received_at, s.id) AS n
    FROM signals s
    WHERE s.execution_id = $1 AND s.consumed_by_run_id IS NULL
), pairs AS (
    SELECT w.id AS run_id, k.id AS signal_id, k.payload
    FROM waiting w JOIN kept k USING (name, n)
), consumed AS (
    -- (a data-modifying WITH runs once whether or not it is referenced)
    UPDATE signals s SET consumed_by_run_id = p.run_id, consumed_at = now()
    FROM pairs p WHERE s.id = p.signal_id
)
UPDATE runs r
SET status = 'SUCCEEDED', output = p.payload, held = false, finished_at = now()
FROM pairs p
WHERE r.id = p.run_id
RETURNING r.id, r.step_key;

-- name: waits_expired
-- WAITING runs whose deadline (available_at) passed; $1 is the clock (NULL = now()).
-- Read through the partial index ix_runs_waiting: with no wait due, one index probe.
SELECT r.id, r.execution_id, r.config, r.created_at
FROM runs r
WHERE r.status = 'WAITING' AND r.available_at <= coalesce($1::timestamptz, now())
ORDER BY r.available_at
LIMIT $2;

-- name: wait_expire
-- Re-check under the execution lock and dead-letter the wait (no row: a signal, a
-- cancel or another reaper got there first).
UPDATE runs r
SET status = 'DEAD_LETTERED', held = false, finished_at = now(), error = $3
WHERE r.id = $1 AND r.status = 'WAITING' AND r.available_at <= coalesce($2::timestamptz, now())
RETURNING r.*;
