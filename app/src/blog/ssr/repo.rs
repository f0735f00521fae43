//! All SQL of the blog. Functions take an executor or a connection inside the caller's
//! transaction, so a multi-step rule (publish: state, tags, search index, score, event)
//! commits as one. Every list is one query whatever its length (authors, the viewer's
//! likes and bookmarks are joined in), paged by keyset or, for the RealWorld API, offset.

use sqlx::{any::AnyArguments, query::QueryAs, Any, AnyConnection, AnyExecutor, FromRow};

use super::{
    ranking::{Engagement, Ranking},
    slug,
};
use crate::blog::model::PostLink;

/// A post list row: the published revision with its author and the viewer's state.
#[derive(Debug, Clone, FromRow)]
pub struct SummaryRow {
    pub id: String,
    pub slug: String,
    pub status: String,
    pub author_id: String,
    pub title: String,
    pub description: String,
    pub excerpt: String,
    pub tags: String,
    pub username: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub bio: Option<String>,
    pub published_at_ms: Option<i64>,
    pub scheduled_at_ms: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub reading_minutes: i64,
    pub like_count: i64,
    pub comment_count: i64,
    pub view_count: i64,
    pub hot_score: f64,
    pub liked: i64,
    pub bookmarked_at_ms: Option<i64>,
    pub author_followed: i64,
    pub review_state: Option<String>,
    /// Corrections the author has not yet answered (only while changes are requested).
    pub open_items: i64,
}

const SUMMARY_COLUMNS: &str = "p.id, p.slug, p.status, p.author_id, r.title, r.description, r.excerpt, r.tags, \
     u.username, u.name AS display_name, u.avatar_url, u.bio, p.published_at_ms, p.scheduled_at_ms, \
     p.created_at_ms, p.updated_at_ms, r.reading_minutes, p.like_count, p.comment_count, p.view_count, p.hot_score, \
     CASE WHEN vl.user_id IS NULL THEN 0 ELSE 1 END AS liked, vb.created_at_ms AS bookmarked_at_ms, \
     CASE WHEN vf.follower_id IS NULL THEN 0 ELSE 1 END AS author_followed, p.review_state, \
     CASE WHEN p.review_state = 'changes_requested' THEN (SELECT COUNT(*) FROM review_items ri \
       JOIN review_submissions rs ON rs.id = ri.submission_id \
       WHERE rs.post_id = p.id AND rs.status = 'changes_requested' AND ri.state = 'open') ELSE 0 END AS open_items";

/// The viewer's joins; `$1` is always the viewer's id ('' for nobody).
const VIEWER_JOINS: &str = "LEFT JOIN post_likes vl ON vl.post_id = p.id AND vl.user_id = $1 \
     LEFT JOIN post_bookmarks vb ON vb.post_id = p.id AND vb.user_id = $1 \
     LEFT JOIN follows vf ON vf.followee_id = p.author_id AND vf.follower_id = $1";

/// The order of a list, with the position to continue after.
#[derive(Debug, Clone, PartialEq)]
pub enum Order {
    Hot(Option<(f64, String)>),
    New(Option<(i64, String)>),
    /// By likes, among posts published since the given time.
    Top {
        since_ms: Option<i64>,
        after: Option<(i64, String)>,
    },
    /// By when the viewer bookmarked them (the bookmarks page).
    Bookmarked(Option<(i64, String)>),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub tag: Option<String>,
    pub author_id: Option<String>,
    /// Lower-cased username of someone who liked the post.
    pub liked_by: Option<String>,
    /// Posts by authors this user follows.
    pub followed_by: Option<String>,
}

enum Bind {
    Text(String),
    Int(i64),
    Float(f64),
}

/// SQL text with numbered placeholders and the values to bind, built together.
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn new(viewer: &str) -> Self {
        Self { text: String::new(), binds: vec![Bind::Text(viewer.to_string())] }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn query_as<'q, T>(&'q self) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        let mut query = sqlx::query_as::<_, T>(&self.text);
        for bind in &self.binds {
            query = match bind {
                Bind::Text(value) => query.bind(value.as_str()),
                Bind::Int(value) => query.bind(*value),
                Bind::Float(value) => query.bind(*value),
            };
        }
        query
    }
}

