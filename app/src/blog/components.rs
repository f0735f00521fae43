//! Building blocks of the blog pages: post cards and lists, sort tabs, avatars, the
//! like, bookmark and follow buttons (forms that work without JavaScript), the search
//! box and the head tags that make shared links look good.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::components::{Form, A};

use super::{
    api::{React, SetFollow},
    model::{
        format_date, iso_datetime, plural, reading_time_label, AuthorRef, Highlighted, Period, PostPage, PostStatus,
        PostSummary, Profile, Sort,
    },
};
use crate::{
    accounts::components::{action_error, use_auth, FormAlert},
    review::rules::ReviewState,
    root::SITE_NAME,
    site::{title_text, use_site},
};

/// The blog's own navigation: where to read, and for writers where to write.
#[component]
pub fn BlogNav() -> impl IntoView {
    let auth = use_auth();
    view! {
        <nav class="blog-nav" aria-label="Blog">
            <ul>
                <li><A href="/blog" exact=true>"Explore"</A></li>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        auth.user.await.ok().flatten().map(|_| view! {
                            <li><A href="/blog/following">"Following"</A></li>
                            <li><A href="/blog/bookmarks">"Bookmarks"</A></li>
                            <li><A href="/blog/drafts">"Your posts"</A></li>
                        })
                    })}
                </Transition>
            </ul>
            <SearchBox query=String::new()/>
        </nav>
    }
}

/// A GET form to `/blog/search`: a normal form without JavaScript, client-side
/// navigation with it.
#[component]
pub fn SearchBox(#[prop(into)] query: String) -> impl IntoView {
    view! {
        <Form action="/blog/search" attr:class="search-box" attr:role="search">
            <label for="search-q" class="visually-hidden">"Search posts"</label>
            <input id="search-q" type="search" name="q" value=query placeholder="Search posts" maxlength="200"/>
            <button type="submit" class="button button--small">"Search"</button>
        </Form>
    }
}

/// A round picture of a person, or their initial when they have none.
#[component]
pub fn Avatar(author: AuthorRef, #[prop(default = "small")] size: &'static str) -> impl IntoView {
    let class = format!("avatar avatar--{size}");
    match author.avatar_url {
        Some(url) => view! { <img class=class src=url alt="" loading="lazy" referrerpolicy="no-referrer"/> }.into_any(),
        None => {
            let initial = author.display_name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
            view! { <span class=class aria-hidden="true">{initial}</span> }.into_any()
        }
    }
}

#[component]
pub fn TagList(tags: Vec<String>) -> impl IntoView {
    (!tags.is_empty()).then(|| {
        view! {
            <ul class="tags" aria-label="Tags">
                {tags.into_iter().map(|tag| {
                    let href = format!("/blog/tag/{tag}");
                    view! { <li><A href=href attr:class="tag">"#"{tag}</A></li> }
                }).collect_view()}
            </ul>
        }
    })
}

/// One post in a list.
#[component]
pub fn PostCard(post: PostSummary, #[prop(optional)] show_status: bool) -> impl IntoView {
    let href = format!("/blog/{}", post.slug);
    let edit_href = format!("/blog/{}/edit", post.slug);
    let author_href = format!("/u/{}", post.author.username);
    let when = post.published_at_ms.or(post.scheduled_at_ms).unwrap_or(post.updated_at_ms);
    let status = post.status;
    let review = post.review_state;
    let review_href = format!("/review/{}", post.id);
    view! {
        <article class="post-card">
            <header class="post-card__byline">
                <Avatar author=post.author.clone()/>
                <A href=author_href attr:class="post-card__author">{post.author.display_name.clone()}</A>
                <span aria-hidden="true">"·"</span>
                <time datetime=iso_datetime(when)>{format_date(when)}</time>
                {(show_status && status != PostStatus::Published).then(|| view! {
                    <span class=format!("badge badge--{}", status.as_str())>{status.label()}</span>
                })}
                {(show_status && review != ReviewState::Idle).then(|| view! {
                    <A href=review_href attr:class="badge badge--review">{review.label()}
                        {(post.open_items > 0).then(|| format!(" · {} open", post.open_items))}
                    </A>
                })}
            </header>
            <h2 class="post-card__title"><A href=href>{post.title.clone()}</A></h2>
            {(!post.excerpt.is_empty()).then(|| view! { <p class="post-card__excerpt">{post.excerpt.clone()}</p> })}
            <footer class="post-card__meta">
                <TagList tags=post.tags.clone()/>
                <span class="post-card__stats">
                    <span title="Likes">{plural(post.like_count, "like", "likes")}</span>
                    <span title="Comments">{plural(post.comment_count, "comment", "comments")}</span>
                    <span>{reading_time_label(post.reading_minutes)}</span>
                </span>
                {show_status.then(|| view! { <A href=edit_href attr:class="button button--small button--ghost">"Edit"</A> })}
            </footer>
        </article>
    }
}

