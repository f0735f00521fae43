//! The review flow's rules applied: who may act (from the site setting), which
//! transition is legal (from `rules`), and what each one writes, as one transaction.

use std::collections::HashMap;

use super::{diff, mails, repo};
use crate::{
    accounts::{ssr::repo::UserRecord, validation::FieldErrors, Role},
    blog::{
        model::{format_date, PostStatus},
        ssr::{files, repo as blog_repo, service as blog_service},
        validation::{parse_publish_at, Body},
    },
    error::AppError,
    review::{
        model::{
            FieldDiff, ItemState, ItemTarget, QueueEntry, ReviewItem, ReviewPage, ReviewQueue, ReviewSettings,
            RevisionView, Submission, SubmissionStatus,
        },
        rules::{self, Action, Actor, Refusal, ReviewState},
    },
    server::{
        clock::now_ms,
        db::{RecordId, Tx},
        AppState,
    },
};

const REQUIRED_KEY: &str = "review_required_roles";
const REVIEWERS_KEY: &str = "review_reviewer_roles";
const NOTE_MAX: usize = 2000;
const QUOTE_MAX: usize = 1000;
const SUMMARY_MAX: usize = 4000;
const QUEUE_LIMIT: i64 = 200;

fn roles_from(raw: &str) -> Vec<Role> {
    raw.split_whitespace().filter_map(Role::parse).collect()
}

fn roles_to(roles: &[Role]) -> String {
    roles.iter().map(|role| role.as_str()).collect::<Vec<_>>().join(" ")
}

/// The site setting; its default until an administrator changes it.
pub async fn settings(state: &AppState) -> Result<ReviewSettings, AppError> {
    let pool = state.db.pool();
    let mut settings = ReviewSettings::default();
    if let Some(raw) = blog_repo::site_state(pool, REQUIRED_KEY).await? {
        settings.required = roles_from(&raw);
    }
    if let Some(raw) = blog_repo::site_state(pool, REVIEWERS_KEY).await? {
        settings.reviewers = roles_from(&raw);
    }
    Ok(settings)
}

/// Changes the setting (administrators only; the caller checks).
pub async fn set_settings(state: &AppState, settings: &ReviewSettings) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    blog_repo::set_site_state(&mut *tx, REQUIRED_KEY, &roles_to(&settings.required)).await?;
    blog_repo::set_site_state(&mut *tx, REVIEWERS_KEY, &roles_to(&settings.reviewers)).await?;
    tx.commit().await?;
    tracing::info!(required = %roles_to(&settings.required), reviewers = %roles_to(&settings.reviewers), "review settings changed");
    Ok(())
}

/// Who `user` is to a post by `author_id`.
pub fn actor(settings: &ReviewSettings, user: &UserRecord, author_id: &str) -> Actor {
    if user.id == author_id {
        Actor::Author { needs_review: settings.needs_review(user.role) }
    } else if settings.reviews(user.role) {
        Actor::Reviewer
    } else {
        Actor::Other
    }
}

/// Applies the transition table, as the error the pages and APIs show.
pub fn check(state: ReviewState, action: Action, actor: Actor) -> Result<ReviewState, AppError> {
    rules::transition(state, action, actor).map_err(|refusal| match refusal {
        Refusal::Forbidden(message) => AppError::Forbidden(message.into()),
        Refusal::Conflict(message) => AppError::Conflict(message.into()),
    })
}

fn changed_meanwhile() -> AppError {
    AppError::Conflict("Someone changed this post's review meanwhile; reload the page and try again.".into())
}

fn post_not_found() -> AppError {
    AppError::NotFound("There is no such post.".into())
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    let mut errors = FieldErrors::new();
    errors.add(field, message);
    AppError::invalid(errors)
}

