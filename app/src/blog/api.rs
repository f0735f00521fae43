//! Server functions behind the blog pages, under `/fn/blog/`. Each is a thin door onto
//! `ssr::service`, the same rules the RealWorld JSON API uses. Forms post to them and
//! work without JavaScript (the browser is sent back to the page it came from).

// A server function takes one argument per form field, and the editor's form has many;
// the macro-made browser side cannot carry an allow of its own.
#![allow(clippy::too_many_arguments)]

use leptos::{
    server,
    server_fn::codec::{MultipartData, MultipartFormData},
};

use super::model::{AuthorPage, CommentThread, EditorPost, PostLookup, PostPage, Profile, Reaction, SearchPage};
use crate::{error::AppError, uploads::Upload};

#[cfg(feature = "ssr")]
use {
    super::{
        model::Sort,
        ssr::{service, views},
    },
    crate::server::request::{respond, RequestContext},
    crate::uploads::ssr::form::read_form,
};

/// `true`/`on`/`1` from a form field.
#[cfg(feature = "ssr")]
fn flag(raw: &str) -> bool {
    matches!(raw, "true" | "on" | "1" | "yes")
}

#[server(prefix = "/fn", endpoint = "blog/posts", output = crate::codec::Json)]
pub async fn list_posts(
    sort: Option<String>,
    period: Option<String>,
    tag: Option<String>,
    after: Option<String>,
) -> Result<PostPage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let viewer = ctx.user().await?;
        let sort = Sort::from_query(sort.as_deref(), period.as_deref());
        service::list(&ctx.state, viewer.as_ref(), sort, tag.as_deref(), after.as_deref()).await
    })
    .await
}

/// The most used tags, for the blog's sidebar.
#[server(prefix = "/fn", endpoint = "blog/tags", output = crate::codec::Json)]
pub async fn popular_tags() -> Result<Vec<String>, AppError> {
    respond(async move {
        let state = RequestContext::state()?;
        state.blog.sidebar_tags(&state.db).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/following", output = crate::codec::Json)]
pub async fn following_posts(after: Option<String>) -> Result<PostPage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::following(&ctx.state, &user, after.as_deref()).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/bookmarks", output = crate::codec::Json)]
pub async fn bookmarked_posts(after: Option<String>) -> Result<PostPage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::bookmarks(&ctx.state, &user, after.as_deref()).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/mine", output = crate::codec::Json)]
pub async fn my_posts(after: Option<String>) -> Result<PostPage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::my_posts(&ctx.state, &user, after.as_deref()).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/author", output = crate::codec::Json)]
pub async fn get_author_page(username: String, after: Option<String>) -> Result<AuthorPage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let viewer = ctx.user().await?;
        service::author_page(&ctx.state, viewer.as_ref(), &username, after.as_deref()).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/search", output = crate::codec::Json)]
pub async fn search_posts(q: String, offset: Option<i64>) -> Result<SearchPage, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let viewer = ctx.user().await?;
        service::search_posts(&ctx.state, viewer.as_ref(), &q, offset.unwrap_or(0)).await
    })
    .await
}

/// Loads a post for reading and counts the view (once per visitor and day, never for
/// bots, previews or prefetches): the page's data-loading path, so client-side
/// navigation counts too.
#[server(prefix = "/fn", endpoint = "blog/post", output = crate::codec::Json)]
pub async fn get_post(slug: String) -> Result<PostLookup, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let viewer = ctx.user().await?;
        let visit = views::is_reader(&ctx.headers).then(|| service::Visit {
            identity: views::identity(viewer.as_ref().map(|v| v.id.as_str()), &ctx.client_ip, &ctx.headers),
        });
        service::post_by_slug(&ctx.state, viewer.as_ref(), &slug, visit).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/comments", output = crate::codec::Json)]
pub async fn get_comments(post_id: String) -> Result<CommentThread, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let viewer = ctx.user().await?;
        service::comments(&ctx.state, viewer.as_ref(), &post_id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/editor", output = crate::codec::Json)]
pub async fn get_editor_post(slug: String) -> Result<EditorPost, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::editor_post(&ctx.state, &user, &slug).await
    })
    .await
}

/// The empty editor for a new post (whether the writer's posts are reviewed).
#[server(prefix = "/fn", endpoint = "blog/new-post", output = crate::codec::Json)]
pub async fn get_new_post() -> Result<EditorPost, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::new_post(&ctx.state, &user).await
    })
    .await
}

