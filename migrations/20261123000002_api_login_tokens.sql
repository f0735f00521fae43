-- Tokens from a password login through the API (POST /api/auth/token) are told apart
-- from the ones users name on the account page: when a user holds the most live tokens
-- allowed, a new login replaces its least recently used login token instead of failing.

ALTER TABLE api_tokens ADD COLUMN from_login BOOLEAN NOT NULL DEFAULT FALSE;
