//! `/review` (the reviewers' queue and the site setting) and `/review/{post_id}` (one
//! post's review: the submitted revision, what changed since the last submission, the
//! corrections and the whole history). Plain forms that work without JavaScript.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    api::{
        get_review_page, get_review_queue, get_review_settings, AddReviewItem, DecideReview, RemoveReviewItem,
        RespondToItem, SaveReviewSettings, SubmitForReview, WithdrawFromReview,
    },
    model::{DiffKind, FieldDiff, ItemState, ItemTarget, ReviewItem, ReviewPage, Submission, SubmissionStatus},
    rules::ReviewState,
};
use crate::{
    accounts::{
        components::{action_error, error_list, form_error, server_field, FormAlert},
        model::format_utc,
        pages::SignedInOnly,
        Role,
    },
    blog::{components::Avatar, model::format_date},
    error::AppError,
    pages::NotFound,
    site::title_text,
};

fn when(ms: i64) -> String {
    format_utc(ms / 1000)
}

// ---- The queue ------------------------------------------------------------------------

#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    view! {
        <Title text=title_text("Review queue")/>
        <Meta name="robots" content="noindex"/>
        <SignedInOnly next="/review" children=|user| {
            let queue = Resource::new(|| (), |_| get_review_queue());
            let admin = user.role == Role::Admin;
            view! {
                <header class="page-header">
                    <h1>"Review queue"</h1>
                    <p class="lead">"Posts waiting for a decision, oldest first."</p>
                </header>
                <Suspense fallback=|| view! { <p class="loading">"Loading the queue…"</p> }>
                    {move || Suspend::new(async move {
                        match queue.await {
                            Ok(queue) => view! {
                                <ul class="review-counts" aria-label="Review counts">
                                    <li><strong>{queue.counts.pending}</strong>" waiting for review"</li>
                                    <li><strong>{queue.counts.with_authors}</strong>" with their authors"</li>
                                    <li><strong>{queue.counts.approved_30d}</strong>" approved in 30 days"</li>
                                    <li><strong>{queue.counts.rejected_30d}</strong>" rejected in 30 days"</li>
                                </ul>
                                {if queue.pending.is_empty() {
                                    view! { <p class="empty-state">"Nothing waits for review."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-scroll"><table class="field-table review-queue">
                                            <thead><tr><th scope="col">"Post"</th><th scope="col">"Author"</th><th scope="col">"Submitted"</th></tr></thead>
                                            <tbody>
                                                {queue.pending.into_iter().map(|entry| view! {
                                                    <tr>
                                                        <td>
                                                            <A href=format!("/review/{}", entry.post_id)>{entry.title}</A>
                                                            {entry.resubmission.then(|| view! { <span class="badge badge--review">"Corrected"</span> })}
                                                        </td>
                                                        <td><Avatar author=entry.author.clone()/>" "{entry.author.display_name}</td>
                                                        <td>{when(entry.submitted_at_ms)}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table></div>
                                    }.into_any()
                                }}
                            }.into_any(),
                            Err(error) => view! { <div class="alert alert--error" role="alert"><p>{error.to_string()}</p></div> }.into_any(),
                        }
                    })}
                </Suspense>
                {admin.then(|| view! { <ReviewSettingsForm/> })}
            }
        }/>
    }
}

#[component]
fn ReviewSettingsForm() -> impl IntoView {
    let save = ServerAction::<SaveReviewSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_review_settings());
    view! {
        <section class="panel review-settings" aria-labelledby="review-settings-title">
            <h2 id="review-settings-title">"Who is reviewed"</h2>
            <Suspense>
                {move || Suspend::new(async move {
                    settings.await.ok().map(|settings| view! {
                        <ActionForm action=save attr:class="form">
                            <FormAlert error=action_error(save)/>
                            <fieldset>
                                <legend>"Posts reviewed before publishing"</legend>
                                <label class="checkbox"><input type="checkbox" name="review_client" value="on" checked=settings.needs_review(Role::Client)/>" Clients"</label>
                                <label class="checkbox"><input type="checkbox" name="review_trainer" value="on" checked=settings.needs_review(Role::Trainer)/>" Trainers"</label>
                            </fieldset>
                            <fieldset>
                                <legend>"Reviewers besides administrators"</legend>
                                <label class="checkbox"><input type="checkbox" name="reviewer_trainer" value="on" checked=settings.reviews(Role::Trainer)/>" Trainers"</label>
                            </fieldset>
                            <button type="submit" class="button">"Save"</button>
                        </ActionForm>
                    })
                })}
            </Suspense>
        </section>
    }
}

