-- Access JWTs are not recorded, so ending them early needs a per-user cutoff: an access
-- token issued (iat) before this unix second is refused. Set whenever a user's API
-- credentials are revoked (API logout, password change or reset, deactivation).

ALTER TABLE users ADD COLUMN tokens_valid_after BIGINT NOT NULL DEFAULT 0;
