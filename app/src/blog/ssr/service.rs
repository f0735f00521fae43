//! The blog's rules. The pages' server functions and the RealWorld JSON API both call
//! these, so each rule has one implementation whichever door a request comes through.

use std::collections::HashMap;

use super::{
    files, mails, render,
    repo::{self, CommentRow, Counts, Filter, NewComment, Order, RevisionContent, SummaryRow},
    search, slug,
};
use crate::{
    accounts::{ssr::repo::UserRecord, validation::FieldErrors, Role},
    blog::{
        model::{
            AuthorPage, AuthorRef, CommentState, CommentThread, CommentView, EditorPost, PostLookup, PostPage,
            PostStatus, PostSummary, PostView, Profile, Reaction, SearchHit, SearchPage, Sort,
        },
        validation::{parse_publish_at, Body, CommentBody, Description, Tag, Tags, Title, SEARCH_MAX},
    },
    error::AppError,
    review::{
        rules::{Action, ReviewState},
        ssr::{repo as review_repo, service as review},
    },
    server::{
        clock::{now, now_ms},
        db::RecordId,
        rate_limit, AppState,
    },
    uploads::{
        ssr::{
            form::{no_file, MultipartForm},
            service as uploads_service,
        },
        Upload, UploadKind,
    },
};

pub const PAGE_SIZE: i64 = 20;
/// Comments can be changed by their author this long after posting (and only while
/// nobody has replied).
pub const EDIT_WINDOW_MS: i64 = 5 * 3600 * 1000;

fn viewer_id(viewer: Option<&UserRecord>) -> &str {
    viewer.map_or("", |user| user.id.as_str())
}

fn post_not_found() -> AppError {
    AppError::NotFound("There is no such post.".into())
}

fn may_edit(user: &UserRecord, author_id: &str) -> bool {
    user.id == author_id || user.role == Role::Admin
}

pub fn author_ref(username: String, display_name: Option<String>, avatar_url: Option<String>) -> AuthorRef {
    let display_name = display_name.unwrap_or_else(|| username.clone());
    AuthorRef { username, display_name, avatar_url }
}

fn split_tags(tags: &str) -> Vec<String> {
    tags.split_whitespace().map(str::to_string).collect()
}

pub fn summary(row: SummaryRow) -> PostSummary {
    PostSummary {
        status: PostStatus::parse(&row.status).unwrap_or(PostStatus::Draft),
        tags: split_tags(&row.tags),
        author: author_ref(row.username, row.display_name, row.avatar_url),
        id: row.id,
        slug: row.slug,
        title: row.title,
        excerpt: row.excerpt,
        published_at_ms: row.published_at_ms,
        scheduled_at_ms: row.scheduled_at_ms,
        updated_at_ms: row.updated_at_ms,
        reading_minutes: row.reading_minutes,
        like_count: row.like_count,
        comment_count: row.comment_count,
        view_count: row.view_count,
        liked: row.liked != 0,
        bookmarked: row.bookmarked_at_ms.is_some(),
        review_state: ReviewState::from_db(row.review_state.as_deref()),
        open_items: row.open_items,
    }
}

// ---- Lists ----------------------------------------------------------------------------

/// A position in a list: the sort key of the last post shown and its id.
fn cursor_error() -> AppError {
    let mut errors = FieldErrors::new();
    errors.add("after", "is not a valid page position; start again from the first page");
    AppError::invalid(errors)
}

fn parse_cursor(raw: &str) -> Result<(String, String), AppError> {
    let (key, id) = raw.split_once('_').ok_or_else(cursor_error)?;
    let id = RecordId::parse(id).ok_or_else(cursor_error)?;
    Ok((key.to_string(), id.as_str().to_string()))
}

fn int_cursor(raw: Option<&str>) -> Result<Option<(i64, String)>, AppError> {
    raw.filter(|r| !r.is_empty())
        .map(|raw| {
            let (key, id) = parse_cursor(raw)?;
            Ok((key.parse().map_err(|_| cursor_error())?, id))
        })
        .transpose()
}

fn hot_cursor(raw: Option<&str>) -> Result<Option<(f64, String)>, AppError> {
    raw.filter(|r| !r.is_empty())
        .map(|raw| {
            let (key, id) = parse_cursor(raw)?;
            let bits = u64::from_str_radix(&key, 16).map_err(|_| cursor_error())?;
            let score = f64::from_bits(bits);
            if !score.is_finite() {
                return Err(cursor_error());
            }
            Ok((score, id))
        })
        .transpose()
}

/// The order for a sort, continuing after `after`.
fn order_for(sort: Sort, after: Option<&str>, now_ms: i64) -> Result<Order, AppError> {
    Ok(match sort {
        Sort::Hot => Order::Hot(hot_cursor(after)?),
        Sort::New => Order::New(int_cursor(after)?),
        Sort::Top(period) => {
            Order::Top { since_ms: period.span_ms().map(|span| now_ms - span), after: int_cursor(after)? }
        }
    })
}

fn cursor_of(order: &Order, row: &SummaryRow) -> String {
    let key = match order {
        Order::Hot(_) => format!("{:016x}", row.hot_score.to_bits()),
        Order::New(_) => row.published_at_ms.unwrap_or_default().to_string(),
        Order::Top { .. } => row.like_count.to_string(),
        Order::Bookmarked(_) => row.bookmarked_at_ms.unwrap_or_default().to_string(),
    };
    format!("{key}_{}", row.id)
}

/// Fetches one more than a page to know whether another follows.
async fn page(
    state: &AppState,
    viewer: Option<&UserRecord>,
    filter: &Filter,
    order: Order,
) -> Result<PostPage, AppError> {
    let mut rows = repo::list(state.db.pool(), viewer_id(viewer), filter, &order, PAGE_SIZE + 1, 0).await?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|row| cursor_of(&order, row))
    } else {
        None
    };
    Ok(PostPage { posts: rows.into_iter().map(summary).collect(), next })
}

fn tag_filter(tag: Option<&str>) -> Result<Option<String>, AppError> {
    tag.filter(|t| !t.is_empty())
        .map(|raw| {
            Tag::parse(raw).map(|tag| tag.as_str().to_string()).map_err(|message| {
                let mut errors = FieldErrors::new();
                errors.add("tag", message);
                AppError::invalid(errors)
            })
        })
        .transpose()
}