/// `offset` skips rows (the RealWorld API pages by offset; the site by keyset).
fn list_sql(viewer: &str, filter: &Filter, order: &Order, limit: i64, offset: i64, count_only: bool) -> Sql {
    let mut sql = Sql::new(viewer);
    // The viewer joins match at most one row each (primary keys), so they change no count.
    let columns = if count_only { "COUNT(*)" } else { SUMMARY_COLUMNS };
    sql.push(&format!(
        "SELECT {columns} FROM posts p \
         JOIN post_revisions r ON r.id = p.published_revision_id \
         JOIN users u ON u.id = p.author_id {VIEWER_JOINS} "
    ));
    if let Some(tag) = &filter.tag {
        let p = sql.bind(Bind::Text(tag.clone()));
        sql.push(&format!("JOIN post_tags t ON t.post_id = p.id AND t.tag = {p} "));
    }
    sql.push("WHERE p.status = 'published' ");
    if let Some(author) = &filter.author_id {
        let p = sql.bind(Bind::Text(author.clone()));
        sql.push(&format!("AND p.author_id = {p} "));
    }
    if let Some(follower) = &filter.followed_by {
        let p = sql.bind(Bind::Text(follower.clone()));
        sql.push(&format!("AND p.author_id IN (SELECT f.followee_id FROM follows f WHERE f.follower_id = {p}) "));
    }
    if let Some(liker) = &filter.liked_by {
        let p = sql.bind(Bind::Text(liker.clone()));
        sql.push(&format!(
            "AND EXISTS (SELECT 1 FROM post_likes lk JOIN users lu ON lu.id = lk.user_id \
             WHERE lk.post_id = p.id AND lower(lu.username) = {p}) "
        ));
    }
    let order_by = match order {
        Order::Hot(after) => {
            if let Some((score, id)) = after {
                let (s, i) = (sql.bind(Bind::Float(*score)), sql.bind(Bind::Text(id.clone())));
                sql.push(&format!("AND (p.hot_score < {s} OR (p.hot_score = {s} AND p.id < {i})) "));
            }
            "p.hot_score DESC, p.id DESC"
        }
        Order::New(after) => {
            if let Some((at, id)) = after {
                let (a, i) = (sql.bind(Bind::Int(*at)), sql.bind(Bind::Text(id.clone())));
                sql.push(&format!("AND (p.published_at_ms < {a} OR (p.published_at_ms = {a} AND p.id < {i})) "));
            }
            "p.published_at_ms DESC, p.id DESC"
        }
        Order::Top { since_ms, after } => {
            if let Some(since) = since_ms {
                let s = sql.bind(Bind::Int(*since));
                sql.push(&format!("AND p.published_at_ms >= {s} "));
            }
            if let Some((likes, id)) = after {
                let (l, i) = (sql.bind(Bind::Int(*likes)), sql.bind(Bind::Text(id.clone())));
                sql.push(&format!("AND (p.like_count < {l} OR (p.like_count = {l} AND p.id < {i})) "));
            }
            "p.like_count DESC, p.id DESC"
        }
        Order::Bookmarked(after) => {
            sql.push("AND vb.user_id IS NOT NULL ");
            if let Some((at, id)) = after {
                let (a, i) = (sql.bind(Bind::Int(*at)), sql.bind(Bind::Text(id.clone())));
                sql.push(&format!("AND (vb.created_at_ms < {a} OR (vb.created_at_ms = {a} AND p.id < {i})) "));
            }
            "vb.created_at_ms DESC, p.id DESC"
        }
    };
    if !count_only {
        let l = sql.bind(Bind::Int(limit));
        sql.push(&format!("ORDER BY {order_by} LIMIT {l}"));
        if offset > 0 {
            let o = sql.bind(Bind::Int(offset));
            sql.push(&format!(" OFFSET {o}"));
        }
    }
    sql
}

/// One page of published posts.
pub async fn list<'e>(
    db: impl AnyExecutor<'e>,
    viewer: &str,
    filter: &Filter,
    order: &Order,
    limit: i64,
    offset: i64,
) -> Result<Vec<SummaryRow>, sqlx::Error> {
    list_sql(viewer, filter, order, limit, offset, false).query_as().fetch_all(db).await
}

/// How many published posts match (the RealWorld API's `articlesCount`).
pub async fn count<'e>(
    db: impl AnyExecutor<'e>,
    viewer: &str,
    filter: &Filter,
    order: &Order,
) -> Result<i64, sqlx::Error> {
    let sql = list_sql(viewer, filter, order, 0, 0, true);
    let (count,): (i64,) = sql.query_as().fetch_one(db).await?;
    Ok(count)
}

/// The writer's own posts in every state (the drafts page), newest change first; they
/// show the working revision.
pub async fn by_author_all_states<'e>(
    db: impl AnyExecutor<'e>,
    author_id: &str,
    after: Option<(i64, String)>,
    limit: i64,
    offset: i64,
) -> Result<Vec<SummaryRow>, sqlx::Error> {
    let mut sql = Sql::new(author_id);
    sql.push(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM posts p \
         JOIN post_revisions r ON r.id = p.current_revision_id \
         JOIN users u ON u.id = p.author_id {VIEWER_JOINS} WHERE p.author_id = $1 "
    ));
    if let Some((at, id)) = after {
        let (a, i) = (sql.bind(Bind::Int(at)), sql.bind(Bind::Text(id)));
        sql.push(&format!("AND (p.updated_at_ms < {a} OR (p.updated_at_ms = {a} AND p.id < {i})) "));
    }
    let (l, o) = (sql.bind(Bind::Int(limit)), sql.bind(Bind::Int(offset)));
    sql.push(&format!("ORDER BY p.updated_at_ms DESC, p.id DESC LIMIT {l} OFFSET {o}"));
    sql.query_as().fetch_all(db).await
}

/// Published posts by id, in no particular order (search results).
pub async fn summaries_by_ids<'e>(
    db: impl AnyExecutor<'e>,
    viewer: &str,
    ids: &[String],
) -> Result<Vec<SummaryRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(viewer);
    sql.push(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM posts p \
         JOIN post_revisions r ON r.id = p.published_revision_id \
         JOIN users u ON u.id = p.author_id {VIEWER_JOINS} WHERE p.status = 'published' AND p.id IN ("
    ));
    let placeholders: Vec<String> = ids.iter().map(|id| sql.bind(Bind::Text(id.clone()))).collect();
    sql.push(&placeholders.join(", "));
    sql.push(")");
    sql.query_as().fetch_all(db).await
}