/// A page of posts with a link to the next one (keyset: `after` the last shown).
#[component]
pub fn PostList(
    page: PostPage,
    /// The address of the page after `cursor`.
    next_href: Callback<String, String>,
    #[prop(into)] empty: String,
    #[prop(optional)] show_status: bool,
    #[prop(optional)] is_continuation: bool,
    #[prop(into, optional)] first_href: Option<String>,
) -> impl IntoView {
    if page.posts.is_empty() {
        return view! {
            <div class="empty-state">
                <p>{if is_continuation { "No more posts.".to_string() } else { empty }}</p>
                {first_href.filter(|_| is_continuation).map(|href| view! { <p><A href=href>"Back to the first page"</A></p> })}
            </div>
        }
        .into_any();
    }
    let next = page.next.map(|cursor| next_href.run(cursor));
    view! {
        <div class="post-list">
            {page.posts.into_iter().map(|post| view! { <PostCard post show_status/> }).collect_view()}
        </div>
        <nav class="pager" aria-label="Pages">
            {first_href.filter(|_| is_continuation).map(|href| view! { <A href=href attr:class="button button--ghost">"← Newest"</A> })}
            {next.map(|href| view! { <A href=href attr:class="button button--ghost" attr:rel="next">"More posts →"</A> })}
        </nav>
    }
    .into_any()
}

