//! `/blog/new` and `/blog/{slug}/edit`: the editor. A plain form that saves, publishes
//! or schedules without JavaScript; hydrated, it checks fields as you type, shows a
//! live preview rendered by the server (no Markdown renderer in the browser) and warns
//! before unsaved changes are lost.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    accounts::{
        components::{action_error, error_list, field_errors, form_error, FormAlert},
        model::format_utc,
        pages::SignedInOnly,
    },
    blog::pages::files::{on_drop, EditorFiles, FileFields},
    blog::{
        api::{get_editor_post, get_new_post, preview_post, DeletePost, PostFiles, SavePost, UnpublishPost},
        model::{EditorPost, PostStatus},
        validation::{Body, Description, Tags, Title as TitleRule, BODY_MAX, DESCRIPTION_MAX, TITLE_MAX},
    },
    error::AppError,
    pages::NotFound,
    review::{
        api::{RespondToItem, WithdrawFromReview},
        model::ReviewItem,
        pages::Items,
        rules::ReviewState,
    },
    site::title_text,
};

/// Set while the editor holds changes that are not saved; `<App/>` asks before a link
/// click would lose them.
#[derive(Clone, Copy)]
pub struct UnsavedChanges(pub RwSignal<bool>);

#[component]
pub fn NewPostPage() -> impl IntoView {
    view! {
        <Title text="Write a post"/>
        <Meta name="robots" content="noindex"/>
        <SignedInOnly next="/blog/new" children=|_| {
            // Whether the writer's posts are reviewed decides the editor's buttons.
            let post = Resource::new(|| (), |_| get_new_post());
            view! {
                <Suspense fallback=|| view! { <p class="loading">"Loading the editor…"</p> }>
                    {move || Suspend::new(async move {
                        view! { <Editor post=post.await.unwrap_or_default()/> }
                    })}
                </Suspense>
            }
        }/>
    }
}

