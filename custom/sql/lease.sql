-- name: run_claim
-- Lease up to $3 ready runs of the modules $2 for runner $1 (oldest first), skipping
-- rows other claimers hold. The runner's lease row is created or extended in the
-- same statement; every claimed run gets a fresh fencing token.
-- $4 is the clock (NULL = now()), $5 the lease in seconds.
WITH ready AS (
    SELECT r.id FROM runs r
    WHERE r.status = 'PENDING' AND NOT r.held
      AND r.available_at <= coalesce($4::timestamptz, now())
      AND r.module = ANY($2::text[])
    ORDER BY r.available_at
    LIMIT $3
    FOR UPDATE OF r SKIP LOCKED
), lease AS (
    INSERT INTO runner_leases AS l (runner_id, expires_at, heartbeat_at)
    SELECT $1, coalesce($4::timestamptz, now()) + make_interval(secs => $5),
           coalesce($4::timestamptz, now())
    WHERE EXISTS (SELECT 1 FROM ready)
    ON CONFLICT (runner_id) DO UPDATE
        SET expires_at = greatest(l.expires_at, EXCLUDED.expires_at),
            heartbeat_at = EXCLUDED.heartbeat_at
    RETURNING l.expires_at
)
UPDATE runs r
SET status = 'LEASED', lease_owner = $1, lease_token = nextval('run_lease_token_seq'),
    claimed_at = coalesce($4::timestamptz, now()), cancel_requested = false
FROM ready
WHERE r.id = ready.id
RETURNING r.*, (SELECT expires_at FROM lease) AS lease_expires_at;

-- name: runner_heartbeat
-- One statement per runner per interval, whatever the number of runs it holds:
-- extend the runner's lease and report which of its runs were asked to cancel.
WITH lease AS (
    INSERT INTO runner_leases AS l (runner_id, expires_at, heartbeat_at)
    VALUES ($1, coalesce($3::timestamptz, now()) + make_interval(secs => $2),
            coalesce($3::timestamptz, now()))
    ON CONFLICT (runner_id) DO UPDATE
        SET expires_at = EXCLUDED.expires_at, heartbeat_at = EXCLUDED.heartbeat_at
    RETURNING l.expires_at
)
SELECT (SELECT expires_at FROM lease) AS expires_at,
       coalesce((SELECT array_agg(id) FROM runs
                 WHERE lease_owner = $1 AND status = 'LEASED' AND cancel_requested),
                '{}'::uuid[]) AS cancel_ids;

-- name: run_heartbeat
-- REST heartbeat of one run: extends the runner's lease only while the run is still
-- leased to that runner with that token and the lease has not expired.
WITH held AS (
    SELECT r.cancel_requested FROM runs r
    JOIN runner_leases l ON l.runner_id = r.lease_owner
    WHERE r.id = $1 AND r.status = 'LEASED' AND r.lease_owner = $2 AND r.lease_token = $3
      AND l.expires_at > coalesce($5::timestamptz, now())
), lease AS (
    UPDATE runner_leases
    SET expires_at = coalesce($5::timestamptz, now()) + make_interval(secs => $4),
        heartbeat_at = coalesce($5::timestamptz, now())
    WHERE runner_id = $2 AND EXISTS (SELECT 1 FROM held)
    RETURNING expires_at
)
SELECT (SELECT expires_at FROM lease) AS expires_at,
       (SELECT cancel_requested FROM held) AS cancel_requested;

-- name: run_finish
-- Fenced completion or failure: only the current holder (owner + token, lease not
-- expired) may finish a run. No row back = stale token, foreign runner or lost lease.
UPDATE runs r
SET status = $4, output = $5, error = $6, finished_at = now(),
    started_at = coalesce($7::timestamptz, r.started_at, r.claimed_at)
FROM runner_leases l
WHERE r.id = $1 AND r.status = 'LEASED' AND r.lease_owner = $2 AND r.lease_token = $3
  AND l.runner_id = r.lease_owner AND l.expires_at > coalesce($8::timestamptz, now())
RETURNING r.*;

-- name: run_get
-- One run with the lease of the runner that holds it.
SELECT r.*, l.expires_at AS lease_expires_at, l.heartbeat_at AS lease_heartbeat_at
FROM runs r LEFT JOIN runner_leases l ON l.runner_id = r.lease_owner AND r.status = 'LEASED'
WHERE r.id = $1;

-- name: runs_release
-- Give leased runs back without using an attempt (clean shutdown of a runner).
UPDATE runs
SET status = 'PENDING', lease_owner = NULL, lease_token = NULL, claimed_at = NULL,
    available_at = now()
WHERE id = ANY($2::uuid[]) AND lease_owner = $1 AND status = 'LEASED'
RETURNING id;

-- name: runner_lease_drop
-- A runner that stopped cleanly gives its lease row up.
DELETE FROM runner_leases WHERE runner_id = $1;

-- name: run_exists
-- Tell a missing run (404) from one held by somebody else (409).
SELECT 1 FROM runs WHERE id = $1;

-- name: run_attempts
-- How many attempts a run's step has, to choose retry or dead letter.
SELECT attempt, max_attempts FROM runs WHERE id = $1;

-- name: runs_next_available_in
-- Seconds until the next not-yet-ready run of these modules becomes ready (a backoff
-- or a parked breaker ending), so an idle runner wakes exactly then.
SELECT extract(epoch FROM min(available_at) - now())::float8
FROM runs
WHERE status = 'PENDING' AND NOT held AND module = ANY($1::text[]);
