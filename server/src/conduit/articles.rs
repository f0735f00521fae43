//! `/conduit/api/articles…` and `/conduit/api/tags`: the blog's posts, likes
//! ("favorites"), comments and tags in RealWorld shapes, plus our extensions.

use std::collections::HashMap;

use app::{
    blog::{
        model::{PostStatus, Sort},
        ssr::{
            service::{self, ArticleQuery, Intent, PostInput, Visit},
            views,
        },
        validation::Tag,
    },
    error::AppError,
    review::ssr::service as review,
    server::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::ConduitErrorBody,
    extract::{double_option, Caller, ConduitJson},
    shapes::{Article, ArticleEnvelope, ArticleList, Comment, CommentEnvelope, CommentList, TagList},
    ConduitError, PREFIX, TAG,
};
use crate::api::ClientIp;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(feed))
        .routes(routes!(bookmarks))
        .routes(routes!(drafts))
        .routes(routes!(search))
        .routes(routes!(read, update, remove))
        .routes(routes!(favorite, unfavorite))
        .routes(routes!(bookmark, unbookmark))
        .routes(routes!(comments, add_comment))
        .routes(routes!(delete_comment))
        .routes(routes!(tags))
}

const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;
const MAX_OFFSET: i64 = 100_000;

/// `limit` and `offset` from a query string, each checked with a message naming it.
fn paging(params: &HashMap<String, String>) -> Result<(i64, i64), ConduitError> {
    let number = |name: &str, default: i64, range: std::ops::RangeInclusive<i64>| match params.get(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse::<i64>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
            ConduitError::invalid(name, format!("must be a whole number from {} to {}", range.start(), range.end()))
        }),
    };
    Ok((number("limit", DEFAULT_LIMIT, 1..=MAX_LIMIT)?, number("offset", 0, 0..=MAX_OFFSET)?))
}

fn list_response(rows: Vec<app::blog::ssr::repo::SummaryRow>, count: i64) -> Json<ArticleList> {
    Json(ArticleList { articles: rows.into_iter().map(Article::summary).collect(), articles_count: count })
}

/// The list's query parameters (documentation; parsing is in the handler).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ListQuery {
    /// Only posts with this tag.
    tag: Option<String>,
    /// Only posts by this username.
    author: Option<String>,
    /// Only posts this username likes.
    favorited: Option<String>,
    /// 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// How many to skip (default 0, at most 100,000).
    #[param(minimum = 0, maximum = 100_000)]
    offset: Option<i64>,
    /// Extension: `new` (default), `hot` (newest first, lifted by likes, comments and
    /// views) or `top` (most liked).
    sort: Option<String>,
    /// Extension, with `sort=top`: `week` (default), `month`, `year` or `all`.
    period: Option<String>,
}

