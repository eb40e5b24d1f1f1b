-- name: claim_plan
-- Run before run_claim, in its transaction. Right after a burst of submissions the
-- statistics still say few runs are ready, and the planner read the ready runs with
-- a bitmap scan: every ready run fetched and sorted to keep the batch. Without bitmap
-- scans it walks ix_runs_ready in claim order and stops at the LIMIT (the
-- EXPLAIN tests of tests/integration/test_query_plans.py hold it; figures in the
-- README's performance section).
-- The generic plan, kept by the prepared statement, is forced: run_claim is long
-- (breakers, rate limits, lease) and a custom plan per call cost ~1 ms of planning;
-- measured round trip with 10,000 ready runs and a batch of 64: 2.57 ms custom,
-- 1.52 ms generic (test_claim_generic_plan_uses_ready_index holds the generic plan).
-- It answers whether any RateLimit exists (run_claim or run_claim_unlimited).
SELECT EXISTS (SELECT 1 FROM rate_limits) AS rate_limited,
       set_config('enable_bitmapscan', 'off', true),
       set_config('plan_cache_mode', 'force_generic_plan', true);

-- name: run_claim
-- Lease up to $3 ready runs of the modules $2 for runner $1 (highest priority first,
-- i.e. lowest priority_rank, then oldest: the order of ix_runs_ready), skipping
-- rows other claimers hold; every claimed run gets a fresh fencing token. The
-- runner's lease row is created, or extended to $5 seconds, in the same statement
-- only when it is missing, has less than 90% of $5 left, or was asked for another
-- length (kept as lease_seconds: what a heartbeat naming no length extends by): a
-- runner that heartbeats (the in-process one does, every few seconds) never writes
-- it from a claim, so claims do not queue on that row lock. lease_expires_at is the
-- lease in force.
-- $4 is the clock (NULL = now()), $5 the lease in seconds. $6: for a REST claim, one
-- sha256 of a fresh random secret per run it may lease (the n-th leased run, in id
-- order, keeps the n-th; `lease_slot` says which); NULL for the service's own runners.
-- Circuit breakers, in the same round trip: a ready run whose breaker is
-- OPEN is parked (available_at moves to the breaker's reset time; no attempt is used);
-- once the reset time passed, at most half_open_max_calls trial runs are leased
-- (the breaker goes HALF_OPEN and counts them) and the rest wait one reset timeout
-- (a verdict un-parks them: breaker_unpark). Only breakers that are not CLOSED are
-- read (and locked, serialising claimers of that breaker); runs without a breaker key
-- never touch circuit_breaker_states. A HALF_OPEN slot held longer than the reset
-- timeout + a lease is taken as lost (its runner died) and freed.
-- Rate limits: claim_rate_limited below, in the same round trip; a transaction
-- in which no RateLimit exists (claim_plan says) runs run_claim_unlimited, the same
-- statement without them (they cost a burst of single steps 6-12 % of its rate).

-- include: claim_decided
-- include: claim_rate_limited
-- include: claim_lease

-- name: run_claim_unlimited
-- run_claim while no RateLimit exists: every run the breakers let through is leased.
-- include: claim_decided
-- include: claim_not_rate_limited
-- include: claim_lease

-- name: claim_decided
-- Fragment of run_claim: the ready runs in claim order and what their breakers decide.
WITH ready AS (
    SELECT r.id, r.breaker_key, r.rate_limit_key, r.rate_limit_slot, r.priority_rank,
           r.available_at FROM runs r
    WHERE r.status = 'PENDING' AND NOT r.held
      AND r.available_at <= coalesce($4::timestamptz, now())
      AND r.module = ANY($2::text[])
    ORDER BY r.priority_rank, r.available_at
    LIMIT $3
    FOR UPDATE OF r SKIP LOCKED
), breaker AS (
    SELECT b.key, b.state, b.reset_timeout_seconds, b.half_open_max_calls,
           b.opened_at + make_interval(secs => b.reset_timeout_seconds) AS reopens_at,
           CASE WHEN b.state = 'OPEN' THEN 0
                WHEN b.updated_at < coalesce($4::timestamptz, now())
                     - make_interval(secs => b.reset_timeout_seconds + $5) THEN 0
                ELSE b.half_open_in_flight END AS in_flight
    FROM circuit_breaker_states b
    WHERE b.key IN (SELECT breaker_key FROM ready WHERE breaker_key IS NOT NULL)
      AND b.state <> 'CLOSED'
    FOR UPDATE OF b
), decided AS (
    SELECT r.id, r.breaker_key,
           CASE
               WHEN b.key IS NULL THEN 'lease'
               WHEN b.state = 'OPEN' AND b.reopens_at > coalesce($4::timestamptz, now())
                   THEN 'park'
               WHEN row_number() OVER (PARTITION BY r.breaker_key
                                       ORDER BY r.available_at, r.id)
                    <= b.half_open_max_calls - b.in_flight THEN 'trial'
               ELSE 'wait'
           END AS action,
           CASE WHEN b.state = 'OPEN' AND b.reopens_at > coalesce($4::timestamptz, now())
                    THEN b.reopens_at
                ELSE coalesce($4::timestamptz, now())
                     + make_interval(secs => b.reset_timeout_seconds)
           END AS park_until
    FROM ready r LEFT JOIN breaker b ON b.key = r.breaker_key

-- name: claim_rate_limited
-- Rate limits, in the same round trip: the token buckets (rate_limits) of the ready
-- runs' rate_limit_key are read and locked (only those keys: runs without one never
-- touch the table), refilled for the time since refilled_at, and each run that would
-- be leased takes a token. One for which none is left is parked (no attempt used)
-- until its token exists, and that future token is set aside for it: the bucket goes
-- below zero by one (a debt the refill pays back) and the run keeps the moment as its
-- rate_limit_slot. So later claims park later runs behind it, each run is parked
-- once, not once per claim that sees it, and the claim after its slot leases it
-- without taking another token. A slot more than burst / perSecond old (the run
-- waited for a runner, a pause, a breaker) is void: the run takes a token like any
-- other, so runs that piled up never go out as more than a burst. A run woken before
-- its slot (a breaker closing, a resume) is parked again until then. refilled_at never
-- moves back: now() is when a claim's transaction began, and a claim that began
-- earlier may take the bucket's lock after one that began later (its refill is then
-- none, not negative).
), bucket AS (
    SELECT k.key, k.per_second, k.burst, k.refilled_at,
           least(k.burst::float8,
                 k.tokens + k.per_second * greatest(0, extract(epoch FROM
                     coalesce($4::timestamptz, now()) - k.refilled_at))) AS tokens
    FROM rate_limits k
    WHERE k.key IN (SELECT rate_limit_key FROM ready WHERE rate_limit_key IS NOT NULL)
    ORDER BY k.key  -- claimers of several keys lock them in one order: no deadlock
    FOR UPDATE OF k
), slotted AS (
    -- what each run that would be leased needs from its bucket: nothing (no bucket,
    -- or its slot came and is not void), to wait for its slot, or a token
    SELECT d.id, d.breaker_key, r.rate_limit_key, d.action, d.park_until, r.priority_rank,
           r.available_at, k.tokens, k.per_second,
           CASE WHEN k.key IS NULL OR d.action NOT IN ('lease', 'trial') THEN 'none'
                WHEN r.rate_limit_slot > coalesce($4::timestamptz, now()) THEN 'early'
                WHEN r.rate_limit_slot >= coalesce($4::timestamptz, now())
                     - make_interval(secs => k.burst / k.per_second) THEN 'none'
                ELSE 'token' END AS needs,
           r.rate_limit_slot
    FROM decided d JOIN ready r ON r.id = d.id LEFT JOIN bucket k ON k.key = r.rate_limit_key
), ranked AS (
    SELECT s.*, row_number() OVER (PARTITION BY s.rate_limit_key, s.needs
                                   ORDER BY s.priority_rank, s.available_at, s.id) AS nth
    FROM slotted s
), limited AS (
    SELECT id, breaker_key, rate_limit_key, needs,
           CASE WHEN needs = 'early' OR (needs = 'token' AND nth > floor(tokens))
                THEN 'throttle' ELSE action END AS action,
           CASE WHEN needs = 'early' THEN rate_limit_slot
                WHEN needs = 'token' AND nth > floor(tokens)
                THEN coalesce($4::timestamptz, now())
                     + make_interval(secs => (nth - tokens) / per_second)
                ELSE park_until END AS park_until
    FROM ranked
), taken AS (
    -- a token for each run leased with one, and one set aside for each run parked
    UPDATE rate_limits k
    SET tokens = b.tokens - t.n,
        refilled_at = greatest(b.refilled_at, coalesce($4::timestamptz, now()))
    FROM (SELECT rate_limit_key, count(*) AS n FROM limited
          WHERE needs = 'token' GROUP BY rate_limit_key) t
    JOIN bucket b ON b.key = t.rate_limit_key
    WHERE k.key = t.rate_limit_key
    RETURNING k.key

-- name: claim_not_rate_limited
-- Fragment of run_claim_unlimited: what the breakers decided is the decision.
), limited AS (
    SELECT id, breaker_key, NULL::text AS rate_limit_key, 'none' AS needs, action,
           park_until
    FROM decided

-- name: claim_lease
-- Fragment of run_claim: park what waits, count breaker trials, extend the runner's
-- lease, lease the rest.
), parked AS (
    UPDATE runs r
    SET available_at = l.park_until,
        rate_limit_slot = CASE WHEN l.action = 'throttle' THEN l.park_until
                               ELSE r.rate_limit_slot END
    FROM limited l
    WHERE r.id = l.id AND l.action IN ('park', 'wait', 'throttle')
    RETURNING r.id
), trials AS (
    UPDATE circuit_breaker_states b
    SET state = 'HALF_OPEN', half_open_in_flight = k.in_flight + t.n,
        updated_at = coalesce($4::timestamptz, now())
    FROM (SELECT breaker_key, count(*)::int AS n FROM limited
          WHERE action = 'trial' GROUP BY breaker_key) t
    JOIN breaker k ON k.key = t.breaker_key
    WHERE b.key = t.breaker_key
    RETURNING b.key
), current_lease AS (
    SELECT expires_at, lease_seconds FROM runner_leases WHERE runner_id = $1
), lease AS (
    INSERT INTO runner_leases AS l (runner_id, expires_at, heartbeat_at, lease_seconds)
    SELECT $1, coalesce($4::timestamptz, now()) + make_interval(secs => $5),
           coalesce($4::timestamptz, now()), $5
    WHERE EXISTS (SELECT 1 FROM limited WHERE action IN ('lease', 'trial'))
      AND NOT EXISTS (SELECT 1 FROM current_lease
                      WHERE expires_at >= coalesce($4::timestamptz, now())
                                          + make_interval(secs => $5 * 0.9)
                        AND lease_seconds IS NOT DISTINCT FROM $5::float8)
    ON CONFLICT (runner_id) DO UPDATE
        SET expires_at = greatest(l.expires_at, EXCLUDED.expires_at),
            heartbeat_at = EXCLUDED.heartbeat_at,
            lease_seconds = EXCLUDED.lease_seconds
    RETURNING l.expires_at
), granted AS (
    SELECT id, row_number() OVER (ORDER BY id)::int AS slot
    FROM limited WHERE action IN ('lease', 'trial')
)
UPDATE runs r
SET status = 'LEASED', lease_owner = $1, lease_token = nextval('run_lease_token_seq'),
    lease_secret_hash = ($6::bytea[])[g.slot], rate_limit_slot = NULL,
    claimed_at = coalesce($4::timestamptz, now()), cancel_requested = false
