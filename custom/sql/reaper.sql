-- name: reap_candidates
-- LEASED runs whose runner's lease expired (or vanished), oldest claim first.
-- $1 is the clock (NULL = now()). Never a scan of every LEASED run: the distinct
-- owners of LEASED runs are found by skipping through ix_runs_leased_owner (one
-- index probe per owner, a loose index scan), those without a live lease row (expired
-- or missing alike) are kept, and only their runs are read (ix_runs_leased_owner
-- again, per lapsed owner: `= ANY (ARRAY(...))` of an array the planner cannot see
-- was planned as a parallel seq scan of runs whenever one runner held most of them,
-- 100,000 runs read every reaper pass with nothing to reap: 80 ms each in the 100k
-- hold). With every runner alive this is a couple of index probes per runner.
WITH RECURSIVE owners(owner) AS (
    SELECT (SELECT min(lease_owner) FROM runs WHERE status = 'LEASED')
    UNION ALL
    SELECT (SELECT min(r.lease_owner) FROM runs r
            WHERE r.status = 'LEASED' AND r.lease_owner > o.owner)
    FROM owners o
    WHERE o.owner IS NOT NULL
), lapsed AS (
    SELECT o.owner FROM owners o
    WHERE o.owner IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM runner_leases l
                      WHERE l.runner_id = o.owner
                        AND l.expires_at >= coalesce($1::timestamptz, now()))
)
SELECT r.id, r.execution_id, r.lease_token
FROM lapsed o
CROSS JOIN LATERAL (
    SELECT x.id, x.execution_id, x.lease_token, x.claimed_at FROM runs x
    WHERE x.status = 'LEASED' AND x.lease_owner = o.owner
    ORDER BY x.claimed_at
    LIMIT $2
) r
ORDER BY r.claimed_at
LIMIT $2;

-- name: reap_run
-- Re-check under the execution lock and fail the zombie attempt; no row back means
-- another reaper, or the runner itself, got there first. The run is found by its
-- primary key (`IS TRUE` keeps the planner off ix_runs_leased_owner, see run_finish).
UPDATE runs r
SET status = CASE WHEN r.attempt >= r.max_attempts THEN 'DEAD_LETTERED' ELSE 'FAILED' END,
    finished_at = now(),
    error = jsonb_build_object('message', 'lease expired: the runner stopped heartbeating',
                               'type', 'lease_expired', 'leaseOwner', r.lease_owner)
WHERE r.id = $1 AND (r.status = 'LEASED') IS TRUE AND r.lease_token = $2
  AND NOT EXISTS (SELECT 1 FROM runner_leases l
                  WHERE l.runner_id = r.lease_owner
                    AND l.expires_at >= coalesce($3::timestamptz, now()))
RETURNING r.*;

-- name: runner_leases_prune
-- Forget runners gone for good: a lease row expired more than $2 seconds ago whose
-- runner holds no LEASED run any more (the reaper took them back). A runner that
-- returns later gets a new row from its next claim. The table holds one row per
-- runner, so this reads a handful of rows and one ix_runs_leased_owner probe each.
DELETE FROM runner_leases l
WHERE l.expires_at < coalesce($1::timestamptz, now()) - make_interval(secs => $2)
  AND NOT EXISTS (SELECT 1 FROM runs r
                  WHERE r.status = 'LEASED' AND r.lease_owner = l.runner_id)
RETURNING l.runner_id;

-- name: counter_add
-- Add to a counter shared by every process (e.g. leases_reclaimed).
INSERT INTO engine_counters (name, value) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET value = engine_counters.value + EXCLUDED.value;

-- name: runs_age_priority
-- The starvation guard (aging): a ready run (PENDING, not held) rises one priority
-- level per $2 seconds it has been ready, up to the top: priority_rank =
-- max(0, (9 - the execution's priority) - floor(ready for / $2)). Oldest first, up to
-- $3 runs a pass, skipping runs a claimer holds. $1 is the clock (NULL = now()). A
-- retry is a new run, created at its execution's own priority (runs_insert). Only
-- ready runs are read (ix_runs_ready: rank above 0, ready long enough), each one's
-- execution by primary key; the runs to change are then reached by primary key
-- (a join on the CTE was planned as a hash join over a scan of every run).
WITH due AS (
    SELECT r.id FROM runs r
    WHERE r.status = 'PENDING' AND NOT r.held AND r.priority_rank > 0
      AND r.available_at <= coalesce($1::timestamptz, now()) - make_interval(secs => $2)
      AND greatest(0, (9 - (SELECT e.priority FROM workflow_executions e
                            WHERE e.id = r.execution_id))
                      - floor(extract(epoch FROM coalesce($1::timestamptz, now())
                                                - r.available_at) / $2)::int)
          < r.priority_rank
    ORDER BY r.available_at
    LIMIT $3
    FOR UPDATE OF r SKIP LOCKED
)
UPDATE runs r
SET priority_rank = greatest(0, (9 - (SELECT e.priority FROM workflow_executions e
                                      WHERE e.id = r.execution_id))
                                - floor(extract(epoch FROM coalesce($1::timestamptz, now())
                                                          - r.available_at) / $2)::int)
WHERE r.id = ANY (ARRAY(SELECT id FROM due))
RETURNING r.id;