#[component]
pub fn EditPostPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    view! {
        <Meta name="robots" content="noindex"/>
        <SignedInOnly next="/blog/drafts" children=move |_| {
            let post = Resource::new(slug, get_editor_post);
            view! {
                <Suspense fallback=|| view! { <p class="loading">"Loading the post…"</p> }>
                    {move || Suspend::new(async move {
                        match post.await {
                            Ok(post) => view! {
                                <Title text=title_text(&format!("Edit “{}”", post.title))/>
                                <Editor post/>
                            }.into_any(),
                            Err(AppError::NotFound(_)) => view! { <NotFound/> }.into_any(),
                            Err(error) => view! {
                                <div class="alert alert--error" role="alert"><p>{error.to_string()}</p></div>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            }
        }/>
    }
}

/// `<input type="datetime-local">` value (UTC) for unix milliseconds.
fn datetime_local(ms: i64) -> String {
    let text = format_utc(ms.div_euclid(1000)); // "YYYY-MM-DD HH:MM UTC"
    format!("{}T{}", &text[0..10], &text[11..16])
}

#[component]
fn Editor(post: EditorPost) -> impl IntoView {
    let save = ServerAction::<SavePost>::new();
    let unpublish = ServerAction::<UnpublishPost>::new();
    let delete = ServerAction::<DeletePost>::new();
    let server = action_error(save);
    let query = use_query_map();
    let saved = move || query.read().get("saved");
    // A file button pressed without JavaScript posts the whole form to the files server
    // function; its refusal comes back in the address like the save's.
    let files_error = RwSignal::new(AppError::left_in_address::<PostFiles>());
    // After a failed save without JavaScript, the server sends the typed values back.
    let kept = move |field: &'static str, stored: &str| {
        [server.get_untracked(), files_error.get_untracked()]
            .into_iter()
            .flatten()
            .find_map(|e| e.value(field))
            .unwrap_or_else(|| stored.to_string())
    };
    let title = RwSignal::new(kept("title", &post.title));
    let description = RwSignal::new(kept("description", &post.description));
    let tags = RwSignal::new(kept("tags", &post.tags));
    let body = RwSignal::new(kept("body", &post.body));
    let title_typed = RwSignal::new(None::<String>);
    let description_typed = RwSignal::new(None::<String>);
    let tags_typed = RwSignal::new(None::<String>);
    let body_typed = RwSignal::new(None::<String>);
    let title_errors = field_errors("title", title_typed, server, |v| TitleRule::parse(v).err().unwrap_or_default());
    let description_errors =
        field_errors("description", description_typed, server, |v| Description::parse(v).err().unwrap_or_default());
    let tags_errors = field_errors("tags", tags_typed, server, |v| Tags::parse(v).err().unwrap_or_default());
    let body_errors = field_errors("body", body_typed, server, |v| Body::parse(v).err().unwrap_or_default());
    let schedule_errors =
        Signal::derive(move || server.get().map(|e| e.field_errors().get("publish_at").to_vec()).unwrap_or_default());

    let unsaved = use_context::<UnsavedChanges>().map(|u| u.0).unwrap_or_else(|| RwSignal::new(false));
    let changed = move || unsaved.set(true);
    let body_ref = NodeRef::<leptos::html::Textarea>::new();
    let busy = RwSignal::new(0u32);
    let files = FileFields {
        cover: RwSignal::new(post.cover.clone()),
        attachments: RwSignal::new(post.attachments.clone()),
        body,
        body_ref,
        error: files_error,
        save_error: server,
        changed: Callback::new(move |()| {
            body_typed.set(Some(body.get_untracked()));
            unsaved.set(true);
        }),
    };
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Err(_))) {
            unsaved.set(true);
        }
    });
    let leave_guard = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if unsaved.get_untracked() {
            ev.prevent_default();
            ev.set_return_value("");
        }
    });
    on_cleanup(move || {
        leave_guard.remove();
        unsaved.set(false);
    });

    // The live preview: the server renders what is typed, 400 ms after the last key.
    let preview = RwSignal::new(String::new());
    let preview_note = RwSignal::new(None::<String>);
    let pending_preview = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let markdown = body.get();
        if let Some(handle) = pending_preview.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    match preview_post(markdown).await {
                        Ok(html) => {
                            preview.set(html);
                            preview_note.set(None);
                        }
                        Err(error) => preview_note.set(Some(error.to_string())),
                    }
                });
            },
            std::time::Duration::from_millis(400),
        )
        .ok();
        pending_preview.set_value(handle);
    });

    let words = move || body.with(|b| b.split_whitespace().count());
    let parsed_tags = move || tags.with(|t| Tags::parse(t).map(Tags::into_vec).unwrap_or_default());
    let status = post.status;
    let is_new = post.id.is_empty();
    let heading = if is_new { "Write a post".to_string() } else { "Edit post".to_string() };
    let view_href = format!("/blog/{}", post.slug);
    let publish_at = post.scheduled_at_ms.map(datetime_local).unwrap_or_default();
    let review_state = post.review_state;
    let needs_review = post.needs_review;
    let is_author = post.is_author;
    let notice = move || match saved().as_deref() {
        Some("draft") if status == Some(PostStatus::Published) => {
            Some("Saved. Readers still see the approved version until you submit these changes and they are approved.")
        }
        Some("draft") => Some("Draft saved. Only you can see it."),
        Some("scheduled") => Some("Scheduled. It will be published at the time you chose."),
        _ => None,
    };
    let post_id = post.id.clone();
    let status_line = match (status, post.scheduled_at_ms) {
        (Some(PostStatus::Scheduled), Some(at)) => format!("Scheduled for {}", format_utc(at / 1000)),
        (Some(status), _) => status.label().to_string(),
        (None, _) => "New draft".to_string(),
    };
    let status_line = match review_state {
        ReviewState::Idle => status_line,
        state => format!("{status_line} · {}", state.label()),
    };
    let corrections = post.corrections.clone();
    let review_post_id = post.id.clone();
    // Publishing directly is offered only to writers who may; the others submit.
    let direct = !needs_review && review_state == ReviewState::Idle;

    view! {
        <div class="editor">
            <header class="editor__header">
                <div>
                    <p class="eyebrow"><A href="/blog/drafts">"Your posts"</A></p>
                    <h1>{heading}</h1>
                    <p class="muted">{status_line}
                        {(!is_new).then(|| view! { " · " <A href=view_href.clone()>"View post"</A> })}
                    </p>
                </div>
            </header>
            {move || notice().map(|text| view! { <div class="alert alert--success" role="status"><p>{text}</p></div> })}
            {(!is_new).then(|| view! { <ReviewPanel post_id=review_post_id.clone() state=review_state corrections=corrections.clone() is_author/> })}
            <ActionForm action=save attr:class="form editor__form" attr:novalidate=true on:submit=move |_| unsaved.set(false)>
                <FormAlert error=form_error(server)/>
                <input type="hidden" name="id" value=post.id.clone()/>
                <div class="editor__columns">
                    <div class="editor__fields">
                        <div class="field field--required" class:field--invalid=move || !title_errors.get().is_empty()>
                            <label for="post-title">"Title"</label>
                            <input id="post-title" name="title" type="text" required maxlength=TITLE_MAX.to_string()
                                value=title.get_untracked() aria-describedby="post-title-errors"
                                aria-invalid=move || (!title_errors.get().is_empty()).to_string()
                                on:input=move |ev| { let v = event_target_value(&ev); title.set(v.clone()); title_typed.set(Some(v)); changed(); }/>
                            {error_list(title_errors, "Title", "post-title-errors".into())}
                        </div>
                        <div class="field" class:field--invalid=move || !description_errors.get().is_empty()>
                            <label for="post-description">"Description"</label>
                            <p class="field__hint" id="post-description-hint">"Optional: the summary shown in lists and link previews. Left empty, the start of the text is used."</p>
                            <input id="post-description" name="description" type="text" maxlength=DESCRIPTION_MAX.to_string()
                                value=description.get_untracked() aria-describedby="post-description-hint post-description-errors"
                                on:input=move |ev| { let v = event_target_value(&ev); description.set(v.clone()); description_typed.set(Some(v)); changed(); }/>
                            {error_list(description_errors, "Description", "post-description-errors".into())}
                        </div>
                        <div class="field" class:field--invalid=move || !tags_errors.get().is_empty()>
                            <label for="post-tags">"Tags"</label>
                            <p class="field__hint" id="post-tags-hint">"Up to 10, separated by commas: lower-case letters, digits and hyphens."</p>
                            <input id="post-tags" name="tags" type="text" value=tags.get_untracked()
                                aria-describedby="post-tags-hint post-tags-errors" autocomplete="off"
                                on:input=move |ev| { let v = event_target_value(&ev); tags.set(v.clone()); tags_typed.set(Some(v)); changed(); }/>
                            <ul class="tags tags--preview" aria-label="Tags as they will be saved">
                                {move || parsed_tags().into_iter().map(|tag| view! { <li><span class="tag">"#"{tag}</span></li> }).collect_view()}
                            </ul>
                            {error_list(tags_errors, "Tags", "post-tags-errors".into())}
                        </div>
                        <div class="field field--required" class:field--invalid=move || !body_errors.get().is_empty()>
                            <label for="post-body">"Text"</label>
                            <p class="field__hint" id="post-body-hint">
                                "Markdown: # headings, **bold**, _italic_, [links](https://example.com), lists, > quotes, tables and ``` code fences ```."
                            </p>
                            <textarea id="post-body" name="body" rows="22" maxlength=BODY_MAX.to_string()
                                aria-describedby="post-body-hint post-body-errors" spellcheck="true" node_ref=body_ref
                                on:dragover=move |ev| ev.prevent_default() on:drop=on_drop(files, busy)
                                on:input=move |ev| { let v = event_target_value(&ev); body.set(v.clone()); body_typed.set(Some(v)); changed(); }>
                                {body.get_untracked()}
                            </textarea>
                            <p class="muted editor__count" aria-live="polite">{move || format!("{} words · {} characters", words(), body.with(|b| b.chars().count()))}</p>
                            {error_list(body_errors, "Text", "post-body-errors".into())}
                        </div>
                        <EditorFiles fields=files busy/>
                    </div>
                    <section class="editor__preview" aria-labelledby="preview-title">
                        <h2 id="preview-title" class="editor__preview-title">"Preview"</h2>
                        {move || preview_note.get().map(|note| view! { <p class="field__errors">{note}</p> })}
                        <p class="post__title editor__preview-post-title">{move || title.get()}</p>
                        <Show when=move || body.with(|b| b.trim().is_empty())>
                            <p class="muted">"Start writing: the preview shows the post as readers will see it."</p>
                        </Show>
                        <div class="prose" inner_html=move || preview.get()></div>
                    </section>
                </div>
                <div class="editor__actions">
                    {match (review_state, needs_review, status) {
                        (ReviewState::InReview, ..) => view! {
                            <p class="muted">"In review: the reviewers read the version you submitted. Withdraw it from review to change it."</p>
                        }.into_any(),
                        (ReviewState::Rejected, ..) => view! {
                            <button type="submit" name="intent" value="draft" class="button button--ghost">"Save"</button>
                        }.into_any(),
                        (ReviewState::ChangesRequested, ..) if !is_author => view! {
                            <button type="submit" name="intent" value="draft" class="button button--ghost">"Save"</button>
                        }.into_any(),
                        (ReviewState::ChangesRequested, ..) => view! {
                            <button type="submit" name="intent" value="draft" class="button button--ghost">"Save"</button>
                            <button type="submit" name="intent" value="submit" class="button">"Resubmit for review"</button>
                        }.into_any(),
                        (_, true, Some(PostStatus::Published)) => view! {
                            <button type="submit" name="intent" value="draft" class="button button--ghost">"Save changes"</button>
                            <button type="submit" name="intent" value="submit" class="button">"Submit changes for review"</button>
                        }.into_any(),
                        (_, true, _) => view! {
                            <button type="submit" name="intent" value="draft" class="button button--ghost">"Save draft"</button>
                            <button type="submit" name="intent" value="submit" class="button">"Submit for review"</button>
                        }.into_any(),
                        (.., Some(PostStatus::Published)) => view! {
                            <button type="submit" name="intent" value="draft" class="button">"Update post"</button>
                        }.into_any(),
                        (.., Some(PostStatus::Scheduled)) => view! {
                            <button type="submit" name="intent" value="draft" class="button button--ghost">"Save"</button>
                            <button type="submit" name="intent" value="publish" class="button">"Publish now"</button>
                        }.into_any(),
                        _ => view! {
                            <button type="submit" name="intent" value="draft" class="button button--ghost">"Save draft"</button>
                            <button type="submit" name="intent" value="publish" class="button">"Publish"</button>
                        }.into_any(),
                    }}
                    {direct.then(|| view! {
                    <details class="editor__schedule" open=!schedule_errors.get_untracked().is_empty() || status == Some(PostStatus::Scheduled)>
                        <summary>"Schedule for later"</summary>
                        <div class="field" class:field--invalid=move || !schedule_errors.get().is_empty()>
                            <label for="post-publish-at">"Publish at (UTC)"</label>
                            <input id="post-publish-at" name="publish_at" type="datetime-local" value=publish_at
                                aria-describedby="post-publish-at-errors"/>
                            {error_list(schedule_errors, "Publish time", "post-publish-at-errors".into())}
                        </div>
                        <button type="submit" name="intent" value="schedule" class="button button--ghost">"Schedule"</button>
                    </details>
                    })}
                </div>
            </ActionForm>
            {(!is_new).then(|| view! { <PostDangerZone post_id=post_id.clone() status unpublish delete/> })}
        </div>
    }
}

