//! The reading lists: the blog (Hot/New/Top), a tag, the search, and the signed-in
//! reader's Following, Bookmarks and own posts. Each is one server call, paged by
//! keyset (`?after=`), complete in the first HTML response.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    accounts::pages::SignedInOnly,
    blog::{
        api::{bookmarked_posts, following_posts, list_posts, my_posts, popular_tags, search_posts},
        components::{feeds_of, BlogNav, HighlightedText, PageMeta, PostList, SearchBox, Seo, SortTabs, TagList},
        model::{PostPage, Sort},
    },
    error::AppError,
};

/// Shows a loaded page of posts, or the error that stopped it.
fn posts_or_error(result: Result<PostPage, AppError>, list: impl FnOnce(PostPage) -> AnyView) -> AnyView {
    match result {
        Ok(page) => list(page),
        Err(error) => {
            view! { <div class="alert alert--error" role="alert"><p>{error.to_string()}</p></div> }.into_any()
        }
    }
}

fn query_param(name: &'static str) -> impl Fn() -> Option<String> + Copy + Send + Sync {
    let query = use_query_map();
    move || query.read().get(name).filter(|v| !v.is_empty())
}

/// Joins a base address and extra query pairs.
fn href(base: &str, pairs: &[(&str, String)]) -> String {
    let query: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
    if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", query.join("&"))
    }
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A list's address in an order, optionally continuing after `cursor`.
fn sorted(base: &str, sort: Sort, cursor: Option<&str>) -> String {
    let mut query = sort.query();
    if let Some(cursor) = cursor {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&format!("after={}", urlencode(cursor)));
    }
    if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{query}")
    }
}

#[component]
pub fn BlogPage() -> impl IntoView {
    let sort = query_param("sort");
    let period = query_param("period");
    let after = query_param("after");
    let posts = Resource::new(
        move || (sort(), period(), after()),
        |(sort, period, after)| list_posts(sort, period, None, after),
    );
    let tags = Resource::new(|| (), |_| popular_tags());
    let current = move || Sort::from_query(sort().as_deref(), period().as_deref());
    let meta = PageMeta {
        title: "Blog".into(),
        description: "Posts from our community: the newest and most talked-about, by tag and by author.".into(),
        path: "/blog".into(),
        kind: "website",
        feeds: feeds_of("/blog", "All posts"),
        image: None,
    };
    view! {
        <Seo meta/>
        <div class="blog-layout">
            <div class="blog-main">
                <header class="page-header">
                    <h1>"Blog"</h1>
                    <p class="lead">"Posts from our community. "<a href="/blog/rss.xml">"RSS"</a>" · "<a href="/blog/atom.xml">"Atom"</a></p>
                </header>
                <BlogNav/>
                {move || view! { <SortTabs current=current() base="/blog".to_string()/> }}
                <Suspense fallback=|| view! { <p class="loading">"Loading posts…"</p> }>
                    {move || Suspend::new(async move {
                        let current = current();
                        let is_continuation = after().is_some();
                        posts_or_error(posts.await, move |page| view! {
                            <PostList page is_continuation first_href=sorted("/blog", current, None)
                                empty="Nothing has been published here yet. Be the first to write a post!"
                                next_href=Callback::new(move |cursor: String| sorted("/blog", current, Some(&cursor)))/>
                        }.into_any())
                    })}
                </Suspense>
            </div>
            <aside class="blog-aside" aria-labelledby="tags-title">
                <h2 id="tags-title">"Popular tags"</h2>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        tags.await.ok().map(|tags| view! { <TagList tags/> })
                    })}
                </Suspense>
                <p class="muted">"Writers: "<A href="/blog/new">"start a post"</A>"."</p>
            </aside>
        </div>
    }
}

