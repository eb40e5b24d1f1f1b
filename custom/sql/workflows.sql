-- Workflow definitions: the immutable versions kept beside each workflow (the
-- workflow row itself is written by the generated repository).

-- name: workflow_version_insert
-- Keep a version of a workflow as it was saved: $1 workflow id, $2 version, $3 name,
-- $4 description, $5 steps, $6 concurrency limit (NULL: none).
INSERT INTO workflow_versions (workflow_id, version, name, description, steps, concurrency)
VALUES ($1, $2, $3, $4, $5, $6);