/// `/blog` and `/blog/tag/{tag}`: published posts in the chosen order.
pub async fn list(
    state: &AppState,
    viewer: Option<&UserRecord>,
    sort: Sort,
    tag: Option<&str>,
    after: Option<&str>,
) -> Result<PostPage, AppError> {
    let filter = Filter { tag: tag_filter(tag)?, ..Filter::default() };
    page(state, viewer, &filter, order_for(sort, after, now_ms())?).await
}

/// Posts of the authors the user follows, newest first.
pub async fn following(state: &AppState, user: &UserRecord, after: Option<&str>) -> Result<PostPage, AppError> {
    let filter = Filter { followed_by: Some(user.id.clone()), ..Filter::default() };
    page(state, Some(user), &filter, Order::New(int_cursor(after)?)).await
}

/// The user's bookmarks, most recently saved first.
pub async fn bookmarks(state: &AppState, user: &UserRecord, after: Option<&str>) -> Result<PostPage, AppError> {
    page(state, Some(user), &Filter::default(), Order::Bookmarked(int_cursor(after)?)).await
}

/// The user's own posts in every state, most recently changed first.
pub async fn my_posts(state: &AppState, user: &UserRecord, after: Option<&str>) -> Result<PostPage, AppError> {
    let after = int_cursor(after)?;
    let mut rows = repo::by_author_all_states(state.db.pool(), &user.id, after, PAGE_SIZE + 1, 0).await?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|row| format!("{}_{}", row.updated_at_ms, row.id))
    } else {
        None
    };
    Ok(PostPage { posts: rows.into_iter().map(summary).collect(), next })
}

fn profile_of(row: repo::ProfileRow, viewer: Option<&UserRecord>) -> Profile {
    Profile {
        is_self: viewer.is_some_and(|v| v.id == row.id),
        author: author_ref(row.username, row.display_name, row.avatar_url),
        bio: row.bio,
        followers: row.followers,
        following_count: row.following_count,
        post_count: row.post_count,
        followed: row.followed != 0,
    }
}

/// A person's public profile.
pub async fn profile(state: &AppState, viewer: Option<&UserRecord>, username: &str) -> Result<Profile, AppError> {
    let row = find_profile(state, viewer, username).await?;
    Ok(profile_of(row, viewer))
}

async fn find_profile(
    state: &AppState,
    viewer: Option<&UserRecord>,
    username: &str,
) -> Result<repo::ProfileRow, AppError> {
    let not_found = || AppError::NotFound("There is no such author.".into());
    if username.is_empty() || username.chars().count() > 40 || username.chars().any(char::is_control) {
        return Err(not_found());
    }
    repo::profile(state.db.pool(), viewer_id(viewer), username).await?.ok_or_else(not_found)
}

/// `/u/{username}`: who they are and their published posts, newest first.
pub async fn author_page(
    state: &AppState,
    viewer: Option<&UserRecord>,
    username: &str,
    after: Option<&str>,
) -> Result<AuthorPage, AppError> {
    let row = find_profile(state, viewer, username).await?;
    let filter = Filter { author_id: Some(row.id.clone()), ..Filter::default() };
    let posts = page(state, viewer, &filter, Order::New(int_cursor(after)?)).await?;
    Ok(AuthorPage { profile: profile_of(row, viewer), posts })
}

/// Full-text search over published posts. Any input gives results or none, never an
/// error, except a query too long to be a query.
pub async fn search_posts(
    state: &AppState,
    viewer: Option<&UserRecord>,
    query: &str,
    offset: i64,
) -> Result<SearchPage, AppError> {
    // The limit counts what was sent, as the API description states it.
    let sent = query.chars().count();
    let query: String = query.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    if sent > SEARCH_MAX {
        let mut errors = FieldErrors::new();
        errors.add("q", format!("must be at most {SEARCH_MAX} characters"));
        return Err(AppError::invalid(errors));
    }
    let offset = offset.clamp(0, 10_000);
    let terms = search::terms(&query);
    let matches = search::search(state.db.pool(), state.db.engine(), &terms, PAGE_SIZE + 1, offset).await?;
    let more = matches.len() as i64 > PAGE_SIZE;
    let ids: Vec<String> = matches.iter().take(PAGE_SIZE as usize).map(|m| m.post_id.clone()).collect();
    let mut rows: HashMap<String, SummaryRow> = repo::summaries_by_ids(state.db.pool(), viewer_id(viewer), &ids)
        .await?
        .into_iter()
        .map(|row| (row.id.clone(), row))
        .collect();
    let hits = matches
        .into_iter()
        .take(PAGE_SIZE as usize)
        .filter_map(|m| {
            let post = rows.remove(&m.post_id).map(summary)?;
            Some(SearchHit { post, title: m.title, snippet: m.snippet })
        })
        .collect();
    Ok(SearchPage { query, hits, next: more.then_some(offset + PAGE_SIZE) })
}

// ---- Reading a post -------------------------------------------------------------------

/// Who is reading, for the view count: `None` when the request should not count
/// (a bot, a prefetch).
pub struct Visit {
    pub identity: String,
}

/// The post a slug names, as the viewer may see it; a former slug answers `Moved`.
/// Drafts and scheduled posts are visible only to their author and admins.
pub async fn post_by_slug(
    state: &AppState,
    viewer: Option<&UserRecord>,
    slug: &str,
    visit: Option<Visit>,
) -> Result<PostLookup, AppError> {
    if !slug::looks_valid(slug) {
        return Err(post_not_found());
    }
    let row = repo::detail_by_slug(state.db.pool(), viewer_id(viewer), slug).await?.ok_or_else(post_not_found)?;
    let current = row.summary.slug.clone();
    let post = into_view(state, viewer, row).await?;
    if current != slug {
        return Ok(PostLookup::Moved(current));
    }
    note_view(state, visit, &post.id, post.status, post.author.is_self);
    Ok(PostLookup::Found(Box::new(post)))
}

/// Counts a reader's view of a published post; its author's own visits never count.
pub fn note_view(state: &AppState, visit: Option<Visit>, post_id: &str, status: PostStatus, by_author: bool) {
    if let (Some(visit), PostStatus::Published, false) = (visit, status, by_author) {
        state.blog.views.record(post_id, &visit.identity, now_ms());
    }
}