/// List published articles, newest first.
#[utoipa::path(
    get,
    path = "/conduit/api/articles",
    tag = TAG,
    // Anonymous, or signed in for the personal fields (`favorited`, `following`).
    security((), ("token" = []), ("bearer" = []), ("session" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page and the total count; without `body`", body = ArticleList),
        (status = 422, description = "`limit` or `offset` out of range", body = ConduitErrorBody),
    ),
)]
async fn list(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<ArticleList>, ConduitError> {
    let (limit, offset) = paging(&params)?;
    let sort = match params.get("sort").map(String::as_str) {
        None => Sort::New,
        Some(sort) => Sort::from_query(Some(sort), params.get("period").map(String::as_str)),
    };
    let query = ArticleQuery {
        tag: params.get("tag").cloned(),
        author: params.get("author").cloned(),
        favorited: params.get("favorited").cloned(),
        sort,
        limit,
        offset,
        ..ArticleQuery::default()
    };
    let viewer = caller.map(|c| c.user);
    let (rows, count) = service::articles(&state, viewer.as_ref(), &query).await?;
    Ok(list_response(rows, count))
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct PageQuery {
    /// 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// How many to skip (default 0, at most 100,000).
    #[param(minimum = 0, maximum = 100_000)]
    offset: Option<i64>,
}

/// Articles by the people the caller follows, newest first.
#[utoipa::path(
    get,
    path = "/conduit/api/articles/feed",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "One page and the total count", body = ArticleList),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 422, description = "`limit` or `offset` out of range", body = ConduitErrorBody),
    ),
)]
async fn feed(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<ArticleList>, ConduitError> {
    let (limit, offset) = paging(&params)?;
    let query = ArticleQuery {
        feed_of: Some(caller.user.id.clone()),
        sort: Sort::New,
        limit,
        offset,
        ..ArticleQuery::default()
    };
    let (rows, count) = service::articles(&state, Some(&caller.user), &query).await?;
    Ok(list_response(rows, count))
}

/// Extension: the caller's bookmarks, most recently saved first.
#[utoipa::path(
    get,
    path = "/conduit/api/articles/bookmarks",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "One page and the total count", body = ArticleList),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 422, description = "`limit` or `offset` out of range", body = ConduitErrorBody),
    ),
)]
async fn bookmarks(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<ArticleList>, ConduitError> {
    let (limit, offset) = paging(&params)?;
    let query = ArticleQuery { bookmarked_by: Some(caller.user.id.clone()), limit, offset, ..ArticleQuery::default() };
    let (rows, count) = service::articles(&state, Some(&caller.user), &query).await?;
    Ok(list_response(rows, count))
}

/// Extension: the caller's own articles in every state (`status`), most recently
/// changed first. `articlesCount` is the length of this page.
#[utoipa::path(
    get,
    path = "/conduit/api/articles/drafts",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "One page", body = ArticleList),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 422, description = "`limit` or `offset` out of range", body = ConduitErrorBody),
    ),
)]
async fn drafts(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<ArticleList>, ConduitError> {
    let (limit, offset) = paging(&params)?;
    let rows = service::my_articles(&state, &caller.user, limit, offset).await?;
    let count = rows.len() as i64;
    Ok(list_response(rows, count))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct SearchHit {
    #[serde(flatten)]
    article: Article,
    /// The matched passage; `**` marks each matched word.
    snippet: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct SearchResults {
    articles: Vec<SearchHit>,
    /// The `offset` of the next page, when there is one.
    next_offset: Option<i64>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct SearchQuery {
    /// Words to find in titles and text (any input is accepted; at most 200 characters).
    #[param(max_length = 200)]
    q: Option<String>,
    /// How many results to skip (pages of 20; at most 100,000).
    #[param(minimum = 0, maximum = 100_000)]
    offset: Option<i64>,
}

/// Extension: full-text search over published articles, best match first.
#[utoipa::path(
    get,
    path = "/conduit/api/articles/search",
    tag = TAG,
    // Anonymous, or signed in for the personal fields (`favorited`, `following`).
    security((), ("token" = []), ("bearer" = []), ("session" = [])),
    params(SearchQuery),
    responses(
        (status = 200, description = "Matches with a snippet each", body = SearchResults),
        (status = 422, description = "`q` longer than 200 characters, or a bad `offset`", body = ConduitErrorBody),
    ),
)]
async fn search(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<SearchResults>, ConduitError> {
    let (_, offset) = paging(&params)?;
    let viewer = caller.map(|c| c.user);
    let q = params.get("q").cloned().unwrap_or_default();
    let page = service::search_posts(&state, viewer.as_ref(), &q, offset).await?;
    let ids: Vec<String> = page.hits.iter().map(|hit| hit.post.id.clone()).collect();
    let rows = app::blog::ssr::repo::summaries_by_ids(state.db.pool(), viewer.as_ref().map_or("", |v| &v.id), &ids)
        .await
        .map_err(AppError::from)?;
    let mut rows: HashMap<String, _> = rows.into_iter().map(|row| (row.id.clone(), row)).collect();
    let articles = page
        .hits
        .into_iter()
        .filter_map(|hit| {
            let row = rows.remove(&hit.post.id)?;
            let snippet = hit
                .snippet
                .into_iter()
                .map(|run| if run.matched { format!("**{}**", run.text) } else { run.text })
                .collect();
            Some(SearchHit { article: Article::summary(row), snippet })
        })
        .collect();
    Ok(Json(SearchResults { articles, next_offset: page.next }))
}

/// One article, with its Markdown `body`. A former slug answers 301 to the current one.
#[utoipa::path(
    get,
    path = "/conduit/api/articles/{slug}",
    tag = TAG,
    // Anonymous, or signed in for the personal fields (`favorited`, `following`).
    security((), ("token" = []), ("bearer" = []), ("session" = [])),
    params(("slug" = String, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "The article", body = ArticleEnvelope),
        (status = 301, description = "Renamed: `Location` has the current address"),
        (status = 404, description = "No such article (drafts are visible to their author only)", body = ConduitErrorBody),
    ),
)]
async fn read(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, ConduitError> {
    let viewer = caller.map(|c| c.user);
    let (row, moved) =
        service::article(&state, viewer.as_ref(), &slug).await.map_err(ConduitError::about("article"))?;
    if let Some(current) = moved {
        let location = format!("{PREFIX}/articles/{current}");
        return Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response());
    }
    let visit = views::is_reader(&headers)
        .then(|| Visit { identity: views::identity(viewer.as_ref().map(|v| v.id.as_str()), &ip, &headers) });
    let status = PostStatus::parse(&row.summary.status).unwrap_or(PostStatus::Draft);
    let by_author = viewer.as_ref().is_some_and(|v| v.id == row.summary.author_id);
    service::note_view(&state, visit, &row.summary.id, status, by_author);
    Ok(Json(ArticleEnvelope { article: Article::full(row) }).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct NewArticle {
    #[serde(default)]
    title: String,
    /// Required here (the site's own editor derives one when it is left empty).
    #[serde(default)]
    description: String,
    /// Markdown, up to 100,000 characters.
    #[serde(default)]
    body: String,
    /// Up to 10 tags of `a-z`, `0-9` and `-`.
    #[serde(default)]
    tag_list: Vec<String>,
    /// Extension: `published` (default) or `draft`.
    #[serde(default)]
    status: Option<String>,
    /// Extension: publish later, at this time (`2026-12-24T09:30` UTC or unix ms).
    #[serde(default)]
    publish_at: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"article": {"title": "How to train your dragon", "description": "Ever wonder how?", "body": "You have to *believe*.", "tagList": ["dragons", "training"]}}))]