FROM granted g
WHERE r.id = g.id
RETURNING r.*, g.slot AS lease_slot,
          coalesce((SELECT expires_at FROM lease),
                   (SELECT expires_at FROM current_lease)) AS lease_expires_at;

-- name: runner_lease_extend
-- One statement per runner per interval, whatever the number of runs it holds: create
-- or extend the runner's lease. Kept to this one row so the row lock (which claims
-- that must create a lease wait on) is held for microseconds.
INSERT INTO runner_leases AS l (runner_id, expires_at, heartbeat_at, lease_seconds)
VALUES ($1, coalesce($3::timestamptz, now()) + make_interval(secs => $2),
        coalesce($3::timestamptz, now()), $2)
ON CONFLICT (runner_id) DO UPDATE
    SET expires_at = EXCLUDED.expires_at, heartbeat_at = EXCLUDED.heartbeat_at,
        lease_seconds = EXCLUDED.lease_seconds
RETURNING l.expires_at;

-- name: runner_cancel_requested
-- The runs of runner $1 that were asked to cancel (ix_runs_cancel_requested: reads
-- only those, not every run the runner holds). Its own statement: it locks nothing.
SELECT coalesce(array_agg(id), '{}'::uuid[]) FROM runs
WHERE lease_owner = $1 AND status = 'LEASED' AND cancel_requested;