/// What the viewer sees of a loaded post (not found when they may not see it), with its
/// neighbours from the same author.
async fn into_view(state: &AppState, viewer: Option<&UserRecord>, row: repo::DetailRow) -> Result<PostView, AppError> {
    let s = row.summary;
    let status = PostStatus::parse(&s.status).unwrap_or(PostStatus::Draft);
    let can_edit = viewer.is_some_and(|v| may_edit(v, &s.author_id));
    if status != PostStatus::Published && !can_edit {
        return Err(post_not_found());
    }
    let (previous, next) = match (status, s.published_at_ms) {
        (PostStatus::Published, Some(at)) => repo::neighbours(state.db.pool(), &s.author_id, at, &s.id).await?,
        _ => (None, None),
    };
    let thread = match status {
        PostStatus::Published => thread(repo::comments(state.db.pool(), &s.id).await?, viewer, can_edit, now_ms()),
        _ => CommentThread { signed_in: viewer.is_some(), ..CommentThread::default() },
    };
    let uploads = files::uploads_of(state.db.pool(), &row.revision_id).await?;
    Ok(PostView {
        cover_html: files::cover_html(uploads.cover.as_ref(), &s.title),
        attachments_html: files::attachments_html(&uploads.attachments),
        card_path: uploads.card_path(),
        status,
        tags: split_tags(&s.tags),
        author: Profile {
            is_self: viewer.is_some_and(|v| v.id == s.author_id),
            author: author_ref(s.username, s.display_name, s.avatar_url),
            bio: s.bio,
            followers: row.followers,
            following_count: row.following_count,
            post_count: row.post_count,
            followed: s.author_followed != 0,
        },
        id: s.id,
        slug: s.slug,
        title: s.title,
        description: s.description,
        excerpt: s.excerpt,
        body_html: row.body_html,
        published_at_ms: s.published_at_ms,
        scheduled_at_ms: s.scheduled_at_ms,
        updated_at_ms: s.updated_at_ms,
        word_count: row.word_count,
        reading_minutes: s.reading_minutes,
        like_count: s.like_count,
        bookmark_count: row.bookmark_count,
        comment_count: s.comment_count,
        view_count: s.view_count,
        liked: s.liked != 0,
        bookmarked: s.bookmarked_at_ms.is_some(),
        can_edit,
        can_moderate: can_edit,
        signed_in: viewer.is_some(),
        previous,
        next,
        thread,
    })
}

/// The Markdown source of a post the user may edit (the editor, the RealWorld API).
pub async fn source(state: &AppState, user: &UserRecord, slug: &str) -> Result<repo::PostState, AppError> {
    if !slug::looks_valid(slug) {
        return Err(post_not_found());
    }
    let post = repo::state_by_slug(state.db.pool(), slug).await?.ok_or_else(post_not_found)?;
    if !may_edit(user, &post.author_id) {
        return Err(if post.status == PostStatus::Published.as_str() {
            AppError::Forbidden("Only the author or an administrator may edit this post.".into())
        } else {
            post_not_found()
        });
    }
    Ok(post)
}

/// What the editor loads for a post.
pub async fn editor_post(state: &AppState, user: &UserRecord, slug: &str) -> Result<EditorPost, AppError> {
    let post = source(state, user, slug).await?;
    let settings = review::settings(state).await?;
    let review_state = ReviewState::from_db(post.review_state.as_deref());
    let corrections = match review_state {
        ReviewState::ChangesRequested | ReviewState::Idle => review::corrections(state, &post.id).await?,
        _ => Vec::new(),
    };
    let uploads = files::uploads_of(state.db.pool(), &post.current_revision_id).await?;
    Ok(EditorPost {
        cover: uploads.cover,
        attachments: uploads.attachments,
        status: PostStatus::parse(&post.status),
        needs_review: post.author_id == user.id && settings.needs_review(user.role),
        is_author: post.author_id == user.id,
        id: post.id,
        slug: post.slug,
        title: post.title,
        description: post.description,
        tags: post.tags.replace(' ', ", "),
        body: post.body_markdown,
        scheduled_at_ms: post.scheduled_at_ms,
        published_at_ms: post.published_at_ms,
        review_state,
        corrections,
    })
}

/// What the editor starts from for a new post.
pub async fn new_post(state: &AppState, user: &UserRecord) -> Result<EditorPost, AppError> {
    let settings = review::settings(state).await?;
    Ok(EditorPost { needs_review: settings.needs_review(user.role), is_author: true, ..EditorPost::default() })
}

// ---- Writing ----------------------------------------------------------------------------

/// What the writer asks for when saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Keep the post's state: a draft stays a draft, a published post is updated live,
    /// a scheduled post keeps its time.
    Save,
    /// Publish now.
    Publish,
    /// Publish at `publish_at`.
    Schedule,
    /// Save and submit for review (see `review`).
    Submit,
}

impl Intent {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "save" | "draft" => Some(Self::Save),
            "publish" => Some(Self::Publish),
            "schedule" => Some(Self::Schedule),
            "submit" => Some(Self::Submit),
            _ => None,
        }
    }
}

/// The editable fields of a post as typed.
#[derive(Debug, Clone, Default)]
pub struct PostInput {
    pub title: String,
    pub description: String,
    /// Separated by commas or spaces.
    pub tags: String,
    pub body: String,
    /// The cover and attachments (the images come from the text).
    pub files: files::FilesInput,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: String,
    pub slug: String,
    pub status: PostStatus,
}

struct Checked {
    title: Title,
    description: Description,
    tags: Tags,
    body: Body,
    publish_at: Option<i64>,
}