/// Trimmed text of at most `max` characters, required unless `optional`; a broken rule
/// is added to `errors`.
fn limited(errors: &mut FieldErrors, field: &str, raw: &str, max: usize, optional: bool) -> String {
    let value = raw.trim();
    if value.is_empty() && !optional {
        errors.add(field, "is required");
    } else if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
    value.to_string()
}

/// One text field alone, as a result.
fn text(field: &str, raw: &str, max: usize, optional: bool) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    let value = limited(&mut errors, field, raw, max, optional);
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(AppError::invalid(errors))
    }
}

async fn post(state: &AppState, post_id: &str) -> Result<blog_repo::PostState, AppError> {
    let id = RecordId::parse(post_id).ok_or_else(post_not_found)?;
    blog_repo::state(state.db.pool(), id.as_str()).await?.ok_or_else(post_not_found)
}

// ---- The author's side ----------------------------------------------------------------

/// Submits the post's working revision inside the caller's transaction (the editor saves
/// and submits as one step): freezes it, opens a submission and tells the reviewers.
pub async fn submit_in(
    tx: &mut Tx,
    state: &AppState,
    settings: &ReviewSettings,
    user: &UserRecord,
    post: &blog_repo::PostState,
    author_note: &str,
    now: i64,
) -> Result<(), AppError> {
    let from = ReviewState::from_db(post.review_state.as_deref());
    let latest = repo::latest(&mut **tx, &post.id).await?;
    let open_items = match &latest {
        Some(last) if last.status == SubmissionStatus::ChangesRequested.as_str() => {
            repo::open_items(&mut **tx, &last.id).await? as usize
        }
        _ => 0,
    };
    let to = check(from, Action::Submit { open_items }, actor(settings, user, &post.author_id))?;
    if post.published_revision_id.as_deref() == Some(post.current_revision_id.as_str()) {
        return Err(AppError::Conflict("Nothing new to review: the published version has no changes.".into()));
    }
    let note = text("note", author_note, NOTE_MAX, true)?;
    let mut errors = FieldErrors::new();
    if let Some(body) = errors.check("body", Body::parse(&post.body_markdown)) {
        errors.check("body", body.require_text());
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    if !repo::move_state(tx, &post.id, from.as_db(), to.as_db(), now).await? {
        return Err(changed_meanwhile());
    }
    repo::freeze(tx, &post.current_revision_id, now).await?;
    let id: String = RecordId::new_ordered().into();
    let submission = repo::NewSubmission {
        id: &id,
        post_id: &post.id,
        revision_id: &post.current_revision_id,
        previous_id: latest.as_ref().map(|last| last.id.as_str()),
        author_id: &user.id,
        author_note: &note,
        now_ms: now,
    };
    repo::insert_submission(tx, &submission).await?;
    blog_repo::record_event(tx, &post.id, "submitted", Some(&user.id), now).await?;
    let roles: Vec<&str> = settings.reviewer_roles().into_iter().map(Role::as_str).collect();
    let reviewers = repo::reviewers(&mut **tx, &roles, &user.id).await?;
    let mail = mails::Submitted {
        author: user.name.as_deref().unwrap_or(&user.username),
        title: &post.title,
        post_id: &post.id,
        resubmission: from == ReviewState::ChangesRequested,
    };
    mails::submitted(tx, &state.accounts.public_url, &reviewers, &mail, now / 1000).await?;
    tracing::info!(post_id = %post.id, submission = %id, "post submitted for review");
    Ok(())
}

/// Submits the post as it was last saved.
pub async fn submit(state: &AppState, user: &UserRecord, post_id: &str, author_note: &str) -> Result<(), AppError> {
    let post = post(state, post_id).await?;
    let settings = settings(state).await?;
    if user.id != post.author_id && !settings.reviews(user.role) {
        return Err(post_not_found());
    }
    let now = now_ms().max(post.updated_at_ms + 1);
    let mut tx = state.db.begin().await?;
    submit_in(&mut tx, state, &settings, user, &post, author_note, now).await?;
    tx.commit().await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Takes the post out of review; it becomes an ordinary draft (or stays published in
/// its last approved version).
pub async fn withdraw(state: &AppState, user: &UserRecord, post_id: &str) -> Result<(), AppError> {
    let post = post(state, post_id).await?;
    let settings = settings(state).await?;
    let actor = actor(&settings, user, &post.author_id);
    if actor == Actor::Other {
        return Err(post_not_found());
    }
    let from = ReviewState::from_db(post.review_state.as_deref());
    let to = check(from, Action::Withdraw, actor)?;
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    if !repo::move_state(&mut tx, &post.id, from.as_db(), to.as_db(), now).await? {
        return Err(changed_meanwhile());
    }
    if let Some(latest) = repo::latest(&mut *tx, &post.id).await? {
        let decision = repo::Decision {
            submission_id: &latest.id,
            from: SubmissionStatus::Pending.as_str(),
            to: SubmissionStatus::Withdrawn.as_str(),
            reviewer_id: None,
            note: "",
            publish_at_ms: None,
            now_ms: now,
        };
        // A submission already answered with requested changes keeps that decision.
        repo::decide(&mut tx, &decision).await?;
    }
    blog_repo::record_event(&mut tx, &post.id, "withdrawn", Some(&user.id), now).await?;
    tx.commit().await?;
    Ok(())
}

/// The author marks a requested correction fixed, answers it, or opens it again.
pub async fn respond(
    state: &AppState,
    user: &UserRecord,
    item_id: &str,
    new_state: &str,
    answer: &str,
) -> Result<ReviewItem, AppError> {
    let not_found = || AppError::NotFound("There is no such correction.".into());
    let id = RecordId::parse(item_id).ok_or_else(not_found)?;
    let item = repo::item_context(state.db.pool(), id.as_str()).await?.ok_or_else(not_found)?;
    let post = post(state, &item.post_id).await?;
    if post.author_id != user.id {
        return Err(AppError::Forbidden("Only the post's author answers its corrections.".into()));
    }
    // Corrections of the latest request for changes stay answerable after a withdrawal;
    // once the post is submitted again (or rejected) they are history.
    let latest = repo::latest(state.db.pool(), &post.id).await?;
    let current = latest.is_some_and(|last| last.id == item.submission_id)
        && item.submission_status == SubmissionStatus::ChangesRequested.as_str()
        && ReviewState::from_db(post.review_state.as_deref()) != ReviewState::Rejected;
    if !current {
        return Err(AppError::Conflict("This correction belongs to a review that is over.".into()));
    }
    let new_state =
        ItemState::parse(new_state).ok_or_else(|| invalid("state", "must be one of open, fixed or answered"))?;
    let answer = match new_state {
        ItemState::Answered => text("answer", answer, NOTE_MAX, false)?,
        _ => text("answer", answer, NOTE_MAX, true)?,
    };
    let mut tx = state.db.begin().await?;
    repo::set_item_state(&mut tx, id.as_str(), new_state.as_str(), &answer, now_ms()).await?;
    tx.commit().await?;
    corrections(state, &post.id).await?.into_iter().find(|updated| updated.id == id.as_str()).ok_or_else(not_found)
}

// ---- The reviewer's side --------------------------------------------------------------

/// The pending submission of a post the user may decide on.
async fn pending(
    state: &AppState,
    user: &UserRecord,
    post_id: &str,
    action: Action,
) -> Result<(blog_repo::PostState, repo::SubmissionRow, ReviewState), AppError> {
    let post = post(state, post_id).await?;
    let settings = settings(state).await?;
    let actor = actor(&settings, user, &post.author_id);
    if actor == Actor::Other {
        return Err(post_not_found());
    }
    let to = check(ReviewState::from_db(post.review_state.as_deref()), action, actor)?;
    let submission = repo::latest(state.db.pool(), &post.id)
        .await?
        .filter(|latest| latest.status == SubmissionStatus::Pending.as_str())
        .ok_or_else(changed_meanwhile)?;
    Ok((post, submission, to))
}

/// Adds a correction to the review being written (seen by the author once changes are
/// requested). A quoted passage must occur in the submitted text.
pub async fn add_item(
    state: &AppState,
    reviewer: &UserRecord,
    post_id: &str,
    target: &str,
    quote: &str,
    file: &str,
    note: &str,
) -> Result<(), AppError> {
    let (post, submission, _) = pending(state, reviewer, post_id, Action::RequestChanges).await?;
    let mut errors = FieldErrors::new();
    let target_raw = target;
    let target = ItemTarget::parse(target);
    if target.is_none() {
        errors.add("target", "must be one of title, description, body, tags, cover or attachment");
    }
    let note = limited(&mut errors, "note", note, NOTE_MAX, false);
    let mut quote = limited(&mut errors, "quote", quote, QUOTE_MAX, true);
    let pool = state.db.pool();
    match target {
        // A file is pointed at by its name, the one thing the author sees of it.
        Some(ItemTarget::Attachment) => {
            let files = files::uploads_of(pool, &submission.revision_id).await?;
            match files.attachments.iter().find(|a| a.id == file.trim()) {
                Some(attachment) => quote = attachment.name.clone(),
                None if files.attachments.is_empty() => {
                    errors.add("file", "cannot be chosen: the submitted version has no attachments")
                }
                None => errors.add("file", "must be one of the submitted version's attachments"),
            }
        }
        Some(ItemTarget::Cover) => {
            if files::uploads_of(pool, &submission.revision_id).await?.cover.is_none() {
                errors.add("target", "cannot be the cover: the submitted version has none");
            }
            quote.clear();
        }
        Some(target) if !quote.is_empty() => {
            let revision = repo::revision(pool, &submission.revision_id).await?.ok_or_else(post_not_found)?;
            let part = match target {
                ItemTarget::Title => revision.title,
                ItemTarget::Description => revision.description,
                ItemTarget::Tags => revision.tags,
                _ => format!("{}\n{}", revision.body_markdown, revision.body_text),
            };
            if !squash(&part).contains(&squash(&quote)) {
                errors.add("quote", "is not in the submitted text; copy the passage exactly");
            }
        }
        _ => {}
    }
    let (Some(target), true) = (target, errors.is_empty()) else {
        return Err(AppError::invalid(errors).with_values([
            ("target", target_raw),
            ("quote", quote.as_str()),
            ("note", note.as_str()),
        ]));
    };
    let id: String = RecordId::new_ordered().into();
    let mut tx = state.db.begin().await?;
    let item = repo::NewItem {
        id: &id,
        submission_id: &submission.id,
        target: target.as_str(),
        quote: &quote,
        note: &note,
        now_ms: now_ms(),
    };
    if !repo::insert_item(&mut tx, &item).await? {
        return Err(changed_meanwhile());
    }
    tx.commit().await?;
    tracing::debug!(post_id = %post.id, item = %id, "correction drafted");
    Ok(())
}

/// Whitespace runs as one space, for finding a quoted passage.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes a drafted correction before the decision is sent.
pub async fn remove_item(state: &AppState, reviewer: &UserRecord, item_id: &str) -> Result<(), AppError> {
    let not_found = || AppError::NotFound("There is no such correction.".into());
    let id = RecordId::parse(item_id).ok_or_else(not_found)?;
    let item = repo::item_context(state.db.pool(), id.as_str()).await?.ok_or_else(not_found)?;
    pending(state, reviewer, &item.post_id, Action::RequestChanges).await?;
    let mut tx = state.db.begin().await?;
    if !repo::delete_item(&mut tx, id.as_str()).await? {
        return Err(changed_meanwhile());
    }
    tx.commit().await?;
    Ok(())
}

/// What a reviewer decides.
pub enum Verdict<'a> {
    /// Publish now (empty) or at the time given.
    Approve {
        publish_at: &'a str,
    },
    RequestChanges {
        summary: &'a str,
    },
    Reject {
        reason: &'a str,
    },
}

/// Records the decision, applies it to the post and tells the author.
pub async fn decide(
    state: &AppState,
    reviewer: &UserRecord,
    post_id: &str,
    verdict: Verdict<'_>,
) -> Result<(), AppError> {
    let action = match verdict {
        Verdict::Approve { .. } => Action::Approve,
        Verdict::RequestChanges { .. } => Action::RequestChanges,
        Verdict::Reject { .. } => Action::Reject,
    };
    let (post, submission, to) = pending(state, reviewer, post_id, action).await?;
    let now = now_ms().max(post.updated_at_ms + 1);
    let (status, note, publish_at) = match verdict {
        Verdict::Approve { publish_at } if publish_at.trim().is_empty() => {
            (SubmissionStatus::Approved, String::new(), None)
        }
        Verdict::Approve { publish_at } => {
            if post.status == PostStatus::Published.as_str() {
                return Err(invalid(
                    "publish_at",
                    "cannot be set for a post that is already live; it is updated at once",
                ));
            }
            let at = parse_publish_at(publish_at, now).map_err(|messages| {
                let mut errors = FieldErrors::new();
                for message in messages {
                    errors.add("publish_at", message);
                }
                AppError::invalid(errors)
            })?;
            (SubmissionStatus::Approved, String::new(), Some(at))
        }
        Verdict::RequestChanges { summary } => {
            (SubmissionStatus::ChangesRequested, text("summary", summary, SUMMARY_MAX, true)?, None)
        }
        Verdict::Reject { reason } => (SubmissionStatus::Rejected, text("reason", reason, SUMMARY_MAX, false)?, None),
    };
    let mut tx = state.db.begin().await?;
    // Counted inside the transaction: a correction removed meanwhile cannot leave an
    // empty request for changes.
    let items = repo::count_items(&mut *tx, &submission.id).await?;
    if status == SubmissionStatus::ChangesRequested && items == 0 {
        return Err(invalid("items", "add at least one correction before requesting changes"));
    }
    let decision = repo::Decision {
        submission_id: &submission.id,
        from: SubmissionStatus::Pending.as_str(),
        to: status.as_str(),
        reviewer_id: Some(&reviewer.id),
        note: &note,
        publish_at_ms: publish_at,
        now_ms: now,
    };
    // The post row first, then the submission, in the same order as a withdrawal, so the
    // two never wait on each other (PostgreSQL would abort one as a deadlock).
    let moved = repo::move_state(&mut tx, &post.id, Some("in_review"), to.as_db(), now).await?
        && repo::decide(&mut tx, &decision).await?;
    if !moved {
        return Err(changed_meanwhile());
    }
    let ranking = state.blog.settings.ranking;
    let title = repo::revision(&mut *tx, &submission.revision_id).await?.map(|r| r.title).unwrap_or_default();
    if status == SubmissionStatus::Approved {
        // The address follows the approved title (edits waiting for review kept it).
        let ever_published = post.published_at_ms.is_some();
        blog_repo::assign_slug(&mut tx, &post.id, &post.slug, ever_published, &title, now).await?;
        match publish_at {
            None => {
                let kind = if post.published_at_ms.is_some() { "updated" } else { "published" };
                blog_repo::publish(&mut tx, &post.id, &submission.revision_id, now, now, &ranking).await?;
                blog_repo::record_event(&mut tx, &post.id, kind, Some(&reviewer.id), now).await?;
            }
            Some(at) => {
                blog_repo::schedule(&mut tx, &post.id, at, &submission.revision_id, now).await?;
                blog_repo::record_event(&mut tx, &post.id, "scheduled", Some(&reviewer.id), now).await?;
            }
        }
    }
    let kind = match status {
        SubmissionStatus::Approved => "approved",
        SubmissionStatus::ChangesRequested => "changes_requested",
        _ => "rejected",
    };
    blog_repo::record_event(&mut tx, &post.id, kind, Some(&reviewer.id), now).await?;
    if let Some((email, greeting)) = repo::author_contact(&mut *tx, &post.id).await? {
        let when = publish_at.map(|at| format!("{} (UTC)", format_date(at)));
        let decision = match status {
            SubmissionStatus::Approved => mails::Decision::Approved { when: when.as_deref() },
            SubmissionStatus::ChangesRequested => {
                mails::Decision::ChangesRequested { summary: &note, items: items as usize }
            }
            _ => mails::Decision::Rejected { reason: &note },
        };
        let mail = mails::Decided { to: &email, greeting: &greeting, title: &title, post_id: &post.id, decision };
        mails::decided(&mut tx, &state.accounts.public_url, &mail, now / 1000).await?;
    }
    tx.commit().await?;
    state.mail_wake.notify_one();
    tracing::info!(post_id = %post.id, decision = kind, "review decided");
    Ok(())
}

// ---- Reading --------------------------------------------------------------------------

fn item_of(row: repo::ItemRow) -> ReviewItem {
    ReviewItem {
        target: ItemTarget::parse(&row.target).unwrap_or(ItemTarget::Body),
        state: ItemState::parse(&row.state).unwrap_or(ItemState::Open),
        id: row.id,
        quote: row.quote,
        note: row.note,
        answer: row.answer,
    }
}

fn split_tags(tags: &str) -> Vec<String> {
    tags.split_whitespace().map(str::to_string).collect()
}

fn field_diffs(
    old: &repo::RevisionRow,
    new: &repo::RevisionRow,
    old_files: &files::RevisionUploads,
    new_files: &files::RevisionUploads,
) -> Vec<FieldDiff> {
    let mut diffs: Vec<FieldDiff> = [
        (ItemTarget::Title, &old.title, &new.title),
        (ItemTarget::Description, &old.description, &new.description),
        (ItemTarget::Tags, &old.tags.replace(' ', "\n"), &new.tags.replace(' ', "\n")),
        (ItemTarget::Body, &old.body_markdown, &new.body_markdown),
    ]
    .into_iter()
    .filter_map(|(field, old, new)| {
        let lines = diff::lines(old, new);
        (!lines.is_empty()).then_some(FieldDiff { field, lines })
    })
    .collect();
    let covers = (old_files.cover.iter().collect::<Vec<_>>(), new_files.cover.iter().collect::<Vec<_>>());
    let attachments = (old_files.attachments.iter().collect(), new_files.attachments.iter().collect());
    for (field, (old, new)) in [(ItemTarget::Cover, covers), (ItemTarget::Attachment, attachments)] {
        let lines = diff::files(&old, &new);
        if !lines.is_empty() {
            diffs.push(FieldDiff { field, lines });
        }
    }
    diffs
}

/// A post's review page, for its author and for reviewers.
pub async fn page(state: &AppState, viewer: &UserRecord, post_id: &str) -> Result<ReviewPage, AppError> {
    let post = post(state, post_id).await?;
    let settings = settings(state).await?;
    let actor = actor(&settings, viewer, &post.author_id);
    if actor == Actor::Other {
        return Err(post_not_found());
    }
    let pool = state.db.pool();
    let rows = repo::submissions(pool, &post.id).await?;
    let latest = rows.first().ok_or_else(|| AppError::NotFound("This post was never submitted for review.".into()))?;
    let mut items: HashMap<String, Vec<ReviewItem>> = HashMap::new();
    for row in repo::items_of_post(pool, &post.id).await? {
        items.entry(row.submission_id.clone()).or_default().push(item_of(row));
    }
    let revision = repo::revision(pool, &latest.revision_id).await?.ok_or_else(post_not_found)?;
    let revision_files = files::uploads_of(pool, &latest.revision_id).await?;
    let diff = match &latest.previous_id {
        Some(previous) => match rows.iter().find(|row| &row.id == previous) {
            Some(previous) => {
                let old = repo::revision(pool, &previous.revision_id).await?.ok_or_else(post_not_found)?;
                let old_files = files::uploads_of(pool, &previous.revision_id).await?;
                Some(field_diffs(&old, &revision, &old_files, &revision_files))
            }
            None => None,
        },
        None => None,
    };
    let is_author = matches!(actor, Actor::Author { .. });
    let cover_html = files::cover_html(revision_files.cover.as_ref(), &revision.title);
    let history = rows
        .iter()
        .map(|row| {
            let status = SubmissionStatus::parse(&row.status).unwrap_or(SubmissionStatus::Pending);
            // The author sees corrections once they are sent, not while being drafted (nor
            // the drafts of a review that a withdrawal cut short).
            let visible = !is_author || !matches!(status, SubmissionStatus::Pending | SubmissionStatus::Withdrawn);
            Submission {
                id: row.id.clone(),
                status,
                author_note: row.author_note.clone(),
                reviewer: row.reviewer_name.clone(),
                decision_note: row.decision_note.clone(),
                publish_at_ms: row.publish_at_ms,
                submitted_at_ms: row.submitted_at_ms,
                decided_at_ms: row.decided_at_ms,
                items: if visible { items.remove(&row.id).unwrap_or_default() } else { Vec::new() },
            }
        })
        .collect();
    let author = repo::author(pool, &post.author_id).await?.ok_or_else(post_not_found)?;
    let author = blog_service::author_ref(author.0, author.1, author.2);
    Ok(ReviewPage {
        post_id: post.id,
        slug: post.slug,
        author,
        status: PostStatus::parse(&post.status).unwrap_or(PostStatus::Draft),
        review_state: ReviewState::from_db(post.review_state.as_deref()),
        viewer_is_author: is_author,
        viewer_is_reviewer: actor == Actor::Reviewer,
        revision: RevisionView {
            title: revision.title,
            description: revision.description,
            tags: split_tags(&revision.tags),
            cover_html,
            attachments_html: files::attachments_html(&revision_files.attachments),
            attachments: revision_files.attachments.iter().map(|a| (a.id.clone(), a.name.clone())).collect(),
            body_html: revision.body_html,
        },
        diff,
        history,
    })
}

/// The corrections the author still works on: those of the latest submission when it
/// asked for changes (also after a withdrawal), for the editor.
pub async fn corrections(state: &AppState, post_id: &str) -> Result<Vec<ReviewItem>, AppError> {
    let pool = state.db.pool();
    let latest = repo::latest(pool, post_id).await?;
    let Some(latest) = latest.filter(|last| last.status == SubmissionStatus::ChangesRequested.as_str()) else {
        return Ok(Vec::new());
    };
    Ok(repo::items_of_submission(pool, &latest.id).await?.into_iter().map(item_of).collect())
}

/// The reviewers' queue.
pub async fn queue(state: &AppState, viewer: &UserRecord) -> Result<ReviewQueue, AppError> {
    if !settings(state).await?.reviews(viewer.role) {
        return Err(AppError::Forbidden("Only reviewers can see the review queue.".into()));
    }
    let pool = state.db.pool();
    let counts = repo::counts(pool, now_ms() - 30 * 86_400_000).await?;
    let pending = repo::queue(pool, QUEUE_LIMIT)
        .await?
        .into_iter()
        .map(|row| QueueEntry {
            author: blog_service::author_ref(row.username, row.display_name, row.avatar_url),
            post_id: row.post_id,
            title: row.title,
            submitted_at_ms: row.submitted_at_ms,
            resubmission: row.previous_id.is_some(),
        })
        .collect();
    Ok(ReviewQueue { counts, pending })
}