-- name: run_heartbeat
-- REST heartbeat of one run: extends the runner's lease only while the run is still
-- leased to that runner with that token (fencing number $3 and secret hash $7) and
-- the lease has not expired, by $4 seconds when the runner names a length, else by
-- the length it asked for when it claimed ($6, the server default, only for a lease
-- row older than that column). The run is
-- reached through its primary key only; the lease is checked on the runner's row
-- (not a join on lease_owner, which would read every run of the runner), and the
-- status test is kept away from ix_runs_leased_owner as in run_finish.
WITH held AS (
    SELECT r.cancel_requested FROM runs r
    WHERE r.id = $1 AND (r.status = 'LEASED') IS TRUE
      AND r.lease_owner = $2 AND r.lease_token = $3 AND r.lease_secret_hash = $7::bytea
      AND EXISTS (SELECT 1 FROM runner_leases l
                  WHERE l.runner_id = $2 AND l.expires_at > coalesce($5::timestamptz, now()))
), lease AS (
    UPDATE runner_leases l
    SET expires_at = coalesce($5::timestamptz, now())
                     + make_interval(secs => coalesce($4::float8, l.lease_seconds, $6::float8)),
        heartbeat_at = coalesce($5::timestamptz, now()),
        lease_seconds = coalesce($4::float8, l.lease_seconds, $6::float8)
    WHERE l.runner_id = $2 AND EXISTS (SELECT 1 FROM held)
    RETURNING l.expires_at
)
SELECT (SELECT expires_at FROM lease) AS expires_at,
       (SELECT cancel_requested FROM held) AS cancel_requested;