struct NewArticleEnvelope {
    article: NewArticle,
}

/// Tags as our editor takes them, each checked first so a bad one is named on its own.
fn tag_text(tags: &[String]) -> Result<String, ConduitError> {
    let mut problems = Vec::new();
    for tag in tags {
        if let Err(problem) = Tag::parse(tag) {
            problems.push(problem);
        }
    }
    if problems.is_empty() {
        Ok(tags.join(","))
    } else {
        Err(ConduitError::invalid_all("tagList", problems))
    }
}

fn intent_of(status: Option<&str>, publish_at: Option<&str>) -> Result<Intent, ConduitError> {
    match (status, publish_at) {
        (_, Some(_)) => Ok(Intent::Schedule),
        (None | Some("published"), None) => Ok(Intent::Publish),
        (Some("draft"), None) => Ok(Intent::Save),
        (Some(_), None) => Err(ConduitError::invalid("status", "must be published or draft")),
    }
}

/// "Publish" from a RealWorld client means "submit for review" for an author whose
/// posts are reviewed: the client knows nothing of review, and the article appears once
/// a reviewer approves it.
async fn through_review(state: &AppState, caller: &Caller, intent: Intent) -> Result<Intent, ConduitError> {
    let settings = review::settings(state).await.map_err(ConduitError::about("article"))?;
    Ok(match intent {
        Intent::Publish if settings.needs_review(caller.user.role) => Intent::Submit,
        other => other,
    })
}