/// A post with the revision a viewer of it sees, and everything the post page shows.
#[derive(Debug, Clone, FromRow)]
pub struct DetailRow {
    #[sqlx(flatten)]
    pub summary: SummaryRow,
    /// The revision shown.
    pub revision_id: String,
    pub body_html: String,
    pub body_markdown: String,
    pub word_count: i64,
    pub bookmark_count: i64,
    pub followers: i64,
    pub following_count: i64,
    pub post_count: i64,
}

const DETAIL_COLUMNS: &str = "r.id AS revision_id, r.body_html, r.body_markdown, r.word_count, p.bookmark_count, \
     (SELECT COUNT(*) FROM follows f1 WHERE f1.followee_id = p.author_id) AS followers, \
     (SELECT COUNT(*) FROM follows f2 WHERE f2.follower_id = p.author_id) AS following_count, \
     (SELECT COUNT(*) FROM posts q WHERE q.author_id = p.author_id AND q.status = 'published') AS post_count";

/// The revision a reader of the post sees: the published one when published, else the
/// working one (which only its author and admins may see; the caller decides).
const SHOWN_REVISION: &str = "JOIN post_revisions r ON r.id = CASE WHEN p.status = 'published' \
     THEN p.published_revision_id ELSE p.current_revision_id END";

/// The post any of its slugs (current or former) names; its `slug` is the current one.
pub async fn detail_by_slug<'e>(
    db: impl AnyExecutor<'e>,
    viewer: &str,
    slug: &str,
) -> Result<Option<DetailRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, {DETAIL_COLUMNS} FROM post_slugs s JOIN posts p ON p.id = s.post_id \
         {SHOWN_REVISION} JOIN users u ON u.id = p.author_id {VIEWER_JOINS} WHERE s.slug = $2"
    );
    sqlx::query_as(&sql).bind(viewer).bind(slug).fetch_optional(db).await
}

/// The author's published posts just before and after this one.
pub async fn neighbours<'e>(
    db: impl AnyExecutor<'e>,
    author_id: &str,
    published_at_ms: i64,
    post_id: &str,
) -> Result<(Option<PostLink>, Option<PostLink>), sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT which, slug, title FROM (\
           SELECT 'previous' AS which, p.slug, r.title FROM posts p \
           JOIN post_revisions r ON r.id = p.published_revision_id \
           WHERE p.author_id = $1 AND p.status = 'published' \
             AND (p.published_at_ms < $2 OR (p.published_at_ms = $2 AND p.id < $3)) \
           ORDER BY p.published_at_ms DESC, p.id DESC LIMIT 1) before_this \
         UNION ALL \
         SELECT which, slug, title FROM (\
           SELECT 'next' AS which, p.slug, r.title FROM posts p \
           JOIN post_revisions r ON r.id = p.published_revision_id \
           WHERE p.author_id = $1 AND p.status = 'published' \
             AND (p.published_at_ms > $2 OR (p.published_at_ms = $2 AND p.id > $3)) \
           ORDER BY p.published_at_ms ASC, p.id ASC LIMIT 1) after_this",
    )
    .bind(author_id)
    .bind(published_at_ms)
    .bind(post_id)
    .fetch_all(db)
    .await?;
    let mut previous = None;
    let mut next = None;
    for (which, slug, title) in rows {
        let link = Some(PostLink { slug, title });
        if which == "previous" {
            previous = link;
        } else {
            next = link;
        }
    }
    Ok((previous, next))
}

/// A person's public profile row and the viewer's relation to them.
#[derive(Debug, Clone, FromRow)]
pub struct ProfileRow {
    pub id: String,
    pub username: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub bio: Option<String>,
    pub followers: i64,
    pub following_count: i64,
    pub post_count: i64,
    pub followed: i64,
}

/// An active user's profile by username (case-insensitive).
pub async fn profile<'e>(
    db: impl AnyExecutor<'e>,
    viewer: &str,
    username: &str,
) -> Result<Option<ProfileRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.username, u.name AS display_name, u.avatar_url, u.bio, \
           (SELECT COUNT(*) FROM follows f1 WHERE f1.followee_id = u.id) AS followers, \
           (SELECT COUNT(*) FROM follows f2 WHERE f2.follower_id = u.id) AS following_count, \
           (SELECT COUNT(*) FROM posts q WHERE q.author_id = u.id AND q.status = 'published') AS post_count, \
           CASE WHEN EXISTS (SELECT 1 FROM follows f3 WHERE f3.follower_id = $1 AND f3.followee_id = u.id) \
                THEN 1 ELSE 0 END AS followed \
         FROM users u WHERE lower(u.username) = $2 AND u.active",
    )
    .bind(viewer)
    .bind(username.to_lowercase())
    .fetch_optional(db)
    .await
}

/// What the write rules need to know about a post.
#[derive(Debug, Clone, FromRow)]
pub struct PostState {
    pub id: String,
    pub author_id: String,
    pub slug: String,
    pub status: String,
    pub current_revision_id: String,
    pub published_revision_id: Option<String>,
    pub published_at_ms: Option<i64>,
    pub scheduled_at_ms: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub title: String,
    pub description: String,
    pub tags: String,
    pub body_markdown: String,
    /// Where the working revision stands in review (see `review::rules`).
    pub review_state: Option<String>,
    /// Submitted revisions are frozen: saving afterwards starts a new one.
    pub frozen_at_ms: Option<i64>,
}

const STATE_COLUMNS: &str = "p.id, p.author_id, p.slug, p.status, p.current_revision_id, p.published_revision_id, \
     p.published_at_ms, p.scheduled_at_ms, p.created_at_ms, p.updated_at_ms, r.title, r.description, r.tags, \
     r.body_markdown, p.review_state, r.frozen_at_ms";