-- name: runs_heartbeat
-- REST batch heartbeat: one statement per request, whatever the number of runs. Of
-- the runs $2[i] with fencing numbers $3[i] and lease secret hashes $7[i], those still
-- leased to runner $1 with that token under a live lease are held; when any is, the
-- runner's lease is extended as by
-- run_heartbeat ($4 seconds, else the length it claimed with, $6 only for a lease row
-- older than that column). Every run is reached through runs_pkey (the status test is
-- kept away from ix_runs_leased_owner as in run_finish). Answers the new expiry (NULL:
-- none held, nothing extended), the held runs with their tokens, and those asked to
-- cancel.
WITH asked AS (
    SELECT DISTINCT g.id, g.token, g.secret
    FROM unnest($2::uuid[], $3::bigint[], $7::bytea[]) AS g(id, token, secret)
), live AS (
    SELECT 1 FROM runner_leases l
    WHERE l.runner_id = $1 AND l.expires_at > coalesce($5::timestamptz, now())
), held AS (
    SELECT r.id, r.lease_token, r.cancel_requested FROM asked a JOIN runs r ON r.id = a.id
    WHERE (r.status = 'LEASED') IS TRUE AND r.lease_owner = $1 AND r.lease_token = a.token
      AND r.lease_secret_hash = a.secret
      AND EXISTS (SELECT 1 FROM live)
), lease AS (
    UPDATE runner_leases l
    SET expires_at = coalesce($5::timestamptz, now())
                     + make_interval(secs => coalesce($4::float8, l.lease_seconds, $6::float8)),
        heartbeat_at = coalesce($5::timestamptz, now()),
        lease_seconds = coalesce($4::float8, l.lease_seconds, $6::float8)
    WHERE l.runner_id = $1 AND EXISTS (SELECT 1 FROM held)
    RETURNING l.expires_at
)
SELECT (SELECT expires_at FROM lease) AS expires_at,
       coalesce((SELECT array_agg(id) FROM held), '{}'::uuid[]) AS held,
       coalesce((SELECT array_agg(lease_token) FROM held), '{}'::bigint[]) AS tokens,
       coalesce((SELECT array_agg(id) FROM held WHERE cancel_requested), '{}'::uuid[])
           AS cancel_requested;