// ---- One post's review ----------------------------------------------------------------

/// The actions of the review page; any of them finishing reloads the page's data.
#[derive(Clone, Copy)]
struct Actions {
    submit: ServerAction<SubmitForReview>,
    withdraw: ServerAction<WithdrawFromReview>,
    add: ServerAction<AddReviewItem>,
    remove: ServerAction<RemoveReviewItem>,
    respond: ServerAction<RespondToItem>,
    decide: ServerAction<DecideReview>,
}

impl Actions {
    fn new() -> Self {
        Self {
            submit: ServerAction::new(),
            withdraw: ServerAction::new(),
            add: ServerAction::new(),
            remove: ServerAction::new(),
            respond: ServerAction::new(),
            decide: ServerAction::new(),
        }
    }

    fn versions(&self) -> [usize; 6] {
        [
            self.submit.version().get(),
            self.withdraw.version().get(),
            self.add.version().get(),
            self.remove.version().get(),
            self.respond.version().get(),
            self.decide.version().get(),
        ]
    }
}

#[component]
pub fn ReviewPostPage() -> impl IntoView {
    let params = use_params_map();
    let post_id = move || params.read().get("post_id").unwrap_or_default();
    view! {
        <Meta name="robots" content="noindex"/>
        <SignedInOnly next="/review" children=move |_| {
            let actions = Actions::new();
            let page = Resource::new(move || (post_id(), actions.versions()), |(id, _)| get_review_page(id));
            view! {
                <Suspense fallback=|| view! { <p class="loading">"Loading the review…"</p> }>
                    {move || Suspend::new(async move {
                        match page.await {
                            Ok(page) => view! { <Review page actions/> }.into_any(),
                            Err(AppError::NotFound(_)) => view! { <NotFound/> }.into_any(),
                            Err(error) => view! { <div class="alert alert--error" role="alert"><p>{error.to_string()}</p></div> }.into_any(),
                        }
                    })}
                </Suspense>
            }
        }/>
    }
}

#[component]
fn Review(page: ReviewPage, actions: Actions) -> impl IntoView {
    let latest = page.latest().cloned();
    let title = page.revision.title.clone();
    let state_class = format!("badge badge--review badge--{}", page.review_state.as_db().unwrap_or("idle"));
    let pending = latest.as_ref().is_some_and(|s| s.status == SubmissionStatus::Pending);
    let deciding = page.viewer_is_reviewer && pending && page.review_state == ReviewState::InReview;
    let post_id = page.post_id.clone();
    let edit_href = format!("/blog/{}/edit", page.slug);
    let live_href = format!("/blog/{}", page.slug);
    let live = page.status == crate::blog::model::PostStatus::Published;
    view! {
        <Title text=title_text(&format!("Review: {title}"))/>
        <article class="review">
            <header class="page-header">
                <p class="eyebrow">{page.viewer_is_reviewer.then(|| view! { <A href="/review">"Review queue"</A> })}</p>
                <h1>{title.clone()}</h1>
                <p class="muted review__byline">
                    <Avatar author=page.author.clone()/>" "{page.author.display_name.clone()}" · "
                    <span class=state_class>{page.review_state.label()}</span>
                    {live.then(|| view! { " · " <A href=live_href.clone()>"Live version"</A> })}
                    {page.viewer_is_author.then(|| view! { " · " <A href=edit_href.clone()>"Open in the editor"</A> })}
                </p>
            </header>
            {page.viewer_is_author.then(|| view! { <AuthorActions post_id=post_id.clone() state=page.review_state actions/> })}
            {match &page.diff {
                Some(diff) if diff.is_empty() => view! {
                    <section class="panel"><h2>"Changes since the last submission"</h2><p class="muted">"The text is unchanged; see the answers below."</p></section>
                }.into_any(),
                Some(diff) => view! { <Diff diff=diff.clone()/> }.into_any(),
                None => ().into_any(),
            }}
            {latest.clone().map(|latest| view! {
                <CurrentSubmission submission=latest post_id=post_id.clone() deciding author=page.viewer_is_author actions
                    files=page.revision.attachments.clone()/>
            })}
            <section class="panel review__revision" aria-labelledby="revision-title">
                <h2 id="revision-title">"Submitted version"</h2>
                <p class="review__field-label">"Title"</p>
                <p class="post__title">{page.revision.title.clone()}</p>
                {(!page.revision.description.is_empty()).then(|| view! {
                    <p class="review__field-label">"Description"</p>
                    <p>{page.revision.description.clone()}</p>
                })}
                {(!page.revision.tags.is_empty()).then(|| view! {
                    <p class="review__field-label">"Tags"</p>
                    <p>{page.revision.tags.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(" ")}</p>
                })}
                {(!page.revision.cover_html.is_empty()).then(|| view! {
                    <p class="review__field-label">"Cover image"</p>
                    <div class="post__media" inner_html=page.revision.cover_html.clone()></div>
                })}
                <p class="review__field-label">"Text"</p>
                <div class="prose" inner_html=page.revision.body_html.clone()></div>
                {(!page.revision.attachments_html.is_empty()).then(|| view! {
                    <div class="post__media" inner_html=page.revision.attachments_html.clone()></div>
                })}
            </section>
            {deciding.then(|| view! { <Decision post_id=post_id.clone() live actions/> })}
            <History history=page.history.iter().skip(1).cloned().collect()/>
        </article>
    }
}