/// Create an article (published at once unless `status` says `draft`; submitted for
/// review instead when the author's posts are reviewed).
#[utoipa::path(
    post,
    path = "/conduit/api/articles",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    request_body = NewArticleEnvelope,
    responses(
        (status = 201, description = "Created", body = ArticleEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 409, description = "The author's articles are reviewed and cannot be scheduled directly", body = ConduitErrorBody),
        (status = 422, description = "A field breaks a rule", body = ConduitErrorBody),
        (status = 429, description = "Too many new articles in a short time", body = ConduitErrorBody),
    ),
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ConduitJson(envelope): ConduitJson<NewArticleEnvelope>,
) -> Result<(StatusCode, Json<ArticleEnvelope>), ConduitError> {
    let a = envelope.article;
    let blank: Vec<&str> = [("title", &a.title), ("description", &a.description), ("body", &a.body)]
        .into_iter()
        .filter_map(|(field, value)| value.trim().is_empty().then_some(field))
        .collect();
    if let Some(error) = ConduitError::blank(&blank) {
        return Err(error);
    }
    let intent = through_review(&state, &caller, intent_of(a.status.as_deref(), a.publish_at.as_deref())?).await?;
    let input = PostInput {
        title: a.title,
        description: a.description,
        tags: tag_text(&a.tag_list)?,
        body: a.body,
        files: Default::default(),
    };
    let saved = service::save(&state, &caller.user, None, input, intent, a.publish_at.as_deref().unwrap_or(""))
        .await
        .map_err(ConduitError::about("article"))?;
    let (row, _) = service::article(&state, Some(&caller.user), &saved.slug).await?;
    Ok((StatusCode::CREATED, Json(ArticleEnvelope { article: Article::full(row) })))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ArticleChanges {
    /// A new title also gives the article a new slug; the old one redirects.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    body: Option<Option<String>>,
    /// Replaces the tags; `[]` removes them all.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<String>>)]
    tag_list: Option<Option<Vec<String>>>,
    /// Extension: `published` publishes a draft, `draft` takes the article off the site.
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"article": {"body": "With two hands."}}))]
struct ArticleChangesEnvelope {
    article: ArticleChanges,
}

/// Update an article (its author or an admin); only the fields present change.
#[utoipa::path(
    put,
    path = "/conduit/api/articles/{slug}",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(("slug" = String, Path, description = "The article's slug")),
    request_body = ArticleChangesEnvelope,
    responses(
        (status = 200, description = "Updated", body = ArticleEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 403, description = "Not the author: `{\"errors\": {\"article\": [\"forbidden\"]}}`", body = ConduitErrorBody),
        (status = 404, description = "No such article", body = ConduitErrorBody),
        (status = 409, description = "The article is in review (withdraw it to edit), was rejected, or has nothing new to submit", body = ConduitErrorBody),
        (status = 422, description = "A field breaks a rule", body = ConduitErrorBody),
    ),
)]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ConduitJson(envelope): ConduitJson<ArticleChangesEnvelope>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    let changes = envelope.article;
    let current = service::source(&state, &caller.user, &slug).await.map_err(ConduitError::about("article"))?;
    let mut blank = Vec::new();
    let mut text = |field: &'static str, change: Option<Option<String>>, now: String| match change {
        None => now,
        Some(Some(value)) if !value.trim().is_empty() => value,
        Some(_) => {
            blank.push(field);
            now
        }
    };
    let title = text("title", changes.title, current.title.clone());
    let description = text("description", changes.description, current.description.clone());
    let body = text("body", changes.body, current.body_markdown.clone());
    if let Some(error) = ConduitError::blank(&blank) {
        return Err(error);
    }
    let tags = match changes.tag_list {
        None => current.tags.replace(' ', ","),
        Some(None) => return Err(ConduitError::invalid("tagList", "must be a list (use [] to remove every tag)")),
        Some(Some(tags)) => tag_text(&tags)?,
    };
    let intent = match changes.status.as_deref() {
        None | Some("draft") => Intent::Save,
        Some("published") => Intent::Publish,
        Some(_) => return Err(ConduitError::invalid("status", "must be published or draft")),
    };
    let intent = through_review(&state, &caller, intent).await?;
    let input = PostInput { title, description, tags, body, files: Default::default() };
    let saved = service::save(&state, &caller.user, Some(&current.id), input, intent, "")
        .await
        .map_err(ConduitError::about("article"))?;
    if changes.status.as_deref() == Some("draft") && saved.status != PostStatus::Draft {
        service::unpublish(&state, &caller.user, &saved.id).await.map_err(ConduitError::about("article"))?;
    }
    let (row, _) = service::article(&state, Some(&caller.user), &saved.slug).await?;
    Ok(Json(ArticleEnvelope { article: Article::full(row) }))
}