-- name: run_finish
-- Fenced completion or failure: only the current holder (owner + token, lease not
-- expired) may finish a run. No row back = stale token, foreign runner or lost lease.
-- $9 is the hash of a REST runner's lease secret, NULL for the service's own runners
-- (whose claims stored none): neither kind can finish the other's runs.
-- The run is reached through runs_pkey only; the lease check is a one-time probe of
-- the runner's row ($2 = lease_owner), never a scan of the runner's other runs.
-- `(status = 'LEASED') IS TRUE` (same meaning: status is NOT NULL) is written so the
-- planner cannot match it to the predicate of ix_runs_leased_owner: with statistics
-- taken before the runner's runs were leased (the usual case right after a burst of
-- claims) that index looks nearly empty, and the planner read all of the runner's
-- runs through it (lease_owner = $2) on every completion instead of one pkey probe.
UPDATE runs r
SET status = $4, output = $5, error = $6, finished_at = now(),
    started_at = coalesce($7::timestamptz, r.started_at, r.claimed_at)
WHERE r.id = $1 AND (r.status = 'LEASED') IS TRUE
  AND r.lease_owner = $2 AND r.lease_token = $3
  AND r.lease_secret_hash IS NOT DISTINCT FROM $9::bytea
  AND EXISTS (SELECT 1 FROM runner_leases l
              WHERE l.runner_id = $2 AND l.expires_at > coalesce($8::timestamptz, now()))
RETURNING r.*;

-- name: run_get
-- One run with the lease of the runner that holds it.
SELECT r.*, l.expires_at AS lease_expires_at, l.heartbeat_at AS lease_heartbeat_at
FROM runs r LEFT JOIN runner_leases l ON l.runner_id = r.lease_owner AND r.status = 'LEASED'
WHERE r.id = $1;

-- name: runner_leases_of
-- The leases of these runners (a page of runs shows the lease of each LEASED one).
SELECT runner_id, expires_at, heartbeat_at FROM runner_leases WHERE runner_id = ANY($1::text[]);

-- name: runs_release
-- Give leased runs back without using an attempt: a runner shutting down cleanly, or
-- one whose heartbeat found runs it no longer tracks. Fenced like a completion: run
-- $2[i] goes back only while it is still leased to $1 with token $3[i] (a run that
-- was reclaimed and leased again, even to the same runner, is left alone) and, when
-- $4[i] is given (a REST runner naming its runs), the run's lease secret hash is $4[i]
-- ($4 NULL or shorter: no secret to check, e.g. the service's own runners). A run
-- that was a HALF_OPEN trial gives its breaker slot back (no verdict either way).
WITH released AS (
    UPDATE runs r
    SET status = 'PENDING', lease_owner = NULL, lease_token = NULL, lease_secret_hash = NULL,
        claimed_at = NULL, available_at = now()
    FROM (SELECT x.id, x.claimed_at FROM runs x
          JOIN unnest($2::uuid[], $3::bigint[], $4::bytea[]) AS g(id, token, secret)
            ON g.id = x.id
          WHERE x.lease_owner = $1 AND x.status = 'LEASED' AND x.lease_token = g.token
            AND (g.secret IS NULL OR x.lease_secret_hash = g.secret)) was
    WHERE r.id = was.id AND r.lease_owner = $1 AND r.status = 'LEASED'
    RETURNING r.id, r.breaker_key, was.claimed_at
), slots AS (
    UPDATE circuit_breaker_states b
    SET half_open_in_flight = greatest(b.half_open_in_flight - t.n, 0), updated_at = now()
    FROM (SELECT b2.key, count(*)::int AS n
          FROM released x JOIN circuit_breaker_states b2 ON b2.key = x.breaker_key
          WHERE b2.state = 'HALF_OPEN' AND x.claimed_at >= b2.opened_at
          GROUP BY b2.key) t
    WHERE b.key = t.key AND b.state = 'HALF_OPEN'
)
SELECT id FROM released;

-- name: runner_lease_drop
-- A runner that stopped cleanly gives its lease row up.
DELETE FROM runner_leases WHERE runner_id = $1;

-- name: run_exists
-- Tell a missing run (404) from one held by somebody else (409).
SELECT 1 FROM runs WHERE id = $1;

-- name: run_attempts
-- How many attempts a run's step has, to choose retry or dead letter (and whether it
-- was asked to stop: its execution was cancelled).
SELECT attempt, max_attempts, cancel_requested FROM runs WHERE id = $1;

