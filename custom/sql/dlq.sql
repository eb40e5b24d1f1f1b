-- The dead-letter queue. Resolutions lock the execution first
-- (execution_lock), then the entry: the lock order of every writer of runs.

-- name: execution_status
-- The status of an execution the caller has locked (quarantine skips ended ones).
SELECT status FROM workflow_executions WHERE id = $1;

-- name: dead_letter_get
-- One entry.
SELECT * FROM dead_letters WHERE id = $1;

-- name: dead_letter_lock
-- The entry, locked for a resolution (after its execution's lock).
SELECT * FROM dead_letters WHERE id = $1 FOR UPDATE;

-- name: dead_letter_resolve
-- QUARANTINED → REQUEUED / DISCARDED with who, when and why. No row back: it was
-- resolved already.
UPDATE dead_letters
SET status = $2, resolved_by = $3, resolution_notes = $4, resolved_at = now()
WHERE id = $1 AND status = 'QUARANTINED'
RETURNING *;

-- name: dead_letter_audit_insert
-- One audit record of a resolution (the entry's history; deleted with the entry).
INSERT INTO dead_letter_audit (dead_letter_id, execution_id, action, actor, notes, changes,
                               inputs_hash_before, inputs_hash_after, new_run_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING id;

-- name: dead_letter_audit_of
-- The audit records of some entries, oldest first.
SELECT * FROM dead_letter_audit WHERE dead_letter_id = ANY($1::uuid[]) ORDER BY at, id;

-- name: dead_letter_list
-- A page of entries, newest first (keyset on created_at, id); NULL filters match all.
-- $1 status, $2 execution id, $3 step key, $4/$5 the cursor, $6 the page size,
-- $7 workflow id (through the entry's execution), $8 reason.
SELECT d.* FROM dead_letters d
WHERE ($1::text IS NULL OR d.status = $1)
  AND ($2::uuid IS NULL OR d.execution_id = $2)
  AND ($3::text IS NULL OR d.step_key = $3)
  AND ($4::timestamptz IS NULL OR (d.created_at, d.id) < ($4, $5::uuid))
  AND ($7::uuid IS NULL OR EXISTS (SELECT 1 FROM workflow_executions e
                                   WHERE e.id = d.execution_id AND e.workflow_id = $7))
  AND ($8::text IS NULL OR d.reason = $8)
ORDER BY d.created_at DESC, d.id DESC
LIMIT $6;

-- name: dead_letter_count
-- How many entries match the list's filters (same NULL = any): $1 status,
-- $2 execution id, $3 workflow id, $4 step key, $5 reason.
SELECT count(*)::bigint
FROM dead_letters d
WHERE ($1::text IS NULL OR d.status = $1)
  AND ($2::uuid IS NULL OR d.execution_id = $2)
  AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM workflow_executions e
                                   WHERE e.id = d.execution_id AND e.workflow_id = $3))
  AND ($4::text IS NULL OR d.step_key = $4)
  AND ($5::text IS NULL OR d.reason = $5);

-- name: dead_letter_matching
-- QUARANTINED entries matching a bulk filter (NULL = any): $1 execution id,
-- $2 workflow id, $3 step key, $5 reason; at most $4 of them (a request's cap).
-- Ordered by execution so one execution's entries are resolved one after the other.
SELECT d.id, d.execution_id
FROM dead_letters d
JOIN workflow_executions e ON e.id = d.execution_id
WHERE d.status = 'QUARANTINED'
  AND ($1::uuid IS NULL OR d.execution_id = $1)
  AND ($2::uuid IS NULL OR e.workflow_id = $2)
  AND ($3::text IS NULL OR d.step_key = $3)
  AND ($5::text IS NULL OR d.reason = $5)
ORDER BY d.execution_id, d.created_at, d.id
LIMIT $4;

-- name: dead_letter_matching_count
-- How many QUARANTINED entries still match a bulk filter ($1-$3 as above, $4 reason).
SELECT count(*)::bigint
FROM dead_letters d
JOIN workflow_executions e ON e.id = d.execution_id
WHERE d.status = 'QUARANTINED'
  AND ($1::uuid IS NULL OR d.execution_id = $1)
  AND ($2::uuid IS NULL OR e.workflow_id = $2)
  AND ($3::text IS NULL OR d.step_key = $3)
  AND ($4::text IS NULL OR d.reason = $4);
