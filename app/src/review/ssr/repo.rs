//! All SQL of the review flow. State changes are conditional UPDATEs on the state the
//! rule was checked against, so two reviewers deciding at once cannot both win.

use sqlx::{AnyConnection, AnyExecutor, FromRow};

use crate::review::model::QueueCounts;

#[derive(Debug, Clone, FromRow)]
pub struct SubmissionRow {
    pub id: String,
    pub post_id: String,
    pub revision_id: String,
    pub previous_id: Option<String>,
    pub status: String,
    pub author_note: String,
    pub reviewer_name: Option<String>,
    pub decision_note: String,
    pub publish_at_ms: Option<i64>,
    pub submitted_at_ms: i64,
    pub decided_at_ms: Option<i64>,
}

const SUBMISSION_COLUMNS: &str = "s.id, s.post_id, s.revision_id, s.previous_id, s.status, s.author_note, \
     COALESCE(u.name, u.username) AS reviewer_name, s.decision_note, s.publish_at_ms, s.submitted_at_ms, \
     s.decided_at_ms";

/// Every submission of a post, newest first.
pub async fn submissions<'e>(db: impl AnyExecutor<'e>, post_id: &str) -> Result<Vec<SubmissionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {SUBMISSION_COLUMNS} FROM review_submissions s LEFT JOIN users u ON u.id = s.reviewer_id \
         WHERE s.post_id = $1 ORDER BY s.submitted_at_ms DESC, s.id DESC"
    );
    sqlx::query_as(&sql).bind(post_id).fetch_all(db).await
}

pub async fn latest<'e>(db: impl AnyExecutor<'e>, post_id: &str) -> Result<Option<SubmissionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {SUBMISSION_COLUMNS} FROM review_submissions s LEFT JOIN users u ON u.id = s.reviewer_id \
         WHERE s.post_id = $1 ORDER BY s.submitted_at_ms DESC, s.id DESC LIMIT 1"
    );
    sqlx::query_as(&sql).bind(post_id).fetch_optional(db).await
}

#[derive(Debug, Clone, FromRow)]
pub struct ItemRow {
    pub id: String,
    pub submission_id: String,
    pub target: String,
    pub quote: String,
    pub note: String,
    pub state: String,
    pub answer: String,
}

/// Every item of every submission of a post, in the order they were written.
pub async fn items_of_post<'e>(db: impl AnyExecutor<'e>, post_id: &str) -> Result<Vec<ItemRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.id, i.submission_id, i.target, i.quote, i.note, i.state, i.answer FROM review_items i \
         JOIN review_submissions s ON s.id = i.submission_id WHERE s.post_id = $1 ORDER BY i.position, i.id",
    )
    .bind(post_id)
    .fetch_all(db)
    .await
}

/// The items of one submission, in the order they were written.
pub async fn items_of_submission<'e>(
    db: impl AnyExecutor<'e>,
    submission_id: &str,
) -> Result<Vec<ItemRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, submission_id, target, quote, note, state, answer FROM review_items \
         WHERE submission_id = $1 ORDER BY position, id",
    )
    .bind(submission_id)
    .fetch_all(db)
    .await
}

/// How many items of a submission are neither fixed nor answered.
pub async fn open_items<'e>(db: impl AnyExecutor<'e>, submission_id: &str) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM review_items WHERE submission_id = $1 AND state = 'open'")
        .bind(submission_id)
        .fetch_one(db)
        .await?;
    Ok(n)
}

/// An item with the post it belongs to and its submission's status.
#[derive(Debug, Clone, FromRow)]
pub struct ItemContext {
    pub post_id: String,
    pub submission_id: String,
    pub submission_status: String,
}

pub async fn item_context<'e>(db: impl AnyExecutor<'e>, item_id: &str) -> Result<Option<ItemContext>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.post_id, s.id AS submission_id, s.status AS submission_status FROM review_items i \
         JOIN review_submissions s ON s.id = i.submission_id WHERE i.id = $1",
    )
    .bind(item_id)
    .fetch_optional(db)
    .await
}