fn check_input(input: &PostInput, intent: Intent, publish_at_raw: &str, now_ms: i64) -> Result<Checked, AppError> {
    let mut errors = FieldErrors::new();
    let title = errors.check("title", Title::parse(&input.title));
    let description = errors.check("description", Description::parse(&input.description));
    let tags = errors.check("tags", Tags::parse(&input.tags));
    let body = errors.check("body", Body::parse(&input.body));
    if let (Some(body), Intent::Publish | Intent::Schedule | Intent::Submit) = (&body, intent) {
        errors.check("body", body.require_text());
    }
    let publish_at = match intent {
        Intent::Schedule => errors.check("publish_at", parse_publish_at(publish_at_raw, now_ms)),
        _ => None,
    };
    match (title, description, tags, body) {
        (Some(title), Some(description), Some(tags), Some(body)) if errors.is_empty() => {
            Ok(Checked { title, description, tags, body, publish_at })
        }
        _ => Err(keep_typed(AppError::invalid(errors), input, publish_at_raw)),
    }
}

/// A refused save carries what was typed, so a form posted without JavaScript shows it
/// again.
fn keep_typed(error: AppError, input: &PostInput, publish_at_raw: &str) -> AppError {
    error.with_values([
        ("title", input.title.as_str()),
        ("description", input.description.as_str()),
        ("tags", input.tags.as_str()),
        ("body", input.body.as_str()),
        ("publish_at", publish_at_raw),
        ("cover", input.files.cover.as_deref().unwrap_or_default()),
        ("attachments", input.files.attachments.as_deref().unwrap_or_default()),
    ])
}

/// Creates (`post_id` None) or updates a post and applies the intent, as one
/// transaction. Markdown is rendered off the async workers.
pub async fn save(
    state: &AppState,
    user: &UserRecord,
    post_id: Option<&str>,
    input: PostInput,
    intent: Intent,
    publish_at: &str,
) -> Result<Saved, AppError> {
    let now = now_ms();
    let checked = check_input(&input, intent, publish_at, now)?;
    let review = review::settings(state).await?;
    let existing = match post_id.filter(|id| !id.is_empty()) {
        Some(id) => {
            let id = RecordId::parse(id).ok_or_else(post_not_found)?;
            let post = repo::state(state.db.pool(), id.as_str()).await?.ok_or_else(post_not_found)?;
            if !may_edit(user, &post.author_id) {
                return Err(AppError::Forbidden("Only the author or an administrator may edit this post.".into()));
            }
            Some(post)
        }
        None => {
            rate_limit::hit(state.db.pool(), &format!("posts:{}", user.id), state.blog.settings.post_limit, now / 1000)
                .await?;
            None
        }
    };
    // The review rules first: nothing is written when the intent is refused.
    let actor = review::actor(&review, user, existing.as_ref().map_or(user.id.as_str(), |post| &post.author_id));
    let review_state = ReviewState::from_db(existing.as_ref().and_then(|post| post.review_state.as_deref()));
    review::check(review_state, Action::Edit, actor)?;
    let may_publish = review::check(review_state, Action::Publish, actor).is_ok();
    if matches!(intent, Intent::Publish | Intent::Schedule) {
        review::check(review_state, Action::Publish, actor)?;
    }
    // Every save moves the modification time forward, even within one millisecond.
    let now = existing.as_ref().map_or(now, |post| now.max(post.updated_at_ms + 1));
    let markdown = checked.body.as_str().to_string();
    let rendered = state.blog.cpu(move || render::render_post(&markdown)).await?;
    let excerpt = if checked.description.as_str().is_empty() {
        rendered.excerpt.clone()
    } else {
        checked.description.as_str().to_string()
    };
    let tags = checked.tags.joined();
    let mut tx = state.db.begin().await?;
    let current_files = match &existing {
        Some(post) => files::of_revision(&mut *tx, &post.current_revision_id).await?,
        None => files::RevisionFiles::default(),
    };
    let author_id = existing.as_ref().map_or(user.id.as_str(), |post| post.author_id.as_str());
    let chosen = files::choose(&mut tx, [author_id, &user.id], &current_files, &input.files, checked.body.as_str())
        .await
        .map_err(|error| keep_typed(error, &input, publish_at))?;
    let mut unused_files = Vec::new();
    let content = RevisionContent {
        title: checked.title.as_str(),
        description: checked.description.as_str(),
        excerpt: &excerpt,
        body_markdown: checked.body.as_str(),
        body_html: &rendered.html,
        body_text: &rendered.text,
        tags: &tags,
        word_count: rendered.word_count,
        reading_minutes: rendered.reading_minutes,
        files: &chosen,
    };
    let ranking = state.blog.settings.ranking;
    let (id, revision_id, current_slug, ever_published, status) = match &existing {
        None => {
            let id: String = RecordId::new_ordered().into();
            let revision_id: String = RecordId::new_ordered().into();
            repo::insert_post(&mut tx, &id, &revision_id, &user.id, &content, now).await?;
            repo::record_event(&mut tx, &id, "created", Some(&user.id), now).await?;
            (id.clone(), revision_id, id, false, PostStatus::Draft)
        }
        Some(post) => {
            // A revision readers have seen or reviewers were sent is never rewritten:
            // changes go to a new one.
            let revision_id = if post.published_revision_id.as_deref() == Some(post.current_revision_id.as_str())
                || post.frozen_at_ms.is_some()
            {
                let revision_id: String = RecordId::new_ordered().into();
                repo::insert_revision(&mut tx, &revision_id, &post.id, &user.id, &content, now).await?;
                revision_id
            } else {
                if !repo::update_revision(&mut tx, &post.current_revision_id, &user.id, &content, now).await? {
                    return Err(AppError::Conflict(
                        "This post was submitted or scheduled meanwhile; reload the editor and try again.".into(),
                    ));
                }
                // Files this draft no longer uses go, unless another revision keeps them.
                let kept = chosen.ids();
                let dropped: Vec<String> = current_files.ids().into_iter().filter(|id| !kept.contains(id)).collect();
                unused_files = files::delete_unused(&mut tx, &dropped).await?;
                post.current_revision_id.clone()
            };
            let status = PostStatus::parse(&post.status).unwrap_or(PostStatus::Draft);
            (post.id.clone(), revision_id, post.slug.clone(), post.published_at_ms.is_some(), status)
        }
    };
    // A post readers know keeps its address until its new title is published: an edit
    // waiting for review must not rename it.
    let slug = if ever_published && !may_publish {
        current_slug
    } else {
        repo::assign_slug(&mut tx, &id, &current_slug, ever_published, checked.title.as_str(), now).await?
    };
    let status = match (intent, status) {
        // A live post is updated in place only by someone who may publish directly;
        // anyone else's edit waits as the working revision for review.
        (Intent::Publish, _) | (Intent::Save, PostStatus::Published) if may_publish => {
            repo::publish(&mut tx, &id, &revision_id, now, now, &ranking).await?;
            let kind = if status == PostStatus::Published { "updated" } else { "published" };
            repo::record_event(&mut tx, &id, kind, Some(&user.id), now).await?;
            PostStatus::Published
        }
        (Intent::Schedule, _) => {
            let at = checked.publish_at.unwrap_or(now);
            if status == PostStatus::Published {
                repo::unpublish(&mut tx, &id, now).await?;
            }
            repo::schedule(&mut tx, &id, at, &revision_id, now).await?;
            review_repo::freeze(&mut tx, &revision_id, now).await?;
            repo::record_event(&mut tx, &id, "scheduled", Some(&user.id), now).await?;
            PostStatus::Scheduled
        }
        // Someone who may publish directly updates what a scheduled post will publish;
        // anyone else's edit waits for review.
        (Intent::Save, PostStatus::Scheduled) if may_publish => {
            let at = existing.as_ref().and_then(|post| post.scheduled_at_ms).unwrap_or(now);
            repo::schedule(&mut tx, &id, at, &revision_id, now).await?;
            review_repo::freeze(&mut tx, &revision_id, now).await?;
            PostStatus::Scheduled
        }
        (Intent::Submit, _) => {
            let saved = repo::state(&mut *tx, &id).await?.ok_or_else(post_not_found)?;
            review::submit_in(&mut tx, state, &review, user, &saved, "", now).await?;
            status
        }
        (_, other) => other,
    };
    tx.commit().await?;
    uploads_service::remove_files(state, &unused_files).await;
    if intent == Intent::Submit {
        state.mail_wake.notify_one();
    }
    tracing::info!(post_id = %id, status = status.as_str(), "post saved");
    Ok(Saved { id, slug, status })
}