/// Saves the editor's form. `intent` is the button pressed: `draft` (keep the state),
/// `publish` or `schedule` (with `publish_at`), or `submit` for review. Afterwards the
/// browser goes to the post when it is live, to its review page when submitted, else
/// back to the editor.
#[server(prefix = "/fn", endpoint = "blog/save", output = crate::codec::Json)]
pub async fn save_post(
    #[server(default)] id: String,
    title: String,
    #[server(default)] description: String,
    #[server(default)] tags: String,
    #[server(default)] body: String,
    #[server(default)] intent: String,
    #[server(default)] publish_at: String,
    /// The cover's upload id (empty: none); absent keeps the cover.
    cover: Option<String>,
    /// Attachment upload ids, comma-separated; absent keeps them.
    attachments: Option<String>,
) -> Result<String, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let intent = service::Intent::parse(&intent).unwrap_or(service::Intent::Save);
        let files = crate::blog::ssr::files::FilesInput { cover, attachments };
        let input = service::PostInput { title, description, tags, body, files };
        let saved = service::save(&ctx.state, &user, Some(id.as_str()), input, intent, &publish_at).await?;
        let next = match saved.status {
            _ if intent == service::Intent::Submit => format!("/review/{}", saved.id),
            super::model::PostStatus::Published => format!("/blog/{}", saved.slug),
            _ => format!("/blog/{}/edit?saved={}", saved.slug, saved.status.as_str()),
        };
        leptos_axum::redirect(&next);
        Ok(saved.slug)
    })
    .await
}

/// The editor's file buttons, `multipart/form-data`. The hydrated editor sends
/// `file_action` (`cover`, `attachment` or `image`) and the file as `<action>_file`, and
/// gets the stored upload back. Without JavaScript the button posts the whole editor
/// form: the post is saved as a draft with the file added or removed, and the browser
/// goes back to the editor.
#[server(prefix = "/fn", endpoint = "blog/files", input = MultipartFormData, output = crate::codec::Json)]
pub async fn post_files(data: MultipartData) -> Result<Option<Upload>, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let multipart = data.into_inner().ok_or(AppError::Internal)?;
        let form = read_form(multipart, ctx.state.uploads.settings.max_bytes).await?;
        match service::post_files(&ctx.state, &user, form).await? {
            service::FilesOutcome::Uploaded(upload) => Ok(Some(upload)),
            service::FilesOutcome::Saved(saved) => {
                leptos_axum::redirect(&format!("/blog/{}/edit?saved={}#files", saved.slug, saved.status.as_str()));
                Ok(None)
            }
        }
    })
    .await
}

/// The editor's live preview: the same pipeline as saving, nothing stored.
#[server(prefix = "/fn", endpoint = "blog/preview", output = crate::codec::Json)]
pub async fn preview_post(body: String) -> Result<String, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        ctx.require_user().await?;
        service::preview(&ctx.state, &body).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/unpublish", output = crate::codec::Json)]
pub async fn unpublish_post(id: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let saved = service::unpublish(&ctx.state, &user, &id).await?;
        leptos_axum::redirect(&format!("/blog/{}/edit?saved=draft", saved.slug));
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/delete", output = crate::codec::Json)]
pub async fn delete_post(id: String, #[server(default)] confirm: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        if !flag(&confirm) {
            let mut errors = crate::accounts::validation::FieldErrors::new();
            errors.add("confirm", "must be ticked to delete the post");
            return Err(AppError::invalid(errors));
        }
        service::delete(&ctx.state, &user, &id).await?;
        leptos_axum::redirect("/blog/drafts?deleted=1");
        Ok(())
    })
    .await
}

/// Likes or bookmarks a post (`kind`: `like` or `bookmark`), or takes that back
/// (`on`: `false`). Idempotent: the form says the state it wants, not "toggle".
#[server(prefix = "/fn", endpoint = "blog/react", output = crate::codec::Json)]
pub async fn react(post_id: String, kind: String, on: String) -> Result<Reaction, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        match kind.as_str() {
            "like" => service::set_like(&ctx.state, &user, &post_id, flag(&on)).await,
            "bookmark" => service::set_bookmark(&ctx.state, &user, &post_id, flag(&on)).await,
            _ => {
                let mut errors = crate::accounts::validation::FieldErrors::new();
                errors.add("kind", "must be like or bookmark");
                Err(AppError::invalid(errors))
            }
        }
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/follow", output = crate::codec::Json)]
pub async fn set_follow(username: String, follow: String) -> Result<Profile, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::set_follow(&ctx.state, &user, &username, flag(&follow)).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/comment", output = crate::codec::Json)]
pub async fn add_comment(
    post_id: String,
    #[server(default)] parent_id: String,
    body: String,
) -> Result<String, AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        let parent = (!parent_id.is_empty()).then_some(parent_id.as_str());
        service::add_comment(&ctx.state, &user, &post_id, parent, &body).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/edit-comment", output = crate::codec::Json)]
pub async fn edit_comment(comment_id: String, body: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::edit_comment(&ctx.state, &user, &comment_id, &body).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/delete-comment", output = crate::codec::Json)]
pub async fn delete_comment(comment_id: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::delete_comment(&ctx.state, &user, &comment_id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "blog/hide-comment", output = crate::codec::Json)]
pub async fn hide_comment(comment_id: String, hidden: String) -> Result<(), AppError> {
    respond(async move {
        let ctx = RequestContext::load().await?;
        let user = ctx.require_user().await?;
        service::set_comment_hidden(&ctx.state, &user, &comment_id, flag(&hidden)).await
    })
    .await
}
