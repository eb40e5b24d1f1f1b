"""Database access: where the server is (embedded or DATABASE_URL) and the pool."""