pub async fn state<'e>(db: impl AnyExecutor<'e>, post_id: &str) -> Result<Option<PostState>, sqlx::Error> {
    let sql = format!(
        "SELECT {STATE_COLUMNS} FROM posts p JOIN post_revisions r ON r.id = p.current_revision_id WHERE p.id = $1"
    );
    sqlx::query_as(&sql).bind(post_id).fetch_optional(db).await
}

pub async fn state_by_slug<'e>(db: impl AnyExecutor<'e>, slug: &str) -> Result<Option<PostState>, sqlx::Error> {
    let sql = format!(
        "SELECT {STATE_COLUMNS} FROM post_slugs s JOIN posts p ON p.id = s.post_id \
         JOIN post_revisions r ON r.id = p.current_revision_id WHERE s.slug = $1"
    );
    sqlx::query_as(&sql).bind(slug).fetch_optional(db).await
}

/// A revision's content, rendered.
pub struct RevisionContent<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub excerpt: &'a str,
    pub body_markdown: &'a str,
    pub body_html: &'a str,
    pub body_text: &'a str,
    pub tags: &'a str,
    pub word_count: i64,
    pub reading_minutes: i64,
    /// The uploads it uses.
    pub files: &'a super::files::RevisionFiles,
}

/// Creates a draft post with its first revision. Its slug is its id until
/// [`assign_slug`] gives it a real one in the same transaction.
pub async fn insert_post(
    conn: &mut AnyConnection,
    post_id: &str,
    revision_id: &str,
    author_id: &str,
    content: &RevisionContent<'_>,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO posts (id, author_id, slug, status, current_revision_id, created_at_ms, updated_at_ms) \
         VALUES ($1, $2, $1, 'draft', $3, $4, $4)",
    )
    .bind(post_id)
    .bind(author_id)
    .bind(revision_id)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    insert_revision(conn, revision_id, post_id, author_id, content, now_ms).await
}

/// Adds a revision and makes it the post's working one.
pub async fn insert_revision(
    conn: &mut AnyConnection,
    revision_id: &str,
    post_id: &str,
    editor_id: &str,
    content: &RevisionContent<'_>,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO post_revisions (id, post_id, title, description, excerpt, body_markdown, body_html, body_text, \
           render_version, tags, word_count, reading_minutes, created_at_ms, updated_at_ms) \
         VALUES ($1, $2, '', '', '', '', '', '', 0, '', 0, 0, $3, $3)",
    )
    .bind(revision_id)
    .bind(post_id)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE posts SET current_revision_id = $2 WHERE id = $1")
        .bind(post_id)
        .bind(revision_id)
        .execute(&mut *conn)
        .await?;
    update_revision(conn, revision_id, editor_id, content, now_ms).await?;
    Ok(())
}