/// What the editor's file form did.
#[derive(Debug)]
pub enum FilesOutcome {
    /// The hydrated editor sent one file: here it is, the post untouched.
    Uploaded(Upload),
    /// The whole editor form came (no JavaScript): saved as a draft with the change.
    Saved(Saved),
}

/// The editor's file buttons. Hydrated, the editor sends only the file and keeps the
/// rest itself; without JavaScript the button posts the whole form, which is saved with
/// the change so nothing typed is lost.
pub async fn post_files(
    state: &AppState,
    user: &UserRecord,
    mut form: MultipartForm,
) -> Result<FilesOutcome, AppError> {
    let Some(action) = files::FileAction::parse(&form.field("file_action")) else {
        let mut errors = FieldErrors::new();
        errors.add("file_action", "must be cover, attachment, image, remove_cover or remove_attachment:<id>");
        return Err(AppError::invalid(errors));
    };
    let whole_form = form.fields.contains_key("title");
    let mut input = PostInput {
        title: form.field("title"),
        description: form.field("description"),
        tags: form.field("tags"),
        body: form.field("body"),
        files: files::FilesInput { cover: Some(form.field("cover")), attachments: Some(form.field("attachments")) },
    };
    let publish_at = form.field("publish_at");
    match action {
        files::FileAction::Upload(kind) => {
            let Some(sent) = form.take_file(&format!("{}_file", kind.as_str())) else {
                return Err(keep_typed(no_file(), &input, &publish_at));
            };
            let upload = uploads_service::upload(state, user, kind, &sent.name, sent.bytes)
                .await
                .map_err(|error| keep_typed(error, &input, &publish_at))?;
            match kind {
                _ if !whole_form => return Ok(FilesOutcome::Uploaded(upload)),
                UploadKind::Cover => input.files.cover = Some(upload.id),
                UploadKind::Image => input.body = format!("{}\n\n{}\n", input.body.trim_end(), upload.markdown()),
                _ => {
                    let list = input.files.attachments.get_or_insert_default();
                    *list = if list.trim().is_empty() { upload.id } else { format!("{list},{}", upload.id) };
                }
            }
        }
        _ if !whole_form => {
            let mut errors = FieldErrors::new();
            errors.add("file_action", "removes a file only with the whole editor form");
            return Err(AppError::invalid(errors));
        }
        files::FileAction::RemoveCover => input.files.cover = Some(String::new()),
        files::FileAction::RemoveAttachment(id) => {
            let attachments = &mut input.files.attachments;
            let kept: Vec<&str> =
                attachments.as_deref().unwrap_or_default().split(',').filter(|a| a.trim() != id).collect();
            *attachments = Some(kept.join(","));
        }
    }
    let id = form.field("id");
    save(state, user, Some(id.as_str()), input, Intent::Save, &publish_at).await.map(FilesOutcome::Saved)
}

async fn editable(state: &AppState, user: &UserRecord, post_id: &str) -> Result<repo::PostState, AppError> {
    let id = RecordId::parse(post_id).ok_or_else(post_not_found)?;
    let post = repo::state(state.db.pool(), id.as_str()).await?.ok_or_else(post_not_found)?;
    if !may_edit(user, &post.author_id) {
        return Err(if post.status == PostStatus::Published.as_str() {
            AppError::Forbidden("Only the author or an administrator may change this post.".into())
        } else {
            post_not_found()
        });
    }
    Ok(post)
}

/// Takes a published or scheduled post back to draft.
pub async fn unpublish(state: &AppState, user: &UserRecord, post_id: &str) -> Result<Saved, AppError> {
    let post = editable(state, user, post_id).await?;
    if post.status == PostStatus::Draft.as_str() {
        return Err(AppError::Conflict("This post is already a draft.".into()));
    }
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    repo::unpublish(&mut tx, &post.id, now).await?;
    repo::record_event(&mut tx, &post.id, "unpublished", Some(&user.id), now).await?;
    tx.commit().await?;
    Ok(Saved { id: post.id, slug: post.slug, status: PostStatus::Draft })
}