#[component]
fn AuthorActions(post_id: String, state: ReviewState, actions: Actions) -> impl IntoView {
    let withdraw_error = action_error(actions.withdraw);
    let submit_error = action_error(actions.submit);
    let withdraw_id = post_id.clone();
    view! {
        <div class="review__author-actions">
            {matches!(state, ReviewState::InReview | ReviewState::ChangesRequested).then(|| view! {
                <ActionForm action=actions.withdraw attr:class="form form--inline">
                    <FormAlert error=withdraw_error/>
                    <input type="hidden" name="post_id" value=withdraw_id.clone()/>
                    <button type="submit" class="button button--ghost">"Withdraw from review"</button>
                </ActionForm>
            })}
            {(state == ReviewState::ChangesRequested).then(|| view! {
                <ActionForm action=actions.submit attr:class="form form--inline">
                    <FormAlert error=submit_error/>
                    <input type="hidden" name="post_id" value=post_id.clone()/>
                    <button type="submit" class="button">"Submit again"</button>
                </ActionForm>
            })}
        </div>
    }
}

#[component]
fn Diff(diff: Vec<FieldDiff>) -> impl IntoView {
    view! {
        <section class="panel review__diff" aria-labelledby="diff-title">
            <h2 id="diff-title">"Changes since the last submission"</h2>
            {diff.into_iter().map(|field| view! {
                <h3>{field.field.label()}</h3>
                <pre class="diff">
                    {field.lines.into_iter().map(|line| {
                        let (class, mark, label) = match line.kind {
                            DiffKind::Same => ("diff__line", " ", ""),
                            DiffKind::Added => ("diff__line diff__line--added", "+", "Added: "),
                            DiffKind::Removed => ("diff__line diff__line--removed", "−", "Removed: "),
                            DiffKind::Gap => ("diff__line diff__line--gap", "⋯", "Unchanged lines"),
                        };
                        view! { <span class=class><span class="visually-hidden">{label}</span><span aria-hidden="true">{mark}" "</span>{line.text}"\n"</span> }
                    }).collect_view()}
                </pre>
            }).collect_view()}
        </section>
    }
}

#[component]
fn CurrentSubmission(
    submission: Submission,
    post_id: String,
    deciding: bool,
    author: bool,
    actions: Actions,
    /// The submitted version's attachments as (upload id, name).
    files: Vec<(String, String)>,
) -> impl IntoView {
    let answering = author && submission.status == SubmissionStatus::ChangesRequested;
    view! {
        <section class="panel review__current" aria-labelledby="current-title">
            <h2 id="current-title">{submission.status.label()}</h2>
            <SubmissionFacts submission=submission.clone()/>
            {(!submission.items.is_empty() || deciding).then(|| view! {
                <h3>"Corrections"</h3>
                <Items items=submission.items.clone()
                    respond=answering.then_some(actions.respond) remove=deciding.then_some(actions.remove)/>
            })}
            {deciding.then(|| view! { <AddItem post_id actions files/> })}
        </section>
    }
}

#[component]
fn SubmissionFacts(submission: Submission) -> impl IntoView {
    view! {
        <dl class="review__facts">
            <dt>"Submitted"</dt><dd>{when(submission.submitted_at_ms)}</dd>
            {(!submission.author_note.is_empty()).then(|| view! { <dt>"Author’s note"</dt><dd>{submission.author_note.clone()}</dd> })}
            {submission.decided_at_ms.map(|at| view! {
                <dt>"Decided"</dt>
                <dd>{when(at)}{submission.reviewer.clone().map(|name| format!(" by {name}"))}</dd>
            })}
            {submission.publish_at_ms.map(|at| view! { <dt>"Publication"</dt><dd>{format_date(at)}" ("{when(at)}")"</dd> })}
            {(!submission.decision_note.is_empty()).then(|| view! {
                <dt>{if submission.status == SubmissionStatus::Rejected { "Reason" } else { "Summary" }}</dt>
                <dd>{submission.decision_note.clone()}</dd>
            })}
        </dl>
    }
}

