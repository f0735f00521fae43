-- The uploads a revision uses: its cover, its attachments in order, and the images its
-- text shows. A file in use by any revision cannot be deleted on its own; deleting a
-- post removes the uploads that nothing references any more.
CREATE TABLE revision_files (
    revision_id TEXT NOT NULL REFERENCES post_revisions (id) ON DELETE CASCADE,
    upload_id TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    -- cover, attachment or image.
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (revision_id, role, upload_id)
);

CREATE INDEX revision_files_upload ON revision_files (upload_id);