/// Where the post stands in review, beside the editor: the way to withdraw it while it is
/// reviewed, and the requested corrections to mark fixed or answer.
#[component]
fn ReviewPanel(post_id: String, state: ReviewState, corrections: Vec<ReviewItem>, is_author: bool) -> impl IntoView {
    let withdraw = ServerAction::<WithdrawFromReview>::new();
    let respond = ServerAction::<RespondToItem>::new();
    let respond_error = action_error(respond);
    let items = RwSignal::new(corrections);
    Effect::new(move |_| {
        if let Some(Ok(item)) = respond.value().get() {
            items.update(|list| {
                if let Some(slot) = list.iter_mut().find(|old| old.id == item.id) {
                    *slot = item;
                }
            });
        }
    });
    let review_href = format!("/review/{post_id}");
    match state {
        ReviewState::InReview => view! {
            <div class="alert alert--info" role="status">
                <p>"This post is in review. " <A href=review_href>"See the review"</A></p>
                {is_author.then(|| view! {
                    <ActionForm action=withdraw attr:class="form form--inline">
                        <FormAlert error=action_error(withdraw)/>
                        <input type="hidden" name="post_id" value=post_id.clone()/>
                        <button type="submit" class="button button--small button--ghost">"Withdraw from review"</button>
                    </ActionForm>
                })}
            </div>
        }.into_any(),
        ReviewState::ChangesRequested | ReviewState::Idle if !items.with_untracked(Vec::is_empty) => view! {
            <section class="panel editor__corrections" aria-labelledby="corrections-title">
                <h2 id="corrections-title">"Requested corrections"</h2>
                <p class="muted">"Change the text, then mark each correction fixed or answer it; you can resubmit when none is open. "
                    <A href=review_href>"See the whole review"</A></p>
                <FormAlert error=respond_error/>
                {move || view! { <Items items=items.get() respond=is_author.then_some(respond)/> }}
            </section>
        }.into_any(),
        ReviewState::Rejected => view! {
            <div class="alert alert--error" role="status">
                <p>"This post was rejected and cannot be published. " <A href=review_href>"See the reason"</A></p>
            </div>
        }.into_any(),
        _ => ().into_any(),
    }
}