/// Deletes a post with its comments, likes and history.
pub async fn delete(state: &AppState, user: &UserRecord, post_id: &str) -> Result<(), AppError> {
    let post = editable(state, user, post_id).await?;
    let mut tx = state.db.begin().await?;
    let used = files::used_by_post(&mut tx, &post.id).await?;
    repo::delete_post(&mut tx, &post.id).await?;
    let unused = files::delete_unused(&mut tx, &used).await?;
    tx.commit().await?;
    uploads_service::remove_files(state, &unused).await;
    tracing::info!(post_id = %post.id, by = %user.id, "post deleted");
    Ok(())
}

/// Sanitised HTML for the editor's preview (logged-in writers only).
pub async fn preview(state: &AppState, body: &str) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    let Some(body) = errors.check("body", Body::parse(body)) else {
        return Err(AppError::invalid(errors));
    };
    let markdown = body.as_str().to_string();
    state.blog.cpu(move || render::render_post(&markdown).html).await
}

// ---- Likes, bookmarks, follows --------------------------------------------------------

/// A published post by id, or not found (drafts cannot be liked or bookmarked).
async fn published(state: &AppState, post_id: &str) -> Result<repo::PostState, AppError> {
    let id = RecordId::parse(post_id).ok_or_else(post_not_found)?;
    repo::state(state.db.pool(), id.as_str())
        .await?
        .filter(|post| post.status == PostStatus::Published.as_str())
        .ok_or_else(post_not_found)
}

/// Likes or unlikes (idempotent); the count moves only when the like row does, in the
/// same transaction, so it never drifts under concurrent clicks.
pub async fn set_like(state: &AppState, user: &UserRecord, post_id: &str, liked: bool) -> Result<Reaction, AppError> {
    let post = published(state, post_id).await?;
    let mut tx = state.db.begin().await?;
    let changed = repo::set_like(&mut tx, &post.id, &user.id, liked, now_ms()).await?;
    let delta = if changed {
        if liked {
            1
        } else {
            -1
        }
    } else {
        0
    };
    let counts = repo::bump_counts(
        &mut tx,
        &post.id,
        Counts { likes: delta, ..Counts::default() },
        &state.blog.settings.ranking,
    )
    .await?
    .ok_or_else(post_not_found)?;
    tx.commit().await?;
    Ok(Reaction { active: liked, count: counts.like_count })
}

pub async fn set_bookmark(state: &AppState, user: &UserRecord, post_id: &str, on: bool) -> Result<Reaction, AppError> {
    let post = published(state, post_id).await?;
    let mut tx = state.db.begin().await?;
    let changed = repo::set_bookmark(&mut tx, &post.id, &user.id, on, now_ms()).await?;
    let delta = if changed {
        if on {
            1
        } else {
            -1
        }
    } else {
        0
    };
    let counts = repo::bump_counts(
        &mut tx,
        &post.id,
        Counts { bookmarks: delta, ..Counts::default() },
        &state.blog.settings.ranking,
    )
    .await?
    .ok_or_else(post_not_found)?;
    tx.commit().await?;
    Ok(Reaction { active: on, count: counts.bookmark_count })
}

/// Follows or unfollows an author (idempotent); nobody follows themself.
pub async fn set_follow(state: &AppState, user: &UserRecord, username: &str, on: bool) -> Result<Profile, AppError> {
    let target = find_profile(state, Some(user), username).await?;
    if target.id == user.id {
        return Err(AppError::Conflict("You cannot follow yourself.".into()));
    }
    repo::set_follow(state.db.pool(), &user.id, &target.id, on, now_ms()).await?;
    profile(state, Some(user), &target.username).await
}

// ---- Comments -------------------------------------------------------------------------

/// A post's comments as the viewer may see them, oldest first, replies under their
/// parent. Deleted comments and hidden ones (for readers other than their author and
/// moderators) appear as stubs only when they have visible replies.
pub async fn comments(state: &AppState, viewer: Option<&UserRecord>, post_id: &str) -> Result<CommentThread, AppError> {
    let id = RecordId::parse(post_id).ok_or_else(post_not_found)?;
    let post = repo::state(state.db.pool(), id.as_str()).await?.ok_or_else(post_not_found)?;
    let moderator = viewer.is_some_and(|v| may_edit(v, &post.author_id));
    if post.status != PostStatus::Published.as_str() && !moderator {
        return Err(post_not_found());
    }
    let rows = repo::comments(state.db.pool(), &post.id).await?;
    Ok(thread(rows, viewer, moderator, now_ms()))
}

pub fn thread(rows: Vec<CommentRow>, viewer: Option<&UserRecord>, moderator: bool, now_ms: i64) -> CommentThread {
    let viewer_id = viewer.map(|v| v.id.as_str());
    let mut top: Vec<CommentView> = Vec::new();
    let mut replies: HashMap<String, Vec<CommentView>> = HashMap::new();
    let mut count = 0;
    for row in rows {
        let own = viewer_id.is_some() && row.author_id.as_deref() == viewer_id;
        let state = if row.deleted_at_ms.is_some() {
            CommentState::Deleted
        } else if row.hidden_at_ms.is_some() {
            CommentState::Hidden
        } else {
            count += 1;
            CommentState::Visible
        };
        let readable = state == CommentState::Visible || (state == CommentState::Hidden && (own || moderator));
        let can_edit = own
            && state == CommentState::Visible
            && row.reply_count == 0
            && row.created_at_ms >= now_ms - EDIT_WINDOW_MS;
        let view = CommentView {
            author: match (state, row.username) {
                (CommentState::Deleted, _) | (_, None) => None,
                (_, Some(username)) => Some(author_ref(username, row.display_name, row.avatar_url)),
            },
            body_html: readable.then_some(row.body_html),
            body_markdown: can_edit.then_some(row.body_markdown),
            id: row.id,
            parent_id: row.parent_id.clone(),
            state,
            created_at_ms: row.created_at_ms,
            edited_at_ms: row.edited_at_ms,
            can_edit,
            can_hide: moderator && state != CommentState::Deleted,
            replies: Vec::new(),
        };
        match row.parent_id {
            Some(parent) => replies.entry(parent).or_default().push(view),
            None => top.push(view),
        }
    }
    let shown = |c: &CommentView| c.state == CommentState::Visible || c.body_html.is_some();
    let comments = top
        .into_iter()
        .filter_map(|mut comment| {
            comment.replies = replies.remove(&comment.id).unwrap_or_default().into_iter().filter(shown).collect();
            (shown(&comment) || !comment.replies.is_empty()).then_some(comment)
        })
        .collect();
    CommentThread { comments, count, signed_in: viewer.is_some() }
}