/// Delete an article (its author or an admin) with its comments and likes.
#[utoipa::path(
    delete,
    path = "/conduit/api/articles/{slug}",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(("slug" = String, Path, description = "The article's slug")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 403, description = "Not the author", body = ConduitErrorBody),
        (status = 404, description = "No such article", body = ConduitErrorBody),
    ),
)]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, ConduitError> {
    let current = service::source(&state, &caller.user, &slug).await.map_err(ConduitError::about("article"))?;
    service::delete(&state, &caller.user, &current.id).await.map_err(ConduitError::about("article"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Likes or bookmarks, then answers with the article as the caller now sees it.
async fn react(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    kind: Reaction,
    on: bool,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    let about = ConduitError::about("article");
    let (row, _) = service::article(state, Some(&caller.user), slug).await.map_err(&about)?;
    match kind {
        Reaction::Like => service::set_like(state, &caller.user, &row.summary.id, on).await.map_err(&about)?,
        Reaction::Bookmark => service::set_bookmark(state, &caller.user, &row.summary.id, on).await.map_err(&about)?,
    };
    let (row, _) = service::article(state, Some(&caller.user), &row.summary.slug).await.map_err(&about)?;
    Ok(Json(ArticleEnvelope { article: Article::full(row) }))
}

#[derive(Clone, Copy)]
enum Reaction {
    Like,
    Bookmark,
}

/// Like ("favorite") an article; liking twice is harmless.
#[utoipa::path(
    post,
    path = "/conduit/api/articles/{slug}/favorite",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(("slug" = String, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "The article, `favorited: true`", body = ArticleEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 404, description = "No such article", body = ConduitErrorBody),
    ),
)]
async fn favorite(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    react(&state, &caller, &slug, Reaction::Like, true).await
}

/// Take back a like.
#[utoipa::path(
    delete,
    path = "/conduit/api/articles/{slug}/favorite",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(("slug" = String, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "The article, `favorited: false`", body = ArticleEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 404, description = "No such article", body = ConduitErrorBody),
    ),
)]
async fn unfavorite(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    react(&state, &caller, &slug, Reaction::Like, false).await
}

/// Extension: bookmark an article for later.
#[utoipa::path(
    post,
    path = "/conduit/api/articles/{slug}/bookmark",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(("slug" = String, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "The article, `bookmarked: true`", body = ArticleEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 404, description = "No such article", body = ConduitErrorBody),
    ),
)]
async fn bookmark(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    react(&state, &caller, &slug, Reaction::Bookmark, true).await
}

/// Extension: remove a bookmark.
#[utoipa::path(
    delete,
    path = "/conduit/api/articles/{slug}/bookmark",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(("slug" = String, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "The article, `bookmarked: false`", body = ArticleEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 404, description = "No such article", body = ConduitErrorBody),
    ),
)]
async fn unbookmark(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<ArticleEnvelope>, ConduitError> {
    react(&state, &caller, &slug, Reaction::Bookmark, false).await
}

/// An article's comments, oldest first (replies included, in order).
#[utoipa::path(
    get,
    path = "/conduit/api/articles/{slug}/comments",
    tag = TAG,
    // Anonymous, or signed in for the personal fields (`favorited`, `following`).
    security((), ("token" = []), ("bearer" = []), ("session" = [])),
    params(("slug" = String, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "The comments", body = CommentList),
        (status = 404, description = "No such article", body = ConduitErrorBody),
    ),
)]
async fn comments(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(slug): Path<String>,
) -> Result<Json<CommentList>, ConduitError> {
    let viewer = caller.map(|c| c.user);
    let (row, _) = service::article(&state, viewer.as_ref(), &slug).await.map_err(ConduitError::about("article"))?;
    let rows = service::comment_rows(&state, &row.summary.id).await?;
    let authors: Vec<String> = rows.iter().filter_map(|c| c.author_id.clone()).collect();
    let followed = service::followed_among(&state, viewer.as_ref(), &authors).await?;
    let comments = rows
        .into_iter()
        .filter_map(|c| {
            let following = c.author_id.as_ref().is_some_and(|id| followed.contains(id));
            Comment::from_row(c, following)
        })
        .collect();
    Ok(Json(CommentList { comments }))
}