/// Moves a post's review state from `from` to `to`; false when another request
/// changed it first.
pub async fn move_state(
    conn: &mut AnyConnection,
    post_id: &str,
    from: Option<&str>,
    to: Option<&str>,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE posts SET review_state = $3, updated_at_ms = $4 WHERE id = $1 AND COALESCE(review_state, '') = $2",
    )
    .bind(post_id)
    .bind(from.unwrap_or(""))
    .bind(to)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Freezes a revision: from now on saving the post starts a new one.
pub async fn freeze(conn: &mut AnyConnection, revision_id: &str, now_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE post_revisions SET frozen_at_ms = $2 WHERE id = $1 AND frozen_at_ms IS NULL")
        .bind(revision_id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub struct NewSubmission<'a> {
    pub id: &'a str,
    pub post_id: &'a str,
    pub revision_id: &'a str,
    pub previous_id: Option<&'a str>,
    pub author_id: &'a str,
    pub author_note: &'a str,
    pub now_ms: i64,
}

pub async fn insert_submission(conn: &mut AnyConnection, s: &NewSubmission<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO review_submissions (id, post_id, revision_id, previous_id, author_id, status, author_note, \
           decision_note, submitted_at_ms) VALUES ($1, $2, $3, $4, $5, 'pending', $6, '', $7)",
    )
    .bind(s.id)
    .bind(s.post_id)
    .bind(s.revision_id)
    .bind(s.previous_id)
    .bind(s.author_id)
    .bind(s.author_note)
    .bind(s.now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub struct Decision<'a> {
    pub submission_id: &'a str,
    /// Only a submission in this status is changed.
    pub from: &'a str,
    pub to: &'a str,
    pub reviewer_id: Option<&'a str>,
    pub note: &'a str,
    pub publish_at_ms: Option<i64>,
    pub now_ms: i64,
}

/// Records a decision (or a withdrawal); false when the submission was not in `from`.
pub async fn decide(conn: &mut AnyConnection, d: &Decision<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE review_submissions SET status = $3, reviewer_id = COALESCE($4, reviewer_id), decision_note = $5, \
           publish_at_ms = $6, decided_at_ms = $7 WHERE id = $1 AND status = $2",
    )
    .bind(d.submission_id)
    .bind(d.from)
    .bind(d.to)
    .bind(d.reviewer_id)
    .bind(d.note)
    .bind(d.publish_at_ms)
    .bind(d.now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct NewItem<'a> {
    pub id: &'a str,
    pub submission_id: &'a str,
    pub target: &'a str,
    pub quote: &'a str,
    pub note: &'a str,
    pub now_ms: i64,
}

/// Adds an item at the end of a pending submission's list; false when the submission
/// was decided meanwhile.
pub async fn insert_item(conn: &mut AnyConnection, item: &NewItem<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO review_items (id, submission_id, position, target, quote, note, state, answer, updated_at_ms) \
         SELECT $1, s.id, COALESCE((SELECT MAX(position) FROM review_items WHERE submission_id = s.id), 0) + 1, \
           $3, $4, $5, 'open', '', $6 FROM review_submissions s WHERE s.id = $2 AND s.status = 'pending'",
    )
    .bind(item.id)
    .bind(item.submission_id)
    .bind(item.target)
    .bind(item.quote)
    .bind(item.note)
    .bind(item.now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a drafted item while its submission is still pending.
pub async fn delete_item(conn: &mut AnyConnection, item_id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM review_items WHERE id = $1 AND submission_id IN \
           (SELECT id FROM review_submissions WHERE status = 'pending')",
    )
    .bind(item_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count_items<'e>(db: impl AnyExecutor<'e>, submission_id: &str) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM review_items WHERE submission_id = $1")
        .bind(submission_id)
        .fetch_one(db)
        .await?;
    Ok(n)
}

/// The author's response to an item: fixed, answered (with `answer`) or open again.
pub async fn set_item_state(
    conn: &mut AnyConnection,
    item_id: &str,
    state: &str,
    answer: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE review_items SET state = $2, answer = $3, updated_at_ms = $4 WHERE id = $1")
        .bind(item_id)
        .bind(state)
        .bind(answer)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct RevisionRow {
    pub title: String,
    pub description: String,
    pub tags: String,
    pub body_markdown: String,
    pub body_html: String,
    pub body_text: String,
}

pub async fn revision<'e>(db: impl AnyExecutor<'e>, revision_id: &str) -> Result<Option<RevisionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT title, description, tags, body_markdown, body_html, body_text FROM post_revisions WHERE id = $1",
    )
    .bind(revision_id)
    .fetch_optional(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct QueueRow {
    pub post_id: String,
    pub title: String,
    pub username: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub submitted_at_ms: i64,
    pub previous_id: Option<String>,
}

/// Pending submissions, oldest first.
pub async fn queue<'e>(db: impl AnyExecutor<'e>, limit: i64) -> Result<Vec<QueueRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.post_id, r.title, u.username, u.name AS display_name, u.avatar_url, s.submitted_at_ms, s.previous_id \
         FROM review_submissions s JOIN post_revisions r ON r.id = s.revision_id \
         JOIN posts p ON p.id = s.post_id JOIN users u ON u.id = p.author_id \
         WHERE s.status = 'pending' ORDER BY s.submitted_at_ms, s.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The queue page's counts: one query, whatever the history's length.