fn comment_not_found() -> AppError {
    AppError::NotFound("There is no such comment.".into())
}

/// Adds a comment or a reply (a reply to a reply joins its thread). The post's author is
/// emailed unless they turned that off or wrote the comment.
pub async fn add_comment(
    state: &AppState,
    user: &UserRecord,
    post_id: &str,
    parent_id: Option<&str>,
    body: &str,
) -> Result<String, AppError> {
    let post = published(state, post_id).await?;
    let mut errors = FieldErrors::new();
    let Some(body) = errors.check("body", CommentBody::parse(body)) else {
        return Err(AppError::invalid(errors).with_values([("body", body)]));
    };
    rate_limit::hit(state.db.pool(), &format!("comments:{}", user.id), state.blog.settings.comment_limit, now())
        .await?;
    let parent = match parent_id.filter(|id| !id.is_empty()) {
        None => None,
        Some(raw) => {
            let id = RecordId::parse(raw).ok_or_else(comment_not_found)?;
            let parent = repo::comment(state.db.pool(), id.as_str())
                .await?
                .filter(|c| c.post_id == post.id)
                .ok_or_else(comment_not_found)?;
            // One level of replies: answering a reply answers its thread.
            Some(parent.parent_id.unwrap_or(parent.id))
        }
    };
    let markdown = body.as_str().to_string();
    let html = state.blog.cpu(move || render::render_comment(&markdown)).await?;
    let id: String = RecordId::new_ordered().into();
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let inserted = repo::insert_comment(
        &mut tx,
        &NewComment {
            id: &id,
            post_id: &post.id,
            parent_id: parent.as_deref(),
            author_id: &user.id,
            body_markdown: body.as_str(),
            body_html: &html,
            now_ms: now,
        },
    )
    .await?;
    if !inserted {
        return Err(AppError::Conflict("The comment you replied to was deleted or hidden meanwhile.".into()));
    }
    repo::bump_counts(&mut tx, &post.id, Counts { comments: 1, ..Counts::default() }, &state.blog.settings.ranking)
        .await?;
    let mut mailed = false;
    if post.author_id != user.id {
        if let Some((email, greeting, wants)) = repo::comment_mail_target(&mut *tx, &post.author_id).await? {
            if wants != 0 {
                let commenter = user.name.as_deref().unwrap_or(&user.username);
                let text = render::strip_tags(&html);
                let mail = mails::NewComment {
                    to: &email,
                    greeting: &greeting,
                    commenter,
                    post_title: &post.title,
                    post_slug: &post.slug,
                    comment_id: &id,
                    comment_text: &text,
                };
                mails::new_comment(&mut *tx, &state.accounts.public_url, &mail, now / 1000).await?;
                mailed = true;
            }
        }
    }
    tx.commit().await?;
    if mailed {
        state.mail_wake.notify_one();
    }
    Ok(id)
}

async fn own_comment(state: &AppState, user: &UserRecord, comment_id: &str) -> Result<CommentRow, AppError> {
    let id = RecordId::parse(comment_id).ok_or_else(comment_not_found)?;
    let comment = repo::comment(state.db.pool(), id.as_str())
        .await?
        .filter(|c| c.deleted_at_ms.is_none())
        .ok_or_else(comment_not_found)?;
    if comment.author_id.as_deref() != Some(user.id.as_str()) {
        return Err(AppError::Forbidden("Only its author may change a comment.".into()));
    }
    Ok(comment)
}

/// Why an author's change to their comment was refused.
fn frozen(comment: &CommentRow, now_ms: i64) -> AppError {
    if comment.reply_count > 0 {
        AppError::Conflict("This comment has replies now, so it can no longer be changed.".into())
    } else if comment.created_at_ms < now_ms - EDIT_WINDOW_MS {
        AppError::Conflict("Comments can be changed only within 5 hours of posting.".into())
    } else if comment.hidden_at_ms.is_some() {
        AppError::Conflict("This comment was hidden by a moderator and can no longer be changed.".into())
    } else {
        AppError::Conflict("This comment can no longer be changed.".into())
    }
}

pub async fn edit_comment(state: &AppState, user: &UserRecord, comment_id: &str, body: &str) -> Result<(), AppError> {
    let comment = own_comment(state, user, comment_id).await?;
    let mut errors = FieldErrors::new();
    let Some(body) = errors.check("body", CommentBody::parse(body)) else {
        return Err(AppError::invalid(errors).with_values([("body", body)]));
    };
    let markdown = body.as_str().to_string();
    let html = state.blog.cpu(move || render::render_comment(&markdown)).await?;
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    if !repo::edit_comment(&mut tx, &comment.id, &user.id, body.as_str(), &html, now - EDIT_WINDOW_MS, now).await? {
        let fresh = repo::comment(&mut *tx, &comment.id).await?.unwrap_or(comment);
        return Err(frozen(&fresh, now));
    }
    tx.commit().await?;
    Ok(())
}