#[derive(Deserialize, ToSchema)]
struct NewComment {
    /// Markdown, 1 to 10,000 characters.
    #[serde(default)]
    body: String,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"comment": {"body": "Thank you so much!"}}))]
struct NewCommentEnvelope {
    comment: NewComment,
}

/// Comment on an article.
#[utoipa::path(
    post,
    path = "/conduit/api/articles/{slug}/comments",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(("slug" = String, Path, description = "The article's slug")),
    request_body = NewCommentEnvelope,
    responses(
        (status = 201, description = "Created", body = CommentEnvelope),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 404, description = "No such article", body = ConduitErrorBody),
        (status = 422, description = "The body is blank or too long", body = ConduitErrorBody),
        (status = 429, description = "Too many comments in a short time", body = ConduitErrorBody),
    ),
)]
async fn add_comment(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ConduitJson(envelope): ConduitJson<NewCommentEnvelope>,
) -> Result<(StatusCode, Json<CommentEnvelope>), ConduitError> {
    let about = ConduitError::about("article");
    let (row, _) = service::article(&state, Some(&caller.user), &slug).await.map_err(&about)?;
    if envelope.comment.body.trim().is_empty() {
        return Err(ConduitError::invalid("body", "can't be blank"));
    }
    let id = service::add_comment(&state, &caller.user, &row.summary.id, None, &envelope.comment.body)
        .await
        .map_err(&about)?;
    let stored = app::blog::ssr::repo::comment(state.db.pool(), &id).await.map_err(AppError::from)?;
    let comment = stored.and_then(|c| Comment::from_row(c, false)).ok_or(AppError::Internal)?;
    Ok((StatusCode::CREATED, Json(CommentEnvelope { comment })))
}

/// Delete one's own comment (within 5 hours of posting and while it has no replies).
#[utoipa::path(
    delete,
    path = "/conduit/api/articles/{slug}/comments/{id}",
    tag = TAG,
    security(("token" = []), ("bearer" = []), ("session" = [])),
    params(
        ("slug" = String, Path, description = "The article's slug"),
        ("id" = i64, Path, description = "The comment's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad credentials", body = ConduitErrorBody),
        (status = 403, description = "Not the comment's author", body = ConduitErrorBody),
        (status = 404, description = "No such article or comment", body = ConduitErrorBody),
        (status = 409, description = "Too late: it has replies, or is over 5 hours old", body = ConduitErrorBody),
    ),
)]
async fn delete_comment(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ConduitError> {
    let (row, _) = service::article(&state, Some(&caller.user), &slug).await.map_err(ConduitError::about("article"))?;
    let about = ConduitError::about("comment");
    let number = id.parse::<i64>().map_err(|_| ConduitError::new(StatusCode::NOT_FOUND, "comment", "not found"))?;
    let comment = service::comment_by_number(&state, &row.summary.id, number).await.map_err(&about)?;
    service::delete_comment(&state, &caller.user, &comment.id).await.map_err(&about)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every tag in use, most used first.
#[utoipa::path(
    get,
    path = "/conduit/api/tags",
    tag = TAG,
    responses((status = 200, description = "The tags", body = TagList)),
)]
async fn tags(State(state): State<AppState>) -> Result<Json<TagList>, ConduitError> {
    Ok(Json(TagList { tags: service::all_tags(&state).await? }))
}