/// Writes a revision's content; only for revisions nobody reads yet (a new one, or a
/// draft's working copy). False when the revision was frozen meanwhile (submitted for
/// review or scheduled): nothing is written then.
pub async fn update_revision(
    conn: &mut AnyConnection,
    revision_id: &str,
    editor_id: &str,
    c: &RevisionContent<'_>,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE post_revisions SET editor_id = $2, title = $3, description = $4, excerpt = $5, body_markdown = $6, \
           body_html = $7, body_text = $8, render_version = $9, tags = $10, word_count = $11, reading_minutes = $12, \
           updated_at_ms = $13 WHERE id = $1 AND frozen_at_ms IS NULL",
    )
    .bind(revision_id)
    .bind(editor_id)
    .bind(c.title)
    .bind(c.description)
    .bind(c.excerpt)
    .bind(c.body_markdown)
    .bind(c.body_html)
    .bind(c.body_text)
    .bind(super::render::RENDER_VERSION)
    .bind(c.tags)
    .bind(c.word_count)
    .bind(c.reading_minutes)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    super::files::replace(conn, revision_id, c.files).await?;
    sqlx::query("UPDATE posts SET updated_at_ms = $2 WHERE id = (SELECT post_id FROM post_revisions WHERE id = $1)")
        .bind(revision_id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// Gives the post the slug its title asks for, unless it already has one made from the
/// same words. A post that was ever published keeps its former slugs (they redirect);
/// a never-published draft frees them. Free means: never used by any other post.
pub async fn assign_slug(
    conn: &mut AnyConnection,
    post: &str,
    current: &str,
    ever_published: bool,
    title: &str,
    now_ms: i64,
) -> Result<String, sqlx::Error> {
    let base = slug::base_for_title(title);
    let made_from_base = current == base
        || current
            .strip_prefix(&base)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| n.parse::<u32>().is_ok());
    if made_from_base {
        return Ok(current.to_string());
    }
    for _attempt in 0..5 {
        let taken: Vec<(String, String)> =
            sqlx::query_as("SELECT slug, post_id FROM post_slugs WHERE slug = $1 OR slug LIKE $2")
                .bind(&base)
                .bind(format!("{base}-%"))
                .fetch_all(&mut *conn)
                .await?;
        let mut n = 1;
        let (chosen, ours) = loop {
            let candidate = slug::candidate(&base, n);
            match taken.iter().find(|(slug, _)| *slug == candidate) {
                None => break (candidate, false),
                Some((_, owner)) if owner == post => break (candidate, true),
                Some(_) => n += 1,
            }
        };
        let claimed = ours
            || sqlx::query(
                "INSERT INTO post_slugs (slug, post_id, created_at_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(&chosen)
            .bind(post)
            .bind(now_ms)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                == 1;
        if !claimed {
            continue; // another post took it between our read and write
        }
        if !ever_published {
            sqlx::query("DELETE FROM post_slugs WHERE post_id = $1 AND slug <> $2")
                .bind(post)
                .bind(&chosen)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("UPDATE posts SET slug = $2 WHERE id = $1").bind(post).bind(&chosen).execute(&mut *conn).await?;
        return Ok(chosen);
    }
    Err(sqlx::Error::Protocol("could not claim a free slug after 5 attempts".into()))
}

/// Makes `revision_id` the published revision (the working one, or the one a reviewer
/// approved), fills the tag and search tables and scores the post. `at_ms` is the
/// publication time for a first publication.
pub async fn publish(
    conn: &mut AnyConnection,
    post_id: &str,
    revision_id: &str,
    at_ms: i64,
    now_ms: i64,
    ranking: &Ranking,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE posts SET status = 'published', published_revision_id = $4, \
           published_at_ms = COALESCE(published_at_ms, $2), scheduled_at_ms = NULL, scheduled_revision_id = NULL, \
           updated_at_ms = $3 WHERE id = $1",
    )
    .bind(post_id)
    .bind(at_ms)
    .bind(now_ms)
    .bind(revision_id)
    .execute(&mut *conn)
    .await?;
    let (tags, title, text): (String, String, String) = sqlx::query_as(
        "SELECT r.tags, r.title, r.body_text FROM posts p JOIN post_revisions r ON r.id = p.published_revision_id \
         WHERE p.id = $1",
    )
    .bind(post_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM post_tags WHERE post_id = $1").bind(post_id).execute(&mut *conn).await?;
    for tag in tags.split_whitespace() {
        sqlx::query("INSERT INTO post_tags (post_id, tag) VALUES ($1, $2)")
            .bind(post_id)
            .bind(tag)
            .execute(&mut *conn)
            .await?;
    }
    super::search::index(conn, post_id, &title, &text).await?;
    bump_counts(conn, post_id, Counts::default(), ranking).await?;
    Ok(())
}

/// Takes a post off the site: back to draft, out of tags and search.
pub async fn unpublish(conn: &mut AnyConnection, post_id: &str, now_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE posts SET status = 'draft', scheduled_at_ms = NULL, scheduled_revision_id = NULL, updated_at_ms = $2 \
         WHERE id = $1",
    )
    .bind(post_id)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM post_tags WHERE post_id = $1").bind(post_id).execute(&mut *conn).await?;
    super::search::remove(&mut *conn, post_id).await
}

/// Schedules the post to be published at `at_ms`: exactly `revision_id` (the caller
/// freezes it, so later edits start a new revision and are not published with it).
pub async fn schedule(
    conn: &mut AnyConnection,
    post_id: &str,
    at_ms: i64,
    revision_id: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE posts SET status = 'scheduled', scheduled_at_ms = $2, scheduled_revision_id = $4, updated_at_ms = $3 \
         WHERE id = $1",
    )
    .bind(post_id)
    .bind(at_ms)
    .bind(now_ms)
    .bind(revision_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Scheduled posts whose time has come, with the revision to publish, claimed by this
/// transaction: the conditional UPDATE means each is claimed by exactly one process,
/// however many run this.
pub async fn claim_due(conn: &mut AnyConnection, now_ms: i64) -> Result<Vec<(String, i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE posts SET status = 'publishing' WHERE status = 'scheduled' AND scheduled_at_ms <= $1 \
         RETURNING id, scheduled_at_ms, COALESCE(scheduled_revision_id, current_revision_id)",
    )
    .bind(now_ms)
    .fetch_all(&mut *conn)
    .await
}

pub async fn delete_post(conn: &mut AnyConnection, post_id: &str) -> Result<(), sqlx::Error> {
    super::search::remove(&mut *conn, post_id).await?;
    sqlx::query("DELETE FROM posts WHERE id = $1").bind(post_id).execute(&mut *conn).await?;
    Ok(())
}

pub async fn record_event(
    conn: &mut AnyConnection,
    post_id: &str,
    kind: &str,
    actor_id: Option<&str>,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO post_events (id, post_id, kind, actor_id, at_ms) VALUES ($1, $2, $3, $4, $5)")
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(post_id)
        .bind(kind)
        .bind(actor_id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Changes to a post's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub likes: i64,
    pub comments: i64,
    pub bookmarks: i64,
    pub views: i64,
}

/// The counters after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct CountsRow {
    pub published_at_ms: Option<i64>,
    pub like_count: i64,
    pub comment_count: i64,
    pub bookmark_count: i64,
    pub view_count: i64,
}

/// Adds to a post's counters and rescores it, in one transaction: the first UPDATE
/// locks the row (PostgreSQL) or the database (SQLite), so the score is computed from
/// the counts it is stored with, whatever else happens concurrently.
pub async fn bump_counts(
    conn: &mut AnyConnection,
    post_id: &str,
    delta: Counts,
    ranking: &Ranking,
) -> Result<Option<CountsRow>, sqlx::Error> {
    let row: Option<CountsRow> = sqlx::query_as(
        "UPDATE posts SET like_count = like_count + $2, comment_count = comment_count + $3, \
           bookmark_count = bookmark_count + $4, view_count = view_count + $5 WHERE id = $1 \
         RETURNING published_at_ms, like_count, comment_count, bookmark_count, view_count",
    )
    .bind(post_id)
    .bind(delta.likes)
    .bind(delta.comments)
    .bind(delta.bookmarks)
    .bind(delta.views)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(CountsRow { published_at_ms: Some(published_at_ms), like_count, comment_count, view_count, .. }) = row {
        let score = ranking.hot_score(Engagement {
            published_at_ms,
            likes: like_count,
            comments: comment_count,
            views: view_count,
        });
        sqlx::query("UPDATE posts SET hot_score = $2 WHERE id = $1")
            .bind(post_id)
            .bind(score)
            .execute(&mut *conn)
            .await?;
    }
    Ok(row)
}

/// Recomputes every published post's score (after the ranking settings changed).
pub async fn rescore_all(db: &crate::server::db::Db, ranking: &Ranking) -> Result<u64, sqlx::Error> {
    let mut after = String::new();
    let mut done = 0;
    loop {
        let batch: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM posts WHERE published_at_ms IS NOT NULL AND id > $1 ORDER BY id LIMIT 500")
                .bind(&after)
                .fetch_all(db.pool())
                .await?;
        let Some((last,)) = batch.last().cloned() else { return Ok(done) };
        let mut tx = db.begin().await?;
        for (id,) in &batch {
            bump_counts(&mut tx, id, Counts::default(), ranking).await?;
        }
        tx.commit().await?;
        done += batch.len() as u64;
        after = last;
    }
}

pub async fn site_state<'e>(db: impl AnyExecutor<'e>, key: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT value FROM site_state WHERE key = $1").bind(key).fetch_optional(db).await?;
    Ok(row.map(|(value,)| value))
}

