-- Rate limits (token buckets): run_claim (lease.sql) takes tokens from them; these
-- are the API's reads and writes. A bucket holds `tokens` at `refilled_at` (below
-- zero: tokens set aside for parked runs, a debt); what it holds at a later time t is
-- least(burst, tokens + per_second * (t - refilled_at)), the refill run_claim applies
-- before it takes tokens.

-- name: rate_limit_create
-- A new bucket starts full (tokens = burst) at the clock $4 (NULL = now()). No row:
-- the key exists already (ux_rate_limits_key decides races).
INSERT INTO rate_limits (key, per_second, burst, tokens, refilled_at)
VALUES ($1, $2::float8, $3::int, $3::int, coalesce($4::timestamptz, now()))
ON CONFLICT (key) DO NOTHING
RETURNING id, key, per_second, burst, created_at, updated_at, tokens AS available_tokens;

-- name: rate_limit_update
-- New rate $2 and/or burst $3 (NULL: unchanged). The bucket is first refilled up to
-- the clock $4 at the old rate (the tokens it earned stay earned), then clamped to
-- the new burst; a debt (tokens set aside for parked runs) is cancelled, as
-- rate_limit_unpark frees those runs to take tokens at the new rate. The row lock
-- serialises this with claims taking tokens.
UPDATE rate_limits
SET per_second = coalesce($2::float8, per_second),
    burst = coalesce($3::int, burst),
    tokens = least(coalesce($3::int, burst)::float8,
                   greatest(0, tokens + per_second * greatest(0, extract(epoch FROM
                       coalesce($4::timestamptz, now()) - refilled_at)))),
    refilled_at = greatest(refilled_at, coalesce($4::timestamptz, now())),
    updated_at = now()
WHERE id = $1
RETURNING id, key, per_second, burst, created_at, updated_at, tokens AS available_tokens;

-- name: rate_limits_tokens_now
-- The tokens of these buckets at the clock $2 (NULL = now()), refilled; a debt shows
-- as none (read only: nothing is written, so reading never competes with claims).
SELECT id, greatest(0, least(burst::float8,
                 tokens + per_second * greatest(0, extract(epoch FROM
                     coalesce($2::timestamptz, now()) - refilled_at)))) AS available_tokens
FROM rate_limits WHERE id = ANY($1::uuid[]);

-- name: rate_limit_delete
-- Remove a bucket; its key comes back to say which parked runs to free.
DELETE FROM rate_limits WHERE id = $1 RETURNING key;

-- name: rate_limit_unpark
-- A bucket changed or went away: runs it parked (key $1) are ready at the clock $2
-- (NULL = now()), and every run of the key drops the token set aside for it (the
-- change cancelled that debt); the next claim takes tokens for them at the new rate,
-- or none when the bucket is gone. Rows a claim holds are skipped (that claim decides
-- them). No index on rate_limit_key: this walks the PENDING runs of ix_runs_ready
-- once per change, as breaker_unpark does.
UPDATE runs
SET available_at = least(available_at, coalesce($2::timestamptz, now())),
    rate_limit_slot = NULL
WHERE id IN (SELECT id FROM runs
             WHERE status = 'PENDING' AND NOT held AND rate_limit_key = $1
               AND (available_at > coalesce($2::timestamptz, now())
                    OR rate_limit_slot IS NOT NULL)
             FOR UPDATE SKIP LOCKED)
RETURNING id;
