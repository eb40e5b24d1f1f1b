-- Circuit breakers. Every transition is one conditional statement on the
-- breaker row, so runners in any number of processes lose no update. Lock order: a
-- breaker row is always the LAST row a transaction locks (after the execution and its
-- runs); the claim locks ready runs, then breaker rows.

-- name: breaker_success
-- A run behind breaker $1 succeeded ($2 = when it was claimed). CLOSED: forget earlier
-- failures (no write at all when there are none: the steady state costs one index
-- probe). HALF_OPEN and the run is a trial (claimed after the breaker opened): CLOSED.
-- OPEN: nothing (a late answer from a call made before the breaker opened).
-- The first use creates the row. `was` is the state before (HALF_OPEN = it just closed).
WITH ensure AS (
    INSERT INTO circuit_breaker_states (key) VALUES ($1) ON CONFLICT (key) DO NOTHING
)
UPDATE circuit_breaker_states b
SET state = 'CLOSED', failure_count = 0, half_open_in_flight = 0, updated_at = now()
FROM circuit_breaker_states old
WHERE b.key = $1 AND old.id = b.id
  AND ((b.state = 'CLOSED' AND b.failure_count > 0)
       OR (b.state = 'HALF_OPEN' AND $2::timestamptz >= b.opened_at))
RETURNING old.state AS was, b.state;

-- name: breaker_failure
-- A run behind breaker $1 failed (transient, permanent or timed out; $2 the error
-- message, $3 when the run was claimed). CLOSED: count it, and OPEN at the threshold.
-- HALF_OPEN and the run is a trial: OPEN again (the reset timeout starts over).
-- OPEN: only remembered as the last failure. One upsert: the first failure creates
-- the row, and ON CONFLICT computes on the current row version under its lock.
-- `opened` says this failure opened the breaker.
INSERT INTO circuit_breaker_states AS b (key, failure_count, last_failure_at, last_error)
VALUES ($1, 1, now(), $2)
ON CONFLICT (key) DO UPDATE SET
    failure_count = CASE WHEN b.state = 'CLOSED' THEN b.failure_count + 1
                         ELSE b.failure_count END,
    state = CASE
        WHEN b.state = 'CLOSED' AND b.failure_count + 1 >= b.failure_threshold THEN 'OPEN'
        WHEN b.state = 'HALF_OPEN' AND $3::timestamptz >= b.opened_at THEN 'OPEN'
        ELSE b.state END,
    opened_at = CASE
        WHEN b.state = 'CLOSED' AND b.failure_count + 1 >= b.failure_threshold THEN now()
        WHEN b.state = 'HALF_OPEN' AND $3::timestamptz >= b.opened_at THEN now()
        ELSE b.opened_at END,
    half_open_in_flight = CASE
        WHEN b.state = 'HALF_OPEN' AND $3::timestamptz >= b.opened_at THEN 0
        ELSE b.half_open_in_flight END,
    last_failure_at = now(), last_error = EXCLUDED.last_error, updated_at = now()
RETURNING b.state, b.failure_count, (b.state = 'OPEN' AND b.opened_at = now()) AS opened;

-- name: breaker_release_trial
-- A trial call ended without a verdict (cancelled, or given back by a stopping runner):
-- free its HALF_OPEN slot so another trial may go.
UPDATE circuit_breaker_states
SET half_open_in_flight = half_open_in_flight - 1, updated_at = now()
WHERE key = $1 AND state = 'HALF_OPEN' AND $2::timestamptz >= opened_at
  AND half_open_in_flight > 0;

-- name: breaker_unpark
-- The breaker closed: runs parked behind it are ready now. Rows another transaction
-- holds are skipped (a claim holding them waits on this breaker's row and then sees it
-- CLOSED). No index on breaker_key: this walks ix_runs_ready (every PENDING run, once
-- per close).
UPDATE runs SET available_at = now()
WHERE id IN (SELECT id FROM runs
             WHERE status = 'PENDING' AND NOT held AND breaker_key = $1
               AND available_at > now()
             FOR UPDATE SKIP LOCKED)
RETURNING id;

-- name: breaker_get
-- One breaker.
SELECT * FROM circuit_breaker_states WHERE id = $1;

-- name: breaker_update_thresholds
-- An operator changes thresholds (NULL keeps a value); the state stays the engine's.
UPDATE circuit_breaker_states
SET failure_threshold = coalesce($2, failure_threshold),
    reset_timeout_seconds = coalesce($3, reset_timeout_seconds),
    half_open_max_calls = coalesce($4, half_open_max_calls),
    updated_at = now()
WHERE id = $1
RETURNING *;

-- name: breaker_reset
-- Force CLOSED (operator): failures forgotten, trial slots freed.
UPDATE circuit_breaker_states
SET state = 'CLOSED', failure_count = 0, half_open_in_flight = 0, updated_at = now()
WHERE id = $1
RETURNING *;
