-- Uploaded files. The bytes live in content-addressed storage (a folder or an S3 bucket,
-- app/src/uploads/ssr/storage.rs); these rows say who uploaded what and which stored
-- files make it up. Two uploads of the same bytes share the stored files, and each counts
-- against its owner's quota. Timestamps in unix milliseconds.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- image (inside a post), cover, attachment or avatar.
    kind TEXT NOT NULL,
    -- The name it was uploaded with (cleaned), offered when an attachment is downloaded.
    name TEXT NOT NULL,
    -- The file to link: an image's widest rendition, an attachment itself.
    file_key TEXT NOT NULL,
    -- Every stored rendition as `key width height`, separated by commas, narrowest
    -- first (empty for attachments): the srcset.
    renditions TEXT NOT NULL,
    -- A cover's 1200x630 social card.
    card_key TEXT,
    width BIGINT,
    height BIGINT,
    -- All stored bytes of this upload, for the quota.
    size_bytes BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE INDEX uploads_owner ON uploads (owner_id, created_at_ms);

-- Every stored file an upload uses: a file is deleted when no row names it any more.
CREATE TABLE upload_files (
    upload_id TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    file_key TEXT NOT NULL,
    PRIMARY KEY (upload_id, file_key)
);

CREATE INDEX upload_files_key ON upload_files (file_key);
