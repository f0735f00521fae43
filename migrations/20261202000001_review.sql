-- Editorial review: an author whose role needs review submits a frozen revision; a
-- reviewer approves it (published now or scheduled), asks for corrections item by item,
-- or rejects it. Every submission, decision and item is kept as the post's history.
-- Timestamps in unix milliseconds like the rest of the blog. States are checked in Rust
-- (app/src/review/rules.rs), where the whole transition table lives.

-- Where the post's working revision stands in review: NULL (not in review),
-- 'in_review', 'changes_requested' or 'rejected'. Independent of `status`, so a
-- published post stays up while its next revision is reviewed.
ALTER TABLE posts ADD COLUMN review_state TEXT;
-- The approved revision a scheduled post will publish (NULL: its working revision).
ALTER TABLE posts ADD COLUMN scheduled_revision_id TEXT;
-- Set when a revision is submitted: it is never written again, so what the reviewer
-- read is exactly what gets published. Saving afterwards starts a new revision.
ALTER TABLE post_revisions ADD COLUMN frozen_at_ms BIGINT;

CREATE TABLE review_submissions (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    revision_id TEXT NOT NULL REFERENCES post_revisions (id) ON DELETE CASCADE,
    -- The submission this one answers (a resubmission after requested changes).
    previous_id TEXT REFERENCES review_submissions (id) ON DELETE SET NULL,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    -- pending, changes_requested, approved, rejected or withdrawn.
    status TEXT NOT NULL,
    -- What the author tells the reviewer when submitting.
    author_note TEXT NOT NULL,
    reviewer_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    -- The reviewer's summary (changes requested) or reason (rejected).
    decision_note TEXT NOT NULL,
    -- Approved for publication at this time (NULL: at once).
    publish_at_ms BIGINT,
    submitted_at_ms BIGINT NOT NULL,
    decided_at_ms BIGINT
);

CREATE INDEX review_submissions_post ON review_submissions (post_id, submitted_at_ms);
CREATE INDEX review_submissions_queue ON review_submissions (status, submitted_at_ms);

-- One requested correction, pointing at a part of the submitted revision.
CREATE TABLE review_items (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES review_submissions (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    -- title, description, body or tags.
    target TEXT NOT NULL,
    -- For the body: the quoted passage the note is about (empty: the whole body).
    quote TEXT NOT NULL,
    note TEXT NOT NULL,
    -- open, fixed or answered.
    state TEXT NOT NULL,
    answer TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE INDEX review_items_submission ON review_items (submission_id, position);