pub async fn set_site_state<'e>(db: impl AnyExecutor<'e>, key: &str, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO site_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(db)
    .await?;
    Ok(())
}

/// Sets or clears a like; true when that changed anything (idempotent otherwise).
pub async fn set_like(
    conn: &mut AnyConnection,
    post_id: &str,
    user_id: &str,
    liked: bool,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let result = if liked {
        sqlx::query(
            "INSERT INTO post_likes (post_id, user_id, created_at_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(post_id)
        .bind(user_id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query("DELETE FROM post_likes WHERE post_id = $1 AND user_id = $2")
            .bind(post_id)
            .bind(user_id)
            .execute(&mut *conn)
            .await?
    };
    Ok(result.rows_affected() == 1)
}

pub async fn set_bookmark(
    conn: &mut AnyConnection,
    post_id: &str,
    user_id: &str,
    on: bool,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let result = if on {
        sqlx::query(
            "INSERT INTO post_bookmarks (user_id, post_id, created_at_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(post_id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query("DELETE FROM post_bookmarks WHERE user_id = $1 AND post_id = $2")
            .bind(user_id)
            .bind(post_id)
            .execute(&mut *conn)
            .await?
    };
    Ok(result.rows_affected() == 1)
}

pub async fn set_follow<'e>(
    db: impl AnyExecutor<'e>,
    follower: &str,
    followee: &str,
    on: bool,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    if on {
        sqlx::query(
            "INSERT INTO follows (follower_id, followee_id, created_at_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(follower)
        .bind(followee)
        .bind(now_ms)
        .execute(db)
        .await?;
    } else {
        sqlx::query("DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2")
            .bind(follower)
            .bind(followee)
            .execute(db)
            .await?;
    }
    Ok(())
}

/// Which of `people` the viewer follows.
pub async fn followed_among<'e>(
    db: impl AnyExecutor<'e>,
    viewer: &str,
    people: &[String],
) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    if viewer.is_empty() || people.is_empty() {
        return Ok(Default::default());
    }
    let mut sql = Sql::new(viewer);
    sql.push("SELECT followee_id FROM follows WHERE follower_id = $1 AND followee_id IN (");
    let placeholders: Vec<String> = people.iter().map(|id| sql.bind(Bind::Text(id.clone()))).collect();
    sql.push(&placeholders.join(", "));
    sql.push(")");
    let rows: Vec<(String,)> = sql.query_as().fetch_all(db).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A comment with its author.
#[derive(Debug, Clone, FromRow)]
pub struct CommentRow {
    pub id: String,
    pub number: i64,
    pub post_id: String,
    pub parent_id: Option<String>,
    pub author_id: Option<String>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub bio: Option<String>,
    pub body_markdown: String,
    pub body_html: String,
    pub reply_count: i64,
    pub created_at_ms: i64,
    pub edited_at_ms: Option<i64>,
    pub deleted_at_ms: Option<i64>,
    pub hidden_at_ms: Option<i64>,
}

const COMMENT_COLUMNS: &str =
    "c.id, c.number, c.post_id, c.parent_id, c.author_id, u.username, u.name AS display_name, \
     u.avatar_url, u.bio, c.body_markdown, c.body_html, c.reply_count, c.created_at_ms, c.edited_at_ms, \
     c.deleted_at_ms, c.hidden_at_ms";

/// Every comment of a post, oldest first.
pub async fn comments<'e>(db: impl AnyExecutor<'e>, post_id: &str) -> Result<Vec<CommentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COMMENT_COLUMNS} FROM comments c LEFT JOIN users u ON u.id = c.author_id \
         WHERE c.post_id = $1 ORDER BY c.created_at_ms, c.id"
    );
    sqlx::query_as(&sql).bind(post_id).fetch_all(db).await
}

pub async fn comment<'e>(db: impl AnyExecutor<'e>, comment_id: &str) -> Result<Option<CommentRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COMMENT_COLUMNS} FROM comments c LEFT JOIN users u ON u.id = c.author_id WHERE c.id = $1");
    sqlx::query_as(&sql).bind(comment_id).fetch_optional(db).await
}