/// The author deletes their comment (within the window, while it has no replies).
pub async fn delete_comment(state: &AppState, user: &UserRecord, comment_id: &str) -> Result<(), AppError> {
    let comment = own_comment(state, user, comment_id).await?;
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    if !repo::delete_comment(&mut tx, &comment, &user.id, now - EDIT_WINDOW_MS, now).await? {
        let fresh = repo::comment(&mut *tx, &comment.id).await?.unwrap_or(comment);
        return Err(frozen(&fresh, now));
    }
    if comment.hidden_at_ms.is_none() {
        let delta = Counts { comments: -1, ..Counts::default() };
        repo::bump_counts(&mut tx, &comment.post_id, delta, &state.blog.settings.ranking).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The post's author or an admin hides (or shows again) a comment.
pub async fn set_comment_hidden(
    state: &AppState,
    user: &UserRecord,
    comment_id: &str,
    hidden: bool,
) -> Result<(), AppError> {
    let id = RecordId::parse(comment_id).ok_or_else(comment_not_found)?;
    let comment = repo::comment(state.db.pool(), id.as_str()).await?.ok_or_else(comment_not_found)?;
    let post = repo::state(state.db.pool(), &comment.post_id).await?.ok_or_else(comment_not_found)?;
    if !may_edit(user, &post.author_id) {
        return Err(AppError::Forbidden("Only the post's author or an administrator may hide comments.".into()));
    }
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    if repo::set_comment_hidden(&mut tx, &comment.id, hidden, &user.id, now).await? {
        let delta = Counts { comments: if hidden { -1 } else { 1 }, ..Counts::default() };
        repo::bump_counts(&mut tx, &post.id, delta, &state.blog.settings.ranking).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = RecordId::new();
        let raw = format!("{:016x}_{}", 20_123.456_f64.to_bits(), id.as_str());
        assert_eq!(hot_cursor(Some(&raw)).unwrap(), Some((20_123.456, id.as_str().to_string())));
        assert_eq!(int_cursor(Some(&format!("17_{}", id.as_str()))).unwrap(), Some((17, id.as_str().to_string())));
        assert_eq!(int_cursor(None).unwrap(), None);
        for bad in ["", "x", "1_2", "abc_def", "1_'; DROP TABLE posts; --", &format!("nan_{}", id.as_str())] {
            if bad.is_empty() {
                continue;
            }
            assert!(int_cursor(Some(bad)).is_err(), "{bad}");
            assert!(hot_cursor(Some(bad)).is_err(), "{bad}");
        }
        assert!(hot_cursor(Some(&format!("{:016x}_{}", f64::NAN.to_bits(), id.as_str()))).is_err());
    }

    #[test]
    fn intents_read_the_editor_buttons() {
        assert_eq!(Intent::parse("draft"), Some(Intent::Save));
        assert_eq!(Intent::parse("publish"), Some(Intent::Publish));
        assert_eq!(Intent::parse("schedule"), Some(Intent::Schedule));
        assert_eq!(Intent::parse("nuke"), None);
    }
}

// ---- The RealWorld API's article lists ----------------------------------------------------

/// A list as the RealWorld API asks for it: filters that may combine, paged by offset.
#[derive(Debug, Clone, Default)]
pub struct ArticleQuery {
    pub tag: Option<String>,
    /// Username of the author.
    pub author: Option<String>,
    /// Username of someone who liked ("favorited") the post.
    pub favorited: Option<String>,
    /// Only posts by authors this user follows (the feed).
    pub feed_of: Option<String>,
    /// Only posts this user bookmarked.
    pub bookmarked_by: Option<String>,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
}

/// One page of published posts and how many match in all. A filter naming an unknown
/// author or a malformed tag simply matches nothing.
pub async fn articles(
    state: &AppState,
    viewer: Option<&UserRecord>,
    query: &ArticleQuery,
) -> Result<(Vec<SummaryRow>, i64), AppError> {
    let mut filter = Filter {
        liked_by: query.favorited.as_ref().map(|u| u.to_lowercase()),
        followed_by: query.feed_of.clone(),
        ..Filter::default()
    };
    if let Some(tag) = &query.tag {
        match Tag::parse(tag) {
            Ok(tag) => filter.tag = Some(tag.as_str().to_string()),
            Err(_) => return Ok((Vec::new(), 0)),
        }
    }
    if let Some(author) = &query.author {
        let found =
            if author.chars().count() > 40 { None } else { repo::user_id_by_username(state.db.pool(), author).await? };
        match found {
            Some(id) => filter.author_id = Some(id),
            None => return Ok((Vec::new(), 0)),
        }
    }
    let order = match (query.bookmarked_by.is_some(), query.sort) {
        (true, _) => Order::Bookmarked(None),
        (false, sort) => order_for(sort, None, now_ms())?,
    };
    let viewer = query.bookmarked_by.as_deref().unwrap_or(viewer_id(viewer));
    let rows = repo::list(state.db.pool(), viewer, &filter, &order, query.limit, query.offset).await?;
    let count = repo::count(state.db.pool(), viewer, &filter, &order).await?;
    Ok((rows, count))
}

/// A post's full row by slug for the API (the same visibility as the post page).
pub async fn article(
    state: &AppState,
    viewer: Option<&UserRecord>,
    slug: &str,
) -> Result<(repo::DetailRow, Option<String>), AppError> {
    if !slug::looks_valid(slug) {
        return Err(post_not_found());
    }
    let row = repo::detail_by_slug(state.db.pool(), viewer_id(viewer), slug).await?.ok_or_else(post_not_found)?;
    let editable = viewer.is_some_and(|v| may_edit(v, &row.summary.author_id));
    if row.summary.status != PostStatus::Published.as_str() && !editable {
        return Err(post_not_found());
    }
    let moved = (row.summary.slug != slug).then(|| row.summary.slug.clone());
    Ok((row, moved))
}

/// Every tag in use on published posts, most used first.
pub async fn all_tags(state: &AppState) -> Result<Vec<String>, AppError> {
    Ok(repo::tags(state.db.pool(), 100_000).await?.into_iter().map(|(tag, _)| tag).collect())
}

/// The user's posts in every state, by offset (the API's drafts list).
pub async fn my_articles(
    state: &AppState,
    user: &UserRecord,
    limit: i64,
    offset: i64,
) -> Result<Vec<SummaryRow>, AppError> {
    Ok(repo::by_author_all_states(state.db.pool(), &user.id, None, limit, offset).await?)
}

/// Which of `people` (user ids) the viewer follows.
pub async fn followed_among(
    state: &AppState,
    viewer: Option<&UserRecord>,
    people: &[String],
) -> Result<std::collections::HashSet<String>, AppError> {
    Ok(repo::followed_among(state.db.pool(), viewer_id(viewer), people).await?)
}

/// The comments of a published post as rows (the RealWorld API shows them flat).
pub async fn comment_rows(state: &AppState, post_id: &str) -> Result<Vec<CommentRow>, AppError> {
    Ok(repo::comments(state.db.pool(), post_id).await?)
}

/// A comment by its public number, on the given post.
pub async fn comment_by_number(state: &AppState, post_id: &str, number: i64) -> Result<CommentRow, AppError> {
    repo::comment_by_number(state.db.pool(), number)
        .await?
        .filter(|c| c.post_id == post_id && c.deleted_at_ms.is_none())
        .ok_or_else(comment_not_found)
}