/// Hot / New / Top (with its period) as links that keep the other filters.
#[component]
pub fn SortTabs(current: Sort, base: String) -> impl IntoView {
    let link = move |sort: Sort| {
        let query = sort.query();
        if query.is_empty() {
            base.clone()
        } else {
            format!("{base}?{query}")
        }
    };
    let tab = |label: &'static str, active: bool, href: String| {
        view! {
            <li>
                <a href=href class="sort-tabs__tab" class:sort-tabs__tab--active=active aria-current=active.then_some("page")>
                    {label}
                </a>
            </li>
        }
    };
    let top_period = match current {
        Sort::Top(period) => Some(period),
        _ => None,
    };
    view! {
        <div class="sort-tabs">
            <ul class="sort-tabs__main" aria-label="Order">
                {tab("Hot", current == Sort::Hot, link(Sort::Hot))}
                {tab("New", current == Sort::New, link(Sort::New))}
                {tab("Top", top_period.is_some(), link(Sort::Top(Period::Week)))}
            </ul>
            {top_period.map(|active| view! {
                <ul class="sort-tabs__periods" aria-label="Period">
                    {Period::ALL.into_iter().map(|period| {
                        let on = period == active;
                        view! {
                            <li>
                                <a href=link(Sort::Top(period)) class="chip" class:chip--active=on aria-current=on.then_some("page")>
                                    {period.label()}
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// What a reaction button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactionKind {
    Like,
    Bookmark,
}

impl ReactionKind {
    fn key(self) -> &'static str {
        match self {
            Self::Like => "like",
            Self::Bookmark => "bookmark",
        }
    }

    /// An SVG path (24×24, stroked) for the icon.
    fn icon_path(self) -> &'static str {
        match self {
            Self::Like => {
                "M12 20.5s-7.5-4.6-7.5-10.1A4.4 4.4 0 0 1 12 7.6a4.4 4.4 0 0 1 7.5 2.8c0 5.5-7.5 10.1-7.5 10.1z"
            }
            Self::Bookmark => "M6.5 3.5h11v17l-5.5-4-5.5 4z",
        }
    }

    /// The label when off and when on.
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Self::Like => ("Like", "Liked"),
            Self::Bookmark => ("Save", "Saved"),
        }
    }
}

/// A like or bookmark button: a form that sets the state it shows the opposite of, with
/// the count. Signed-out readers get a link to log in and come back.
#[component]
pub fn ReactionButton(
    kind: ReactionKind,
    post_id: String,
    active: bool,
    count: i64,
    signed_in: bool,
    next: String,
) -> impl IntoView {
    let (off, on) = kind.labels();
    if !signed_in {
        let href = format!("/login?next={next}");
        return view! {
            <a class="reaction" href=href>
                <ReactionIcon kind/>" "{off}" "<span class="reaction__count">{count}</span>
                <span class="visually-hidden">" (log in first)"</span>
            </a>
        }
        .into_any();
    }
    let action = ServerAction::<React>::new();
    let state = RwSignal::new((active, count));
    Effect::new(move |_| {
        if let Some(Ok(reaction)) = action.value().get() {
            state.set((reaction.active, reaction.count));
        }
    });
    let error = action_error(action);
    view! {
        <ActionForm action=action attr:class="reaction-form">
            <input type="hidden" name="post_id" value=post_id/>
            <input type="hidden" name="kind" value=kind.key()/>
            <input type="hidden" name="on" value=move || (!state.get().0).to_string()/>
            <button type="submit" class="reaction" class:reaction--on=move || state.get().0
                aria-pressed=move || state.get().0.to_string() disabled=move || action.pending().get()>
                <ReactionIcon kind/>
                {move || format!(" {} ", if state.get().0 { on } else { off })}
                <span class="reaction__count">{move || state.get().1}</span>
            </button>
            <FormAlert error/>
        </ActionForm>
    }
    .into_any()
}

#[component]
fn ReactionIcon(kind: ReactionKind) -> impl IntoView {
    view! {
        <svg class="reaction__icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <path d=kind.icon_path()/>
        </svg>
    }
}

/// Follow or unfollow; hidden on one's own profile, a login link when signed out.
#[component]
pub fn FollowButton(profile: Profile, signed_in: bool, next: String) -> impl IntoView {
    if profile.is_self {
        return ().into_any();
    }
    let name = profile.author.display_name.clone();
    if !signed_in {
        let href = format!("/login?next={next}");
        return view! {
            <div class="follow-form">
                <a class="button button--small" href=href>"Follow"<span class="visually-hidden">" "{name}</span></a>
                <span class="follow-form__count">{plural(profile.followers, "follower", "followers")}</span>
            </div>
        }
        .into_any();
    }
    let action = ServerAction::<SetFollow>::new();
    let followed = RwSignal::new(profile.followed);
    let followers = RwSignal::new(profile.followers);
    Effect::new(move |_| {
        if let Some(Ok(updated)) = action.value().get() {
            followed.set(updated.followed);
            followers.set(updated.followers);
        }
    });
    let error = action_error(action);
    view! {
        <ActionForm action=action attr:class="follow-form">
            <input type="hidden" name="username" value=profile.author.username.clone()/>
            <input type="hidden" name="follow" value=move || (!followed.get()).to_string()/>
            <button type="submit" class="button button--small" class:button--ghost=move || followed.get()
                aria-pressed=move || followed.get().to_string() disabled=move || action.pending().get()>
                {move || if followed.get() { "Following" } else { "Follow" }}
                <span class="visually-hidden">" "{name}</span>
            </button>
            <span class="follow-form__count">{move || plural(followers.get(), "follower", "followers")}</span>
            <FormAlert error/>
        </ActionForm>
    }
    .into_any()
}

/// Marked runs of a search result.
#[component]
pub fn HighlightedText(runs: Vec<Highlighted>) -> impl IntoView {
    runs.into_iter()
        .map(|run| if run.matched { view! { <mark>{run.text}</mark> }.into_any() } else { run.text.into_any() })
        .collect_view()
}

/// What a shared link and a search engine see of a page.
#[derive(Clone)]
pub struct PageMeta {
    pub title: String,
    pub description: String,
    /// The page's path, e.g. `/blog/hello`.
    pub path: String,
    /// `article` for posts, `profile` for authors, `website` otherwise.
    pub kind: &'static str,
    /// Feed paths (RSS, Atom) for `<link rel="alternate">`, with their titles.
    pub feeds: Vec<(String, String)>,
    /// The 1200×630 link-preview image's path; the site's own when `None`.
    pub image: Option<String>,
}

/// Title, description, canonical URL, OpenGraph and Twitter tags and feed links, with
/// absolute URLs from `PUBLIC_URL`. Pages render it once their data is loaded; those
/// pages are rendered whole before the response starts, so it lands in `<head>`.
#[component]
pub fn Seo(meta: PageMeta, #[prop(optional)] extra: Option<AnyView>) -> impl IntoView {
    let site = use_site();
    view! {
        <Title text=title_text(&meta.title)/>
        <Meta name="description" content=meta.description.clone()/>
        <Suspense>
            {move || {
                let meta = meta.clone();
                Suspend::new(async move {
                    let site = site.0.await.unwrap_or_default();
                    let url = site.url(&meta.path);
                    let image = meta.image.as_deref().map_or_else(|| site.default_image(), |path| site.url(path));
                    view! {
                        <Link rel="canonical" href=url.clone()/>
                        <Meta property="og:site_name" content=SITE_NAME/>
                        <Meta property="og:type" content=meta.kind/>
                        <Meta property="og:title" content=meta.title.clone()/>
                        <Meta property="og:description" content=meta.description.clone()/>
                        <Meta property="og:url" content=url/>
                        <Meta property="og:image" content=image.clone()/>
                        <Meta property="og:image:width" content="1200"/>
                        <Meta property="og:image:height" content="630"/>
                        <Meta name="twitter:card" content="summary_large_image"/>
                        <Meta name="twitter:title" content=meta.title.clone()/>
                        <Meta name="twitter:description" content=meta.description.clone()/>
                        <Meta name="twitter:image" content=image/>
                        {meta.feeds.into_iter().map(|(title, path)| {
                            let (kind, href) = if path.ends_with("atom.xml") {
                                ("application/atom+xml", site.url(&path))
                            } else {
                                ("application/rss+xml", site.url(&path))
                            };
                            view! { <Link rel="alternate" type_=kind title=title href=href/> }
                        }).collect_view()}
                    }
                })
            }}
        </Suspense>
        {extra}
    }
}

/// The RSS and Atom links of a feed scope (`/blog`, `/blog/tag/x`, `/u/name`).
pub fn feeds_of(path: &str, title: &str) -> Vec<(String, String)> {
    vec![(format!("{title} (RSS)"), format!("{path}/rss.xml")), (format!("{title} (Atom)"), format!("{path}/atom.xml"))]
}