pub struct NewComment<'a> {
    pub id: &'a str,
    pub post_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub author_id: &'a str,
    pub body_markdown: &'a str,
    pub body_html: &'a str,
    pub now_ms: i64,
}

/// Inserts a comment. A reply first counts itself on its parent, in a statement that
/// only succeeds while the parent is a live top-level comment of the same post; that
/// row lock is what a concurrent deletion of the parent contends with. False when the
/// parent is gone.
pub async fn insert_comment(conn: &mut AnyConnection, c: &NewComment<'_>) -> Result<bool, sqlx::Error> {
    if let Some(parent) = c.parent_id {
        let counted = sqlx::query(
            "UPDATE comments SET reply_count = reply_count + 1 WHERE id = $1 AND post_id = $2 \
             AND parent_id IS NULL AND deleted_at_ms IS NULL AND hidden_at_ms IS NULL",
        )
        .bind(parent)
        .bind(c.post_id)
        .execute(&mut *conn)
        .await?;
        if counted.rows_affected() != 1 {
            return Ok(false);
        }
    }
    let number = next_counter(conn, "comments").await?;
    sqlx::query(
        "INSERT INTO comments (id, number, post_id, author_id, parent_id, body_markdown, body_html, render_version, \
           created_at_ms) VALUES ($1, $9, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(c.id)
    .bind(c.post_id)
    .bind(c.author_id)
    .bind(c.parent_id)
    .bind(c.body_markdown)
    .bind(c.body_html)
    .bind(super::render::RENDER_VERSION)
    .bind(c.now_ms)
    .bind(number)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// The next value of a named sequence, taken in the caller's transaction.
pub async fn next_counter(conn: &mut AnyConnection, name: &str) -> Result<i64, sqlx::Error> {
    let (value,): (i64,) = sqlx::query_as(
        "INSERT INTO counters (name, value) VALUES ($1, 1) \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
    )
    .bind(name)
    .fetch_one(&mut *conn)
    .await?;
    Ok(value)
}

/// A comment by its public number.
pub async fn comment_by_number<'e>(db: impl AnyExecutor<'e>, number: i64) -> Result<Option<CommentRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COMMENT_COLUMNS} FROM comments c LEFT JOIN users u ON u.id = c.author_id WHERE c.number = $1");
    sqlx::query_as(&sql).bind(number).fetch_optional(db).await
}

/// The author's own change to a comment is allowed only within the window and while it
/// has no replies; these conditions sit in the statement itself, so a reply racing the
/// change wins or loses as a whole.
pub async fn edit_comment(
    conn: &mut AnyConnection,
    comment_id: &str,
    author_id: &str,
    body_markdown: &str,
    body_html: &str,
    not_before_ms: i64,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE comments SET body_markdown = $3, body_html = $4, render_version = $5, edited_at_ms = $7 \
         WHERE id = $1 AND author_id = $2 AND deleted_at_ms IS NULL AND hidden_at_ms IS NULL \
           AND reply_count = 0 AND created_at_ms >= $6",
    )
    .bind(comment_id)
    .bind(author_id)
    .bind(body_markdown)
    .bind(body_html)
    .bind(super::render::RENDER_VERSION)
    .bind(not_before_ms)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// See [`edit_comment`]; a deleted reply no longer counts on its parent.
pub async fn delete_comment(
    conn: &mut AnyConnection,
    comment: &CommentRow,
    author_id: &str,
    not_before_ms: i64,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE comments SET deleted_at_ms = $4 WHERE id = $1 AND author_id = $2 AND deleted_at_ms IS NULL \
           AND reply_count = 0 AND created_at_ms >= $3",
    )
    .bind(&comment.id)
    .bind(author_id)
    .bind(not_before_ms)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() != 1 {
        return Ok(false);
    }
    if let Some(parent) = &comment.parent_id {
        sqlx::query("UPDATE comments SET reply_count = reply_count - 1 WHERE id = $1")
            .bind(parent)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// Hides or shows a comment (moderation); true when that changed anything.
pub async fn set_comment_hidden(
    conn: &mut AnyConnection,
    comment_id: &str,
    hidden: bool,
    moderator_id: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let result = if hidden {
        sqlx::query(
            "UPDATE comments SET hidden_at_ms = $2, hidden_by = $3 WHERE id = $1 AND hidden_at_ms IS NULL \
             AND deleted_at_ms IS NULL",
        )
        .bind(comment_id)
        .bind(now_ms)
        .bind(moderator_id)
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE comments SET hidden_at_ms = NULL, hidden_by = NULL WHERE id = $1 AND hidden_at_ms IS NOT NULL",
        )
        .bind(comment_id)
        .execute(&mut *conn)
        .await?
    };
    Ok(result.rows_affected() == 1)
}