/// A list of corrections; `respond` for the author answering them, `remove` for the
/// reviewer drafting them.
#[component]
pub fn Items(
    items: Vec<ReviewItem>,
    #[prop(default = None)] respond: Option<ServerAction<RespondToItem>>,
    #[prop(default = None)] remove: Option<ServerAction<RemoveReviewItem>>,
) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">"No corrections yet."</p> }.into_any();
    }
    view! {
        <ol class="review-items">
            {items.into_iter().map(|item| view! { <Item item respond remove/> }).collect_view()}
        </ol>
    }
    .into_any()
}

/// One correction: where it points, the reviewer's note, the author's answer, and the
/// forms of whoever may act on it now.
#[component]
fn Item(
    item: ReviewItem,
    respond: Option<ServerAction<RespondToItem>>,
    remove: Option<ServerAction<RemoveReviewItem>>,
) -> impl IntoView {
    let state_class = format!("badge badge--item-{}", item.state.as_str());
    // An attachment's correction names the file where others quote a passage.
    let is_file = item.target == ItemTarget::Attachment;
    let id = item.id.clone();
    let remove_id = item.id.clone();
    view! {
        <li class="review-item" data-item=item.id.clone()>
            <p class="review-item__head">
                <strong>{item.target.label()}</strong>" "
                {is_file.then(|| view! { <span class="review-item__file">{item.quote.clone()}</span>" " })}
                <span class=state_class>{item.state.label()}</span>
            </p>
            {(!item.quote.is_empty() && !is_file).then(|| view! { <blockquote class="review-item__quote">{item.quote.clone()}</blockquote> })}
            <p class="review-item__note">{item.note.clone()}</p>
            {(!item.answer.is_empty()).then(|| view! { <p class="review-item__answer"><strong>"Answer: "</strong>{item.answer.clone()}</p> })}
            {respond.map(|respond| view! { <ItemResponse id=id.clone() state=item.state respond/> })}
            {remove.map(|remove| view! {
                <ActionForm action=remove attr:class="form form--inline">
                    <input type="hidden" name="item_id" value=remove_id.clone()/>
                    <button type="submit" class="button button--small button--ghost">"Remove"</button>
                </ActionForm>
            })}
        </li>
    }
}

/// The author's answers to one correction: fixed, a written answer, or open again.
#[component]
fn ItemResponse(id: String, state: ItemState, respond: ServerAction<RespondToItem>) -> impl IntoView {
    let (fixed_id, answer_id, reopen_id) = (id.clone(), id.clone(), id.clone());
    let field = format!("answer-{id}");
    view! {
        {if state == ItemState::Open {
            view! {
                <div class="review-item__actions">
                    <ActionForm action=respond attr:class="form form--inline">
                        <input type="hidden" name="item_id" value=fixed_id/>
                        <input type="hidden" name="state" value="fixed"/>
                        <button type="submit" class="button button--small">"Mark fixed"</button>
                    </ActionForm>
                    <ActionForm action=respond attr:class="form review-item__answer-form">
                        <input type="hidden" name="item_id" value=answer_id/>
                        <input type="hidden" name="state" value="answered"/>
                        <label for=field.clone()>"Or answer the reviewer"</label>
                        <textarea id=field name="answer" rows="2" maxlength="2000"></textarea>
                        <button type="submit" class="button button--small button--ghost">"Send answer"</button>
                    </ActionForm>
                </div>
            }.into_any()
        } else {
            view! {
                <ActionForm action=respond attr:class="form form--inline">
                    <input type="hidden" name="item_id" value=reopen_id/>
                    <input type="hidden" name="state" value="open"/>
                    <button type="submit" class="button button--small button--ghost">"Reopen"</button>
                </ActionForm>
            }.into_any()
        }}
    }
}

