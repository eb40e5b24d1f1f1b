-- name: run_handoff
-- Hand-off (custom.leases.batch.complete_runs): in the transaction that completed a
-- run, the completing runner $1 leases the next runs that transaction created ($6)
-- itself, up to $3 of them (its free slots), instead of committing them for a claim.
-- A hand-off is a claim of runs nobody else can see yet (inserted uncommitted), so it
-- locks nothing: it takes only what run_claim would lease without asking a breaker,
-- and leaves everything else PENDING for run_claim to decide (a held run of a paused
-- execution, one not ready yet, one of a module $2 does not serve, one whose breaker
-- is not CLOSED: run_claim parks it or leases it as a HALF_OPEN trial; one of a step
-- with a rateLimit: only run_claim takes tokens from its bucket). The runner's
-- lease must still have half of its length $5 left (the completions just fenced on
-- it): a lease that needs extending is run_claim's, which extends it. $4 is the clock
-- (NULL = the real time: claimed_at is then when the hand-off happened, not the
-- transaction's start, so dispatch and hand-off latencies stay honest). Priorities: a
-- run is not handed off while a ready run of a higher priority (lower priority_rank)
-- waits for these modules; a claim takes that one first (one probe of ix_runs_ready,
-- over the ranks above the run's only).
UPDATE runs r
SET status = 'LEASED', lease_owner = $1, lease_token = nextval('run_lease_token_seq'),
    lease_secret_hash = NULL, claimed_at = coalesce($4::timestamptz, clock_timestamp()),
    cancel_requested = false
FROM (
    SELECT x.id FROM runs x
    LEFT JOIN circuit_breaker_states b ON b.key = x.breaker_key
    WHERE x.id = ANY($6::uuid[]) AND x.status = 'PENDING' AND NOT x.held
      AND x.available_at <= coalesce($4::timestamptz, clock_timestamp())
      AND x.module = ANY($2::text[])
      AND (b.key IS NULL OR b.state = 'CLOSED')
      AND x.rate_limit_key IS NULL
      AND NOT EXISTS (SELECT 1 FROM runs y
                      WHERE y.status = 'PENDING' AND NOT y.held
                        AND y.priority_rank < x.priority_rank
                        AND y.available_at <= coalesce($4::timestamptz, clock_timestamp())
                        AND y.module = ANY($2::text[]))
      AND EXISTS (SELECT 1 FROM runner_leases l
                  WHERE l.runner_id = $1
                    AND l.expires_at >= coalesce($4::timestamptz, now())
                                        + make_interval(secs => $5 * 0.5))
    ORDER BY x.priority_rank, x.available_at, x.id
    LIMIT $3
) h
WHERE r.id = h.id
RETURNING r.*, NULL::int AS lease_slot,
          (SELECT expires_at FROM runner_leases WHERE runner_id = $1) AS lease_expires_at;