#[component]
pub fn TagPage() -> impl IntoView {
    let params = use_params_map();
    let tag = move || params.read().get("tag").unwrap_or_default().to_lowercase();
    let sort = query_param("sort");
    let period = query_param("period");
    let after = query_param("after");
    let posts = Resource::new(
        move || (tag(), sort(), period(), after()),
        |(tag, sort, period, after)| list_posts(sort, period, Some(tag), after),
    );
    let current = move || Sort::from_query(sort().as_deref(), period().as_deref());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading posts…"</p> }>
            {move || Suspend::new(async move {
                let tag = tag();
                let result = posts.await;
                let base = format!("/blog/tag/{tag}");
                let meta = PageMeta {
                    title: format!("#{tag}"),
                    description: format!("Posts tagged {tag} on the blog."),
                    path: base.clone(),
                    kind: "website",
                    feeds: feeds_of(&base, &format!("#{tag}")),
                    image: None,
                };
                let current = current();
                let is_continuation = after().is_some();
                let next_base = base.clone();
                let first = sorted(&base, current, None);
                view! {
                    <Seo meta/>
                    <header class="page-header">
                        <p class="eyebrow"><A href="/blog">"Blog"</A></p>
                        <h1>"#"{tag.clone()}</h1>
                        <p class="lead">"Posts tagged " <strong>{tag.clone()}</strong>". "
                            <a href=format!("{base}/rss.xml")>"RSS"</a>" · "<a href=format!("{base}/atom.xml")>"Atom"</a></p>
                    </header>
                    <SortTabs current base=base.clone()/>
                    {posts_or_error(result, move |page| view! {
                        <PostList page is_continuation first_href=first
                            empty="No published posts have this tag yet."
                            next_href=Callback::new(move |cursor: String| sorted(&next_base, current, Some(&cursor)))/>
                    }.into_any())}
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let q = query_param("q");
    let offset = query_param("offset");
    let results = Resource::new(
        move || (q(), offset()),
        |(q, offset)| async move {
            match q {
                Some(q) => search_posts(q, offset.and_then(|o| o.parse().ok())).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Meta name="robots" content="noindex"/>
        <Seo meta=PageMeta {
            title: "Search".into(),
            description: "Search the blog's posts.".into(),
            path: "/blog/search".into(),
            kind: "website",
            feeds: Vec::new(),
            image: None,
        }/>
        <header class="page-header">
            <p class="eyebrow"><A href="/blog">"Blog"</A></p>
            <h1>"Search"</h1>
        </header>
        {move || view! { <SearchBox query=q().unwrap_or_default()/> }}
        <Suspense fallback=|| view! { <p class="loading">"Searching…"</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(None) => view! { <p class="muted">"Type a few words to find posts by their title or text."</p> }.into_any(),
                    Ok(Some(page)) if page.hits.is_empty() => view! {
                        <div class="empty-state" role="status"><p>"No posts match “"{page.query}"”."</p></div>
                    }.into_any(),
                    Ok(Some(page)) => {
                        let next = page.next.map(|n| href("/blog/search", &[("q", page.query.clone()), ("offset", n.to_string())]));
                        view! {
                            <p class="muted" role="status">"Results for “"{page.query.clone()}"”"</p>
                            <ol class="search-results">
                                {page.hits.into_iter().map(|hit| {
                                    let link = format!("/blog/{}", hit.post.slug);
                                    view! {
                                        <li class="search-result">
                                            <h2 class="post-card__title"><A href=link><HighlightedText runs=hit.title/></A></h2>
                                            <p class="search-result__snippet"><HighlightedText runs=hit.snippet/></p>
                                            <p class="muted">{hit.post.author.display_name}" · "{crate::blog::model::format_date(hit.post.published_at_ms.unwrap_or_default())}</p>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                            {next.map(|href| view! { <nav class="pager" aria-label="Pages"><A href=href attr:class="button button--ghost">"More results →"</A></nav> })}
                        }.into_any()
                    }
                    Err(error) => view! { <div class="alert alert--error" role="alert"><p>{error.to_string()}</p></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A signed-in reader's list: Following, Bookmarks or their own posts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Personal {
    Following,
    Bookmarks,
    Mine,
}

impl Personal {
    fn path(self) -> &'static str {
        match self {
            Self::Following => "/blog/following",
            Self::Bookmarks => "/blog/bookmarks",
            Self::Mine => "/blog/drafts",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Following => "Following",
            Self::Bookmarks => "Bookmarks",
            Self::Mine => "Your posts",
        }
    }

    fn lead(self) -> &'static str {
        match self {
            Self::Following => "New posts from the authors you follow.",
            Self::Bookmarks => "Posts you saved to read later.",
            Self::Mine => "Everything you wrote, drafts and scheduled posts included, most recently changed first.",
        }
    }

    fn empty(self) -> &'static str {
        match self {
            Self::Following => {
                "Nothing here yet. Follow authors from their posts or profiles to see their new posts here."
            }
            Self::Bookmarks => "No bookmarks yet. Use “Save” on a post to keep it here.",
            Self::Mine => "You have not written anything yet.",
        }
    }
}

#[component]
fn PersonalList(which: Personal) -> impl IntoView {
    let after = query_param("after");
    let notice = query_param("deleted");
    let posts = Resource::new(after, move |after| async move {
        match which {
            Personal::Following => following_posts(after).await,
            Personal::Bookmarks => bookmarked_posts(after).await,
            Personal::Mine => my_posts(after).await,
        }
    });
    view! {
        <Meta name="robots" content="noindex"/>
        <Seo meta=PageMeta {
            title: which.title().into(),
            description: which.lead().into(),
            path: which.path().into(),
            kind: "website",
            feeds: Vec::new(),
            image: None,
        }/>
        <SignedInOnly next=which.path() children=move |_| view! {
            <header class="page-header">
                <h1>{which.title()}</h1>
                <p class="lead">{which.lead()}</p>
                {(which == Personal::Mine).then(|| view! { <p><A href="/blog/new" attr:class="button">"Write a post"</A></p> })}
            </header>
            {move || notice().map(|_| view! { <div class="alert alert--success" role="status"><p>"The post was deleted."</p></div> })}
            <BlogNav/>
            <Suspense fallback=|| view! { <p class="loading">"Loading posts…"</p> }>
                {move || Suspend::new(async move {
                    let is_continuation = after().is_some();
                    posts_or_error(posts.await, move |page| view! {
                        <PostList page is_continuation first_href=which.path() show_status=which == Personal::Mine
                            empty=which.empty()
                            next_href=Callback::new(move |cursor: String| format!("{}?after={}", which.path(), urlencode(&cursor)))/>
                    }.into_any())
                })}
            </Suspense>
        }/>
    }
}

#[component]
pub fn FollowingPage() -> impl IntoView {
    view! { <PersonalList which=Personal::Following/> }
}

#[component]
pub fn BookmarksPage() -> impl IntoView {
    view! { <PersonalList which=Personal::Bookmarks/> }
}

#[component]
pub fn DraftsPage() -> impl IntoView {
    view! { <PersonalList which=Personal::Mine/> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_addresses_keep_the_order() {
        assert_eq!(sorted("/blog", Sort::Hot, None), "/blog");
        assert_eq!(sorted("/blog", Sort::New, Some("1_a")), "/blog?sort=new&after=1_a");
        assert_eq!(sorted("/blog/tag/x", Sort::Hot, Some("1_a")), "/blog/tag/x?after=1_a");
    }

    #[test]
    fn links_encode_their_query_values() {
        assert_eq!(
            href("/blog/search", &[("q", "c++ & rust".into()), ("offset", String::new())]),
            "/blog/search?q=c%2B%2B+%26+rust"
        );
        assert_eq!(href("/blog", &[]), "/blog");
    }
}
