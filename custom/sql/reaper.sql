-- name: reap_candidates
-- LEASED runs whose runner's lease expired (or vanished), oldest lease first.
-- $1 is the clock (NULL = now()).
SELECT r.id, r.execution_id, r.lease_token
FROM runs r
LEFT JOIN runner_leases l ON l.runner_id = r.lease_owner
WHERE r.status = 'LEASED'
  AND (l.expires_at IS NULL OR l.expires_at < coalesce($1::timestamptz, now()))
ORDER BY r.claimed_at
LIMIT $2;

-- name: reap_run
-- Re-check under the execution lock and fail the zombie attempt; no row back means
-- another reaper, or the runner itself, got there first.
UPDATE runs r
SET status = CASE WHEN r.attempt >= r.max_attempts THEN 'DEAD_LETTERED' ELSE 'FAILED' END,
    finished_at = now(),
    error = jsonb_build_object('message', 'lease expired: the runner stopped heartbeating',
                               'type', 'lease_expired', 'leaseOwner', r.lease_owner)
WHERE r.id = $1 AND r.status = 'LEASED' AND r.lease_token = $2
  AND NOT EXISTS (SELECT 1 FROM runner_leases l
                  WHERE l.runner_id = r.lease_owner
                    AND l.expires_at >= coalesce($3::timestamptz, now()))
RETURNING r.*;

-- name: counter_add
-- Add to a counter shared by every process (e.g. leases_reclaimed).
INSERT INTO engine_counters (name, value) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET value = engine_counters.value + EXCLUDED.value;
