//! `/blog/{slug}`: one post with its author, reactions, neighbours and comments. Rendered
//! whole before the response starts, so its head tags are in `<head>` and a renamed
//! post's old address answers 301.

use leptos::prelude::*;
use leptos_meta::Script;
use leptos_router::{
    components::{Redirect, A},
    hooks::use_params_map,
};

use super::comments::CommentSection;
use crate::{
    blog::{
        api::get_post,
        components::{feeds_of, Avatar, FollowButton, PageMeta, ReactionButton, ReactionKind, Seo, TagList},
        model::{format_date, iso_datetime, plural, reading_time_label, PostLookup, PostStatus, PostView},
    },
    error::AppError,
    pages::NotFound,
    root::SITE_NAME,
    site::{json_string, use_site},
};

#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let post = Resource::new(slug, get_post);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match post.await {
                    Ok(PostLookup::Found(post)) => view! { <Post post=*post/> }.into_any(),
                    Ok(PostLookup::Moved(current)) => moved(&current).into_any(),
                    Err(AppError::NotFound(_)) => view! { <NotFound/> }.into_any(),
                    Err(error) => view! {
                        <div class="alert alert--error" role="alert"><p>{error.to_string()}</p></div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A former slug: a permanent redirect on the server, a navigation in the browser.
fn moved(current: &str) -> impl IntoView {
    let path = format!("/blog/{current}");
    let redirect = view! { <Redirect path=path/> };
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::MOVED_PERMANENTLY);
    }
    redirect
}

/// Schema.org `BlogPosting` for search engines; every string goes through
/// [`json_string`], so a title cannot end the script element.
fn json_ld(post: &PostView, url: &str, author_url: &str, image: &str, logo: &str) -> String {
    let published = post.published_at_ms.map(iso_datetime).unwrap_or_default();
    format!(
        r#"{{"@context":"https://schema.org","@type":"BlogPosting","headline":{},"description":{},"url":{},"mainEntityOfPage":{},"image":{},"datePublished":{},"dateModified":{},"wordCount":{},"keywords":{},"author":{{"@type":"Person","name":{},"url":{}}},"publisher":{{"@type":"Organization","name":{},"logo":{{"@type":"ImageObject","url":{}}}}}}}"#,
        json_string(&post.title),
        json_string(&post.excerpt),
        json_string(url),
        json_string(url),
        json_string(image),
        json_string(&published),
        json_string(&iso_datetime(post.updated_at_ms)),
        post.word_count,
        json_string(&post.tags.join(", ")),
        json_string(&post.author.author.display_name),
        json_string(author_url),
        json_string(SITE_NAME),
        json_string(logo),
    )
}

