-- Read models the console (and any client) asks for: counts per status, an
-- execution's step graph, a workflow's stored versions. Not on the dispatch path;
-- each reads through an index of the table it counts or one execution's rows.

-- name: executions_count_by_status
-- Executions per status, with the list's filters (NULL = any): $1 workflow id,
-- $2/$3 created at or after / before, $4/$5 the id range of an id prefix.
SELECT status, count(*)::bigint AS n
FROM workflow_executions
WHERE ($1::uuid IS NULL OR workflow_id = $1)
  AND ($2::timestamptz IS NULL OR created_at >= $2)
  AND ($3::timestamptz IS NULL OR created_at < $3)
  AND ($4::uuid IS NULL OR id BETWEEN $4 AND $5::uuid)
GROUP BY status;

-- name: execution_graph_head
-- An execution with the name and steps of the workflow version it started with.
SELECT e.id, e.workflow_id, e.workflow_version, e.status, v.name, v.steps
FROM workflow_executions e
JOIN workflow_versions v ON v.workflow_id = e.workflow_id AND v.version = e.workflow_version
WHERE e.id = $1;

-- name: execution_graph_runs
-- The latest attempt of every step of an execution, with its times.
SELECT DISTINCT ON (step_key) id, step_key, status, attempt, available_at, claimed_at,
       finished_at
FROM runs WHERE execution_id = $1
ORDER BY step_key, attempt DESC;

-- name: workflow_exists
-- Whether a workflow exists (its versions stay as long as it does).
SELECT EXISTS (SELECT 1 FROM workflows WHERE id = $1);

-- name: workflow_versions_page
-- A page of a workflow's versions, newest first: $2 the version to start below
-- (NULL: the newest), $3 the page size.
SELECT workflow_id, version, name, description, steps, concurrency, created_at
FROM workflow_versions
WHERE workflow_id = $1 AND ($2::int IS NULL OR version < $2)
ORDER BY version DESC
LIMIT $3;

-- name: workflow_version_get
-- One stored version of a workflow.
SELECT workflow_id, version, name, description, steps, concurrency, created_at
FROM workflow_versions WHERE workflow_id = $1 AND version = $2;
