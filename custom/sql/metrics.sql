-- name: metrics_statement_timeout
-- A scrape must never hold the database up: each query below gets at most 3 s.
SET LOCAL statement_timeout = '3s';

-- name: metrics_runs_by_status
-- Runs by status (every status present in the table).
SELECT status, count(*)::bigint AS n FROM runs GROUP BY status;

-- name: metrics_ready_by_module
-- The ready queue per module: what a runner could claim right now (ix_runs_ready).
SELECT module, count(*)::bigint AS n FROM runs
WHERE status = 'PENDING' AND NOT held AND available_at <= now()
GROUP BY module;

-- name: metrics_open_dead_letters
-- Dead letters still waiting for a decision.
SELECT count(*)::bigint FROM dead_letters WHERE status = 'QUARANTINED';

-- name: metrics_breaker_states
-- Every circuit breaker's current state.
SELECT key, state FROM circuit_breaker_states;

-- name: metrics_engine_counters
-- The counters shared by all processes (the reaper increments leases_reclaimed).
SELECT name, value FROM engine_counters;
