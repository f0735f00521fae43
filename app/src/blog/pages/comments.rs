//! The comment thread under a post: oldest first, one level of replies. Every action
//! (comment, reply, edit, delete, hide) is a form that works without JavaScript; the
//! reply and edit forms open in `<details>`, so they need none either.

use leptos::{html, prelude::*};

use crate::{
    accounts::components::action_error,
    blog::{
        api::{get_comments, AddComment, DeleteComment, EditComment, HideComment},
        components::Avatar,
        model::{format_date, iso_datetime, plural, CommentState, CommentThread, CommentView},
        validation::COMMENT_MAX,
    },
};

/// The thread's actions, shared by every comment in it.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddComment>,
    edit: ServerAction<EditComment>,
    delete: ServerAction<DeleteComment>,
    hide: ServerAction<HideComment>,
}

#[component]
pub fn CommentSection(post_id: String, initial: CommentThread, signed_in: bool, next: String) -> impl IntoView {
    let actions = Actions {
        add: ServerAction::new(),
        edit: ServerAction::new(),
        delete: ServerAction::new(),
        hide: ServerAction::new(),
    };
    let versions = move || {
        (
            actions.add.version().get(),
            actions.edit.version().get(),
            actions.delete.version().get(),
            actions.hide.version().get(),
        )
    };
    // The thread came with the post; it is fetched again only after a change to it.
    let thread_post = post_id.clone();
    let thread = Resource::new(versions, move |version| {
        let (post_id, initial) = (thread_post.clone(), initial.clone());
        async move {
            if version == (0, 0, 0, 0) {
                Ok(initial)
            } else {
                get_comments(post_id).await
            }
        }
    });
    // The first failure among the thread's forms, shown once above it.
    let error = Signal::derive(move || {
        [
            action_error(actions.add),
            action_error(actions.edit),
            action_error(actions.delete),
            action_error(actions.hide),
        ]
        .into_iter()
        .find_map(|e| e.get())
    });
    let form = NodeRef::<html::Form>::new();
    Effect::new(move |_| {
        if matches!(actions.add.value().get(), Some(Ok(_))) {
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    let form_post_id = post_id.clone();
    view! {
        <section id="comments" class="comments" aria-labelledby="comments-title">
            <Transition fallback=|| view! { <h2 id="comments-title">"Comments"</h2> }>
                {move || Suspend::new(async move {
                    let count = thread.await.map(|t| t.count).unwrap_or(0);
                    view! { <h2 id="comments-title">{plural(count, "comment", "comments")}</h2> }
                })}
            </Transition>
            {move || error.get().map(|error| {
                // Comment forms have one field, so its rules are spelled out here.
                let fields = error.field_errors();
                let text = if fields.get("body").is_empty() {
                    error.to_string()
                } else {
                    fields.get("body").iter().map(|m| format!("Your comment {m}.")).collect::<Vec<_>>().join(" ")
                };
                view! { <div class="alert alert--error" role="alert"><p>{text}</p></div> }
            })}
            {if signed_in {
                view! {
                    <ActionForm action=actions.add node_ref=form attr:class="form comment-form" attr:id="comment-form">
                        <input type="hidden" name="post_id" value=form_post_id/>
                        <label for="comment-body">"Add a comment"</label>
                        <textarea id="comment-body" name="body" rows="4" required maxlength=COMMENT_MAX.to_string()
                            placeholder="Be kind. Markdown works: **bold**, `code`, [links](https://example.com)."></textarea>
                        <button type="submit" class="button" disabled=move || actions.add.pending().get()>"Post comment"</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <p class="comments__signin"><a href=format!("/login?next={next}%23comments")>"Log in"</a>" to comment."</p>
                }.into_any()
            }}
            <Transition fallback=|| view! { <p class="loading">"Loading comments…"</p> }>
                {move || {
                    let post_id = post_id.clone();
                    Suspend::new(async move {
                        match thread.await {
                            Ok(thread) if thread.comments.is_empty() => view! {
                                <p class="muted">"No comments yet. Start the conversation."</p>
                            }.into_any(),
                            Ok(thread) => view! {
                                <ol class="comment-list">
                                    {thread.comments.into_iter().map(|comment| view! {
                                        <CommentItem comment actions post_id=post_id.clone() signed_in=thread.signed_in/>
                                    }).collect_view()}
                                </ol>
                            }.into_any(),
                            Err(error) => view! { <div class="alert alert--error"><p>{error.to_string()}</p></div> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn CommentItem(comment: CommentView, actions: Actions, post_id: String, signed_in: bool) -> impl IntoView {
    let anchor = format!("comment-{}", comment.id);
    let is_reply = comment.parent_id.is_some();
    let author_name = comment.author.as_ref().map_or_else(|| "Deleted account".to_string(), |a| a.display_name.clone());
    let body = match (comment.state, comment.body_html.clone()) {
        (CommentState::Deleted, _) => view! { <p class="comment__stub">"This comment was deleted."</p> }.into_any(),
        (CommentState::Hidden, None) => {
            view! { <p class="comment__stub">"This comment was hidden by a moderator."</p> }.into_any()
        }
        (_, Some(html)) => view! { <div class="prose prose--small" inner_html=html></div> }.into_any(),
        (CommentState::Visible, None) => ().into_any(),
    };
    let hidden_badge = (comment.state == CommentState::Hidden && comment.body_html.is_some())
        .then(|| view! { <span class="badge badge--draft">"Hidden"</span> });
    let replies = comment.replies.clone();
    let can_reply = signed_in && !is_reply && comment.state == CommentState::Visible;
    let (edit_id, delete_id, hide_id) = (comment.id.clone(), comment.id.clone(), comment.id.clone());
    view! {
        <li id=anchor class="comment" class:comment--reply=is_reply>
            <header class="comment__header">
                {comment.author.clone().map(|author| {
                    let href = format!("/u/{}", author.username);
                    view! { <Avatar author/><a href=href class="comment__author">{author_name.clone()}</a> }.into_any()
                }).unwrap_or_else(|| view! { <span class="comment__author muted">{author_name.clone()}</span> }.into_any())}
                <time datetime=iso_datetime(comment.created_at_ms)>{format_date(comment.created_at_ms)}</time>
                {comment.edited_at_ms.map(|_| view! { <span class="muted">"(edited)"</span> })}
                {hidden_badge}
            </header>
            {body}
            <div class="comment__actions">
                {can_reply.then(|| view! { <ReplyForm parent_id=comment.id.clone() post_id=post_id.clone() action=actions.add/> })}
                {comment.body_markdown.clone().map(|markdown| view! {
                    <details class="comment__edit">
                        <summary>"Edit"</summary>
                        <ActionForm action=actions.edit attr:class="form">
                            <label for=format!("edit-{edit_id}")>"Edit your comment"</label>
                            <textarea id=format!("edit-{edit_id}") name="body" rows="4" required maxlength=COMMENT_MAX.to_string()>{markdown}</textarea>
                            <input type="hidden" name="comment_id" value=edit_id.clone()/>
                            <button type="submit" class="button button--small">"Save"</button>
                        </ActionForm>
                    </details>
                    <ActionForm action=actions.delete attr:class="inline-form">
                        <input type="hidden" name="comment_id" value=delete_id.clone()/>
                        <button type="submit" class="link-button link-button--danger">"Delete"</button>
                    </ActionForm>
                })}
                {comment.can_hide.then(|| {
                    let hidden = comment.state == CommentState::Hidden;
                    view! {
                        <ActionForm action=actions.hide attr:class="inline-form">
                            <input type="hidden" name="comment_id" value=hide_id.clone()/>
                            <input type="hidden" name="hidden" value=(!hidden).to_string()/>
                            <button type="submit" class="link-button">{if hidden { "Show again" } else { "Hide" }}</button>
                        </ActionForm>
                    }
                })}
            </div>
            {(!replies.is_empty()).then(|| view! {
                <ol class="comment-list comment-list--replies">
                    {replies.into_iter().map(|reply| view! {
                        <CommentItem comment=reply actions post_id=post_id.clone() signed_in/>
                    }).collect_view()}
                </ol>
            })}
        </li>
    }
    .into_any()
}

#[component]
fn ReplyForm(parent_id: String, post_id: String, action: ServerAction<AddComment>) -> impl IntoView {
    let id = format!("reply-{parent_id}");
    let details = NodeRef::<html::Details>::new();
    // A sent reply closes its form.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            if let Some(details) = details.get() {
                details.set_open(false);
            }
        }
    });
    view! {
        <details class="comment__reply" node_ref=details>
            <summary>"Reply"</summary>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="post_id" value=post_id/>
                <input type="hidden" name="parent_id" value=parent_id/>
                <label for=id.clone()>"Your reply"</label>
                <textarea id=id name="body" rows="3" required maxlength=COMMENT_MAX.to_string()></textarea>
                <button type="submit" class="button button--small">"Reply"</button>
            </ActionForm>
        </details>
    }
}
