-- The blog: posts and their revisions, slugs (current and retired), tags, likes,
-- bookmarks, follows, comments, de-duplicated views and a history of state changes.
-- Portable between SQLite and PostgreSQL like every migration here. Unlike the account
-- tables (unix seconds), every blog timestamp is in unix MILLISECONDS (columns end in
-- `_ms`). Full-text search structures differ per engine and are created by the search
-- module at startup (app/src/blog/ssr/search.rs), not here.

-- Profiles gain a bio and an avatar URL; comment emails can be turned off.
ALTER TABLE users ADD COLUMN bio TEXT;
ALTER TABLE users ADD COLUMN avatar_url TEXT;
ALTER TABLE user_settings ADD COLUMN notify_on_comment BOOLEAN NOT NULL DEFAULT TRUE;

-- A post is its identity, state and counters; what it says lives in revisions. Readers
-- see `published_revision_id`; the author edits `current_revision_id`. A published
-- revision is never edited in place (an edit of a published post writes a new one), so
-- a review step can later freeze revisions without changing this shape.
-- `status`: draft, scheduled or published; the review states (in_review,
-- changes_requested, approved) are added by the review flow. Checked in Rust.
CREATE TABLE posts (
    id TEXT PRIMARY KEY,
    author_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    status TEXT NOT NULL,
    current_revision_id TEXT NOT NULL,
    published_revision_id TEXT,
    -- First publication: the date readers see and the time the hot score starts from.
    published_at_ms BIGINT,
    scheduled_at_ms BIGINT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    like_count BIGINT NOT NULL DEFAULT 0,
    comment_count BIGINT NOT NULL DEFAULT 0,
    bookmark_count BIGINT NOT NULL DEFAULT 0,
    view_count BIGINT NOT NULL DEFAULT 0,
    -- Time-independent rank for "Hot" (see app/src/blog/ranking.rs), rewritten whenever
    -- the post's counts change.
    hot_score DOUBLE PRECISION NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX posts_slug_key ON posts (slug);
CREATE INDEX posts_hot ON posts (status, hot_score, id);
CREATE INDEX posts_new ON posts (status, published_at_ms, id);
CREATE INDEX posts_top ON posts (status, like_count, id);
CREATE INDEX posts_author ON posts (author_id, status, published_at_ms);
CREATE INDEX posts_author_updated ON posts (author_id, updated_at_ms);
CREATE INDEX posts_scheduled ON posts (status, scheduled_at_ms);

CREATE TABLE post_revisions (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    -- Who wrote this revision (an admin may edit someone else's post).
    editor_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    -- As the writer typed it; empty means "derive the excerpt from the text".
    description TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    -- Sanitised HTML rendered when saved; `render_version` says by which pipeline, so a
    -- newer pipeline re-renders older revisions at startup.
    body_html TEXT NOT NULL,
    -- The text without markup: what search indexes when the revision is published.
    body_text TEXT NOT NULL,
    render_version BIGINT NOT NULL,
    -- Normalised tags separated by single spaces, in the writer's order.
    tags TEXT NOT NULL,
    word_count BIGINT NOT NULL,
    reading_minutes BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE INDEX post_revisions_post ON post_revisions (post_id, created_at_ms);
CREATE INDEX post_revisions_render ON post_revisions (render_version);

-- Every slug a post ever had. The primary key is what makes a slug unique for all time:
-- a retired slug (kept to redirect with 301) is never given to another post.
CREATE TABLE post_slugs (
    slug TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL
);

CREATE INDEX post_slugs_post ON post_slugs (post_id);

-- Tags of published posts (of their published revision), for tag pages and filters.
CREATE TABLE post_tags (
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
);

CREATE INDEX post_tags_tag ON post_tags (tag, post_id);

CREATE TABLE post_likes (
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

CREATE INDEX post_likes_user ON post_likes (user_id, created_at_ms);

CREATE TABLE post_bookmarks (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, post_id)
);

CREATE INDEX post_bookmarks_list ON post_bookmarks (user_id, created_at_ms, post_id);
CREATE INDEX post_bookmarks_post ON post_bookmarks (post_id);

CREATE TABLE follows (
    follower_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followee_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (follower_id, followee_id),
    CHECK (follower_id <> followee_id)
);

CREATE INDEX follows_followee ON follows (followee_id);

-- One row per post, visitor and day. `visitor` is a keyed hash (with a daily key) of
-- the user id or of the address and browser: no raw IP address is stored, and rows
-- older than yesterday are purged.
CREATE TABLE post_views (
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    visitor TEXT NOT NULL,
    day BIGINT NOT NULL,
    PRIMARY KEY (post_id, visitor)
);

CREATE INDEX post_views_day ON post_views (day);

-- One level of replies: a reply's parent is always a top-level comment. `reply_count`
-- is updated in the same statement that checks the parent, so a reply and a deletion
-- of its parent cannot both succeed. A deleted or hidden comment with replies leaves a
-- stub; one without replies disappears.
CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    -- A small public number (the RealWorld API's integer comment id), from `counters`.
    number BIGINT NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    parent_id TEXT REFERENCES comments (id) ON DELETE CASCADE,
    body_markdown TEXT NOT NULL,
    body_html TEXT NOT NULL,
    render_version BIGINT NOT NULL,
    reply_count BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL,
    edited_at_ms BIGINT,
    deleted_at_ms BIGINT,
    hidden_at_ms BIGINT,
    hidden_by TEXT REFERENCES users (id) ON DELETE SET NULL
);

CREATE UNIQUE INDEX comments_number_key ON comments (number);
CREATE INDEX comments_post ON comments (post_id, created_at_ms);
CREATE INDEX comments_parent ON comments (parent_id);
CREATE INDEX comments_author ON comments (author_id);

-- What happened to a post and who did it: created, published, scheduled, unpublished,
-- edited. The review flow adds its own kinds; scheduled publishing is proven to
-- happen exactly once by counting 'published' rows.
CREATE TABLE post_events (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    actor_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    at_ms BIGINT NOT NULL
);

CREATE INDEX post_events_post ON post_events (post_id, at_ms);

-- Portable sequences (SQLite and PostgreSQL spell auto-increment differently): the
-- next value is taken with an upsert that locks the row until the transaction ends.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- Small facts every process agrees on: the render pipeline version the stored HTML was
-- made with, the ranking settings the stored hot scores were computed with.
CREATE TABLE site_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