#[component]
fn PostDangerZone(
    post_id: String,
    status: Option<PostStatus>,
    unpublish: ServerAction<UnpublishPost>,
    delete: ServerAction<DeletePost>,
) -> impl IntoView {
    let unpublish_error = action_error(unpublish);
    let delete_error = action_error(delete);
    let live = matches!(status, Some(PostStatus::Published | PostStatus::Scheduled));
    let unpublish_id = post_id.clone();
    view! {
        <section class="panel panel--danger editor__danger" aria-labelledby="danger-title">
            <h2 id="danger-title">"Take it down"</h2>
            {live.then(|| view! {
                <ActionForm action=unpublish attr:class="form">
                    <FormAlert error=unpublish_error/>
                    <input type="hidden" name="id" value=unpublish_id.clone()/>
                    <p>{if status == Some(PostStatus::Scheduled) { "Cancel the schedule and keep it as a draft." } else { "Unpublish: readers will no longer see it; it stays here as a draft." }}</p>
                    <button type="submit" class="button button--ghost">{if status == Some(PostStatus::Scheduled) { "Cancel schedule" } else { "Unpublish" }}</button>
                </ActionForm>
            })}
            <ActionForm action=delete attr:class="form">
                <FormAlert error=form_error(delete_error)/>
                <input type="hidden" name="id" value=post_id/>
                <p>"Delete the post with its comments and likes. This cannot be undone."</p>
                <div class="field" class:field--invalid=move || delete_error.get().is_some_and(|e| !e.field_errors().get("confirm").is_empty())>
                    <label class="checkbox">
                        <input type="checkbox" name="confirm" value="true"/>
                        " Yes, delete this post"
                    </label>
                    <ul class="field__errors" aria-live="polite">
                        {move || delete_error.get().map(|e| e.field_errors().get("confirm").iter().map(|m| view! { <li>{format!("Confirmation {m}")}</li> }).collect_view())}
                    </ul>
                </div>
                <button type="submit" class="button button--danger">"Delete post"</button>
            </ActionForm>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::datetime_local;

    #[test]
    fn datetime_inputs_show_utc_minutes() {
        assert_eq!(datetime_local(1_795_266_300_000), "2026-11-21T13:05");
    }
}