/// Article-specific head tags and the JSON-LD, once the site's address is known.
#[component]
fn ArticleHead(post: PostView) -> impl IntoView {
    let site = use_site();
    view! {
        <Suspense>
            {move || {
                let post = post.clone();
                Suspend::new(async move {
                    let site = site.0.await.unwrap_or_default();
                    let url = site.url(&format!("/blog/{}", post.slug));
                    let author_url = site.url(&format!("/u/{}", post.author.author.username));
                    let image = post.card_path.as_deref().map_or_else(|| site.default_image(), |path| site.url(path));
                    let ld = json_ld(&post, &url, &author_url, &image, &site.url("/favicon.svg"));
                    view! {
                        {post.published_at_ms.map(|at| view! { <leptos_meta::Meta property="article:published_time" content=iso_datetime(at)/> })}
                        <leptos_meta::Meta property="article:modified_time" content=iso_datetime(post.updated_at_ms)/>
                        <leptos_meta::Meta property="article:author" content=author_url/>
                        {post.tags.iter().map(|tag| view! { <leptos_meta::Meta property="article:tag" content=tag.clone()/> }).collect_view()}
                        <Script type_="application/ld+json">{ld}</Script>
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Post(post: PostView) -> impl IntoView {
    let path = format!("/blog/{}", post.slug);
    let author_path = format!("/u/{}", post.author.author.username);
    let meta = PageMeta {
        title: post.title.clone(),
        description: post.excerpt.clone(),
        path: path.clone(),
        kind: "article",
        feeds: feeds_of(&author_path, &post.author.author.display_name),
        image: post.card_path.clone(),
    };
    let draft_note = match post.status {
        PostStatus::Published => None,
        PostStatus::Draft => Some("This post is a draft: only you (and administrators) can see it.".to_string()),
        PostStatus::Scheduled => Some(format!(
            "This post is scheduled for {}: only you (and administrators) can see it until then.",
            post.scheduled_at_ms.map(crate::accounts::model::format_utc).unwrap_or_default()
        )),
    };
    let when = post.published_at_ms.unwrap_or(post.updated_at_ms);
    let edited = post.published_at_ms.is_some_and(|at| post.updated_at_ms > at + 60_000);
    let edit_href = format!("{path}/edit");
    #[cfg(feature = "ssr")]
    if post.status == PostStatus::Published {
        use axum::http::{HeaderName, HeaderValue};
        if let (Some(response), Ok(value)) =
            (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&post.id))
        {
            response.insert_header(HeaderName::from_static(crate::blog::ssr::views::POST_ID_HEADER), value);
        }
    }
    let (byline_name, card_name) = (post.author.author.display_name.clone(), post.author.author.display_name.clone());
    view! {
        <Seo meta extra=view! { <ArticleHead post=post.clone()/> }.into_any()/>
        <article class="post" aria-labelledby="post-title">
            {draft_note.map(|note| view! { <div class="alert alert--info" role="status"><p>{note}</p></div> })}
            <header class="post__header">
                <TagList tags=post.tags.clone()/>
                <h1 id="post-title" class="post__title">{post.title.clone()}</h1>
                {(!post.description.is_empty()).then(|| view! { <p class="post__lead">{post.description.clone()}</p> })}
                <div class="post__byline">
                    <Avatar author=post.author.author.clone() size="medium"/>
                    <div>
                        <A href=author_path.clone() attr:class="post__author">{byline_name}</A>
                        <p class="post__meta">
                            <time datetime=iso_datetime(when)>{format_date(when)}</time>
                            {edited.then(|| view! { " · updated " <time datetime=iso_datetime(post.updated_at_ms)>{format_date(post.updated_at_ms)}</time> })}
                            " · " {reading_time_label(post.reading_minutes)}
                            " · " {plural(post.view_count, "view", "views")}
                        </p>
                    </div>
                    {post.can_edit.then(|| view! { <A href=edit_href attr:class="button button--small button--ghost post__edit">"Edit"</A> })}
                </div>
            </header>
            {(!post.cover_html.is_empty()).then(|| view! { <div class="post__media" inner_html=post.cover_html.clone()></div> })}
            <div id="post-body" class="prose" inner_html=post.body_html.clone()></div>
            {(!post.attachments_html.is_empty()).then(|| view! { <div class="post__media" inner_html=post.attachments_html.clone()></div> })}
            <footer class="post__footer">
                <div class="post__reactions">
                    <ReactionButton kind=ReactionKind::Like post_id=post.id.clone() active=post.liked count=post.like_count
                        signed_in=post.signed_in next=path.clone()/>
                    <ReactionButton kind=ReactionKind::Bookmark post_id=post.id.clone() active=post.bookmarked
                        count=post.bookmark_count signed_in=post.signed_in next=path.clone()/>
                    <span class="muted">{plural(post.word_count, "word", "words")}</span>
                </div>
                <section class="author-card" aria-label="About the author">
                    <Avatar author=post.author.author.clone() size="large"/>
                    <div class="author-card__text">
                        <p class="author-card__name"><A href=author_path.clone()>{card_name}</A></p>
                        {post.author.bio.clone().map(|bio| view! { <p class="author-card__bio">{bio}</p> })}
                        <p class="muted">{plural(post.author.post_count, "post", "posts")}</p>
                    </div>
                    <FollowButton profile=post.author.clone() signed_in=post.signed_in next=path.clone()/>
                </section>
                {(post.previous.is_some() || post.next.is_some()).then(|| view! {
                    <nav class="post__neighbours" aria-label="More from this author">
                        {post.previous.clone().map(|link| view! {
                            <A href=format!("/blog/{}", link.slug) attr:class="neighbour neighbour--previous" attr:rel="prev">
                                <span class="neighbour__label">"← Previous"</span>
                                <span class="neighbour__title">{link.title}</span>
                            </A>
                        })}
                        {post.next.clone().map(|link| view! {
                            <A href=format!("/blog/{}", link.slug) attr:class="neighbour neighbour--next" attr:rel="next">
                                <span class="neighbour__label">"Next →"</span>
                                <span class="neighbour__title">{link.title}</span>
                            </A>
                        })}
                    </nav>
                })}
            </footer>
        </article>
        {(post.status == PostStatus::Published).then(|| view! {
            <CommentSection post_id=post.id.clone() initial=post.thread.clone() signed_in=post.signed_in next=path.clone()/>
        })}
    }
}
