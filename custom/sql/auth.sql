-- name: api_key_by_hash
-- The live (not revoked) key whose secret hashes to $1.
SELECT id, name, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL;

-- name: api_key_touch
-- Record that a key was used (at most once a minute per key, to spare writes).
UPDATE api_keys SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: api_key_insert
-- Store a new key by its hash; the secret itself never reaches the database.
INSERT INTO api_keys (name, role, prefix, key_hash) VALUES ($1, $2, $3, $4)
RETURNING id, name, role, prefix, created_at, revoked_at, last_used_at;

-- name: api_key_ensure
-- Make sure a key with this hash exists (bootstrap); an existing one is revived as admin.
INSERT INTO api_keys (name, role, prefix, key_hash) VALUES ($1, $2, $3, $4)
ON CONFLICT (key_hash) DO UPDATE SET revoked_at = NULL, role = EXCLUDED.role
RETURNING id, name, role;

-- name: api_key_replace_secret
-- Give the key of this name a new secret (bootstrap key rotated); the old secret stops working.
UPDATE api_keys SET role = $2, prefix = $3, key_hash = $4, revoked_at = NULL
WHERE name = $1
RETURNING id, name, role;

-- name: api_key_revoke
-- Revoke a key; it stops working at once (in this process) and within the cache TTL elsewhere.
UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
RETURNING id, name, role, prefix, created_at, revoked_at, last_used_at;

-- name: api_key_list
-- Every key, newest first; never the hash.
SELECT id, name, role, prefix, created_at, revoked_at, last_used_at
FROM api_keys ORDER BY created_at DESC, id DESC;

-- name: api_key_by_name
-- A key by its name, revoked or not (the development key is made once, never revived).
SELECT id, key_hash, revoked_at FROM api_keys WHERE name = $1;