#[component]
fn AddItem(post_id: String, actions: Actions, files: Vec<(String, String)>) -> impl IntoView {
    let error = action_error(actions.add);
    view! {
        <ActionForm action=actions.add attr:class="form review__add-item">
            <h3>"Add a correction"</h3>
            <FormAlert error=form_error(error)/>
            <input type="hidden" name="post_id" value=post_id/>
            <div class="field">
                <label for="item-target">"Part"</label>
                <select id="item-target" name="target">
                    {ItemTarget::ALL.into_iter().map(|t| view! { <option value=t.as_str()>{t.label()}</option> }).collect_view()}
                </select>
                {error_list(server_field(error, "target"), "Part", "review-target-errors".into())}
            </div>
            {(!files.is_empty()).then(|| view! {
                <div class="field">
                    <label for="item-file">"Attached file"</label>
                    <p class="field__hint" id="item-file-hint">"For a correction about an attachment: which one."</p>
                    <select id="item-file" name="file" aria-describedby="item-file-hint">
                        {files.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                    {error_list(server_field(error, "file"), "Attached file", "review-file-errors".into())}
                </div>
            })}
            <div class="field">
                <label for="item-quote">"Quoted passage"</label>
                <p class="field__hint" id="item-quote-hint">"Optional: copy the sentence or paragraph the note is about."</p>
                <textarea id="item-quote" name="quote" rows="2" maxlength="1000" aria-describedby="item-quote-hint"></textarea>
                {error_list(server_field(error, "quote"), "Quoted passage", "review-quote-errors".into())}
            </div>
            <div class="field field--required">
                <label for="item-note">"What should change"</label>
                <textarea id="item-note" name="note" rows="3" maxlength="2000" required></textarea>
                {error_list(server_field(error, "note"), "Note", "review-note-errors".into())}
            </div>
            <button type="submit" class="button button--ghost">"Add correction"</button>
        </ActionForm>
    }
}

#[component]
fn Decision(post_id: String, live: bool, actions: Actions) -> impl IntoView {
    let error = action_error(actions.decide);
    let (approve_id, changes_id) = (post_id.clone(), post_id.clone());
    view! {
        <section class="panel review__decision" aria-labelledby="decision-title">
            <h2 id="decision-title">"Decision"</h2>
            <FormAlert error=form_error(error)/>
            <ActionForm action=actions.decide attr:class="form">
                <input type="hidden" name="post_id" value=approve_id/>
                <input type="hidden" name="decision" value="approve"/>
                // A live post is updated at once; a new one may wait for its time.
                {(!live).then(|| view! {
                    <div class="field">
                        <label for="decision-publish-at">"Publish at (UTC)"</label>
                        <p class="field__hint" id="decision-publish-at-hint">"Leave empty to publish at once."</p>
                        <input id="decision-publish-at" name="publish_at" type="datetime-local" aria-describedby="decision-publish-at-hint"/>
                        {error_list(server_field(error, "publish_at"), "Publish time", "review-publish_at-errors".into())}
                    </div>
                })}
                <button type="submit" class="button">"Approve"</button>
            </ActionForm>
            <NoteDecision post_id=changes_id decision="request_changes" label="Summary for the author"
                field="items" field_label="Corrections:" button="Request changes" class="button button--ghost" actions/>
            <NoteDecision post_id decision="reject" label="Reason for rejecting"
                field="reason" field_label="Reason" button="Reject for good" class="button button--danger" actions/>
        </section>
    }
}

/// A decision that carries a note: requested changes (the summary) or a rejection (the
/// reason).
#[component]
fn NoteDecision(
    post_id: String,
    decision: &'static str,
    label: &'static str,
    /// The field whose errors are shown under the note, and how they are introduced.
    field: &'static str,
    field_label: &'static str,
    button: &'static str,
    class: &'static str,
    actions: Actions,
) -> impl IntoView {
    let error = action_error(actions.decide);
    let id = format!("decision-{decision}");
    view! {
        <ActionForm action=actions.decide attr:class="form">
            <input type="hidden" name="post_id" value=post_id/>
            <input type="hidden" name="decision" value=decision/>
            <div class="field">
                <label for=id.clone()>{label}</label>
                <textarea id=id name="note" rows="3" maxlength="4000"></textarea>
                {error_list(server_field(error, field), field_label, format!("decision-{decision}-errors"))}
            </div>
            <button type="submit" class=class>{button}</button>
        </ActionForm>
    }
}

#[component]
fn History(history: Vec<Submission>) -> impl IntoView {
    (!history.is_empty()).then(|| {
        view! {
            <section class="panel review__history" aria-labelledby="history-title">
                <h2 id="history-title">"Earlier submissions"</h2>
                <ol class="review-history">
                    {history.into_iter().map(|submission| view! {
                        <li>
                            <h3>{submission.status.label()}</h3>
                            <SubmissionFacts submission=submission.clone()/>
                            {(!submission.items.is_empty()).then(|| view! { <Items items=submission.items.clone()/> })}
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        }
    })
}