/// What a deleted account leaves behind: its comments become "deleted" (stubs where
/// they have replies), its likes and bookmarks stop counting, its posts leave the
/// search index (the rows themselves go with the user through foreign keys).
pub async fn forget_user(conn: &mut AnyConnection, user_id: &str, now_ms: i64) -> Result<(), sqlx::Error> {
    // A write first: SQLite takes the write lock now rather than upgrading a read later.
    sqlx::query("UPDATE comments SET deleted_at_ms = $2 WHERE author_id = $1 AND deleted_at_ms IS NULL")
        .bind(user_id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    let touched: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT post_id FROM comments WHERE author_id = $1 \
         UNION SELECT post_id FROM post_likes WHERE user_id = $1 \
         UNION SELECT post_id FROM post_bookmarks WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM post_likes WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM post_bookmarks WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    for (post_id,) in touched {
        recount(conn, &post_id).await?;
    }
    sqlx::query("DELETE FROM post_search WHERE post_id IN (SELECT id FROM posts WHERE author_id = $1)")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets a post's counters from the rows themselves.
pub async fn recount(conn: &mut AnyConnection, post_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE posts SET \
           like_count = (SELECT COUNT(*) FROM post_likes l WHERE l.post_id = posts.id), \
           bookmark_count = (SELECT COUNT(*) FROM post_bookmarks b WHERE b.post_id = posts.id), \
           comment_count = (SELECT COUNT(*) FROM comments c WHERE c.post_id = posts.id \
                            AND c.deleted_at_ms IS NULL AND c.hidden_at_ms IS NULL) \
         WHERE id = $1",
    )
    .bind(post_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Revisions and comments rendered by an older pipeline, a batch at a time.
pub async fn stale_revisions<'e>(
    db: impl AnyExecutor<'e>,
    version: i64,
    limit: i64,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, body_markdown, description FROM post_revisions WHERE render_version < $1 LIMIT $2")
        .bind(version)
        .bind(limit)
        .fetch_all(db)
        .await
}

pub async fn stale_comments<'e>(
    db: impl AnyExecutor<'e>,
    version: i64,
    limit: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, body_markdown FROM comments WHERE render_version < $1 LIMIT $2")
        .bind(version)
        .bind(limit)
        .fetch_all(db)
        .await
}

pub async fn store_revision_render<'e>(
    db: impl AnyExecutor<'e>,
    id: &str,
    rendered: &super::render::Rendered,
    derived_excerpt: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE post_revisions SET body_html = $2, render_version = $3, word_count = $4, reading_minutes = $5, \
           excerpt = CASE WHEN $6 = 1 THEN $7 ELSE excerpt END, body_text = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(&rendered.html)
    .bind(super::render::RENDER_VERSION)
    .bind(rendered.word_count)
    .bind(rendered.reading_minutes)
    .bind(i64::from(derived_excerpt))
    .bind(&rendered.excerpt)
    .bind(&rendered.text)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn store_comment_render<'e>(db: impl AnyExecutor<'e>, id: &str, html: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE comments SET body_html = $2, render_version = $3 WHERE id = $1")
        .bind(id)
        .bind(html)
        .bind(super::render::RENDER_VERSION)
        .execute(db)
        .await?;
    Ok(())
}

/// A feed entry: the published revision in full.
#[derive(Debug, Clone, FromRow)]
pub struct FeedRow {
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_html: String,
    pub tags: String,
    pub username: String,
    pub display_name: Option<String>,
    pub published_at_ms: i64,
    pub updated_at_ms: i64,
}

/// The newest published posts for a feed, optionally of one tag or author.
pub async fn feed<'e>(
    db: impl AnyExecutor<'e>,
    tag: Option<&str>,
    author_id: Option<&str>,
    limit: i64,
) -> Result<Vec<FeedRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.slug, r.title, r.excerpt, r.body_html, r.tags, u.username, u.name AS display_name, \
           p.published_at_ms, r.updated_at_ms \
         FROM posts p JOIN post_revisions r ON r.id = p.published_revision_id JOIN users u ON u.id = p.author_id \
         WHERE p.status = 'published' \
           AND ($1 = '' OR EXISTS (SELECT 1 FROM post_tags t WHERE t.post_id = p.id AND t.tag = $1)) \
           AND ($2 = '' OR p.author_id = $2) \
         ORDER BY p.published_at_ms DESC, p.id DESC LIMIT $3",
    )
    .bind(tag.unwrap_or_default())
    .bind(author_id.unwrap_or_default())
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Every published post's address and last change, for the sitemap.
pub async fn sitemap_posts<'e>(db: impl AnyExecutor<'e>) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.slug, r.updated_at_ms FROM posts p JOIN post_revisions r ON r.id = p.published_revision_id \
         WHERE p.status = 'published' ORDER BY p.published_at_ms DESC LIMIT 45000",
    )
    .fetch_all(db)
    .await
}

/// Tags of published posts with how many use each, most used first.
pub async fn tags<'e>(db: impl AnyExecutor<'e>, limit: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.tag, COUNT(*) AS uses FROM post_tags t GROUP BY t.tag ORDER BY COUNT(*) DESC, t.tag LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Authors with at least one published post and the time of their latest one.
pub async fn authors<'e>(db: impl AnyExecutor<'e>) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.username, MAX(p.published_at_ms) FROM users u JOIN posts p ON p.author_id = u.id \
         WHERE p.status = 'published' AND u.active GROUP BY u.username ORDER BY u.username LIMIT 45000",
    )
    .fetch_all(db)
    .await
}

/// An active user's id by username, case-insensitively.
pub async fn user_id_by_username<'e>(db: impl AnyExecutor<'e>, username: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE lower(username) = $1 AND active")
        .bind(username.to_lowercase())
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Whether the user wants an email when their post gets a comment, and where.
pub async fn comment_mail_target<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
) -> Result<Option<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.email, COALESCE(u.name, u.username), CASE WHEN s.notify_on_comment THEN 1 ELSE 0 END \
         FROM users u JOIN user_settings s ON s.user_id = u.id WHERE u.id = $1 AND u.active",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await
}