-- name: runs_next_available_in
-- Seconds until the next not-yet-ready run of these modules becomes ready (a backoff
-- or a parked breaker ending), so an idle runner wakes exactly then. ix_runs_ready
-- leads with priority_rank: the earliest run of each of the ten ranks (one short index
-- walk each) instead of every waiting run.
SELECT extract(epoch FROM min(n.available_at) - now())::float8
FROM generate_series(0, 9) AS rank
CROSS JOIN LATERAL (
    SELECT r.available_at FROM runs r
    WHERE r.status = 'PENDING' AND NOT r.held AND r.priority_rank = rank
      AND r.module = ANY($1::text[])
    ORDER BY r.available_at
    LIMIT 1
) n;

-- name: executions_lock_many
-- Lock the executions of a batch of completions, in id order (so concurrent batches
-- cannot deadlock), before touching their runs.
SELECT id, workflow_id, workflow_version, status, inputs
FROM workflow_executions WHERE id = ANY($1::uuid[])
ORDER BY id FOR UPDATE;

-- name: runs_complete_many
-- Fenced completion of a batch of runs of runner $1 in one statement; a run missing
-- from the answer was not held with its token (stale token or lost lease). Returns
-- what the caller needs (the breaker verdict), not the runs' JSON back.
UPDATE runs r
SET status = 'SUCCEEDED', output = u.output, finished_at = now(),
    started_at = coalesce(u.started_at, r.started_at, r.claimed_at)
FROM jsonb_to_recordset($2::jsonb)
     AS u(id uuid, execution_id uuid, token bigint, output jsonb, started_at timestamptz)
WHERE r.id = u.id AND r.execution_id = u.execution_id
  AND (r.status = 'LEASED') IS TRUE AND r.lease_owner = $1 AND r.lease_token = u.token
  AND r.lease_secret_hash IS NULL  -- the service's own runners: REST-claimed runs are not theirs
  AND EXISTS (SELECT 1 FROM runner_leases l WHERE l.runner_id = $1 AND l.expires_at > now())
RETURNING r.id, r.execution_id, r.breaker_key, r.claimed_at;

-- name: runner_held_count
-- How many runs the database says runner $1 holds (an index-only count on
-- ix_runs_leased_owner): the heartbeat compares it with what the runner tracks.
SELECT count(*) FROM runs WHERE lease_owner = $1 AND status = 'LEASED';

-- name: runner_held_since
-- The runs runner $1 holds that were claimed more than $2 seconds ago, with their
-- tokens: when the count above says the runner holds more than it tracks, these are
-- the candidates to give back. Runs claimed more recently are left out: their claim
-- may still be on its way back to the runner.
SELECT id, lease_token FROM runs
WHERE lease_owner = $1 AND status = 'LEASED'
  AND claimed_at < now() - make_interval(secs => $2);

-- name: run_outcome
-- How a run ended, to tell whether a report whose answer was lost (the connection
-- dropped after the commit) landed: finished by runner $2 with token $3, and not by
-- the reaper (which leaves the same owner and token on the run it fails).
SELECT status <> 'LEASED' AND status <> 'PENDING'
       AND coalesce(error->>'type', '') <> 'lease_expired' AS landed
FROM runs WHERE id = $1 AND lease_owner = $2 AND lease_token = $3;