pub async fn counts<'e>(db: impl AnyExecutor<'e>, since_ms: i64) -> Result<QueueCounts, sqlx::Error> {
    let (pending, with_authors, approved_30d, rejected_30d): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT \
           COALESCE(SUM(CASE WHEN s.status = 'pending' THEN 1 ELSE 0 END), 0), \
           COUNT(DISTINCT CASE WHEN p.review_state = 'changes_requested' THEN p.id END), \
           COALESCE(SUM(CASE WHEN s.status = 'approved' AND s.decided_at_ms >= $1 THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN s.status = 'rejected' AND s.decided_at_ms >= $1 THEN 1 ELSE 0 END), 0) \
         FROM review_submissions s JOIN posts p ON p.id = s.post_id \
         WHERE s.status = 'pending' OR s.decided_at_ms >= $1 OR p.review_state = 'changes_requested'",
    )
    .bind(since_ms)
    .fetch_one(db)
    .await?;
    Ok(QueueCounts { pending, with_authors, approved_30d, rejected_30d })
}

/// Email and greeting of every active reviewer except `except_user_id`.
pub async fn reviewers<'e>(
    db: impl AnyExecutor<'e>,
    roles: &[&str],
    except_user_id: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    // Roles come from a closed enum, never from input; placeholders keep it plain SQL.
    let placeholders: Vec<String> = (0..roles.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT email, COALESCE(name, username) FROM users \
         WHERE active = TRUE AND email_verified_at IS NOT NULL AND id <> $1 AND role IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as(&sql).bind(except_user_id);
    for role in roles {
        query = query.bind(*role);
    }
    query.fetch_all(db).await
}

/// Email and greeting of a post's author, and the post's working title.
pub async fn author_contact<'e>(
    db: impl AnyExecutor<'e>,
    post_id: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.email, COALESCE(u.name, u.username) FROM posts p JOIN users u ON u.id = p.author_id \
         WHERE p.id = $1",
    )
    .bind(post_id)
    .fetch_optional(db)
    .await
}

/// Username, display name and avatar of a user.
pub async fn author<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
) -> Result<Option<(String, Option<String>, Option<String>)>, sqlx::Error> {
    sqlx::query_as("SELECT username, name, avatar_url FROM users WHERE id = $1").bind(user_id).fetch_optional(db).await
}
