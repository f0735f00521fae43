-- A scheduled post publishes exactly the revision it was scheduled with, frozen so that
-- later edits start a new revision (otherwise an edit by an author whose posts are
-- reviewed would go live unreviewed at the scheduled time). Posts scheduled before this
-- rule are pinned to their working revision now.
UPDATE posts SET scheduled_revision_id = current_revision_id
WHERE status = 'scheduled' AND scheduled_revision_id IS NULL;

UPDATE post_revisions SET frozen_at_ms = updated_at_ms
WHERE frozen_at_ms IS NULL AND id IN (SELECT scheduled_revision_id FROM posts WHERE status = 'scheduled');
