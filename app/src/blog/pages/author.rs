//! `/u/{username}`: an author's name, bio, follower counts and published posts.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    accounts::components::use_auth,
    blog::{
        api::get_author_page,
        components::{feeds_of, Avatar, FollowButton, PageMeta, PostList, Seo},
        model::plural,
    },
    error::AppError,
    pages::NotFound,
};

#[component]
pub fn AuthorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let username = move || params.read().get("username").unwrap_or_default();
    let after = move || query.read().get("after").filter(|a| !a.is_empty());
    let page = Resource::new(move || (username(), after()), |(username, after)| get_author_page(username, after));
    let auth = use_auth();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let signed_in = matches!(auth.user.await, Ok(Some(_)));
                match page.await {
                    Ok(page) => {
                        let profile = page.profile;
                        let name = profile.author.display_name.clone();
                        let path = format!("/u/{}", profile.author.username);
                        let description = profile.bio.clone().unwrap_or_else(|| format!("Posts by {name}."));
                        let meta = PageMeta {
                            title: name.clone(),
                            description,
                            path: path.clone(),
                            kind: "profile",
                            feeds: feeds_of(&path, &name),
                            image: None,
                        };
                        let next_base = path.clone();
                        view! {
                            <Seo meta/>
                            <header class="profile">
                                <Avatar author=profile.author.clone() size="large"/>
                                <div class="profile__text">
                                    <h1>{name.clone()}</h1>
                                    <p class="muted">"@"{profile.author.username.clone()}</p>
                                    {profile.bio.clone().map(|bio| view! { <p class="profile__bio">{bio}</p> })}
                                    <p class="profile__counts">
                                        {plural(profile.post_count, "post", "posts")}" · "
                                        {plural(profile.following_count, "following", "following")}" · "
                                        <a href=format!("{path}/rss.xml")>"RSS"</a>" · "<a href=format!("{path}/atom.xml")>"Atom"</a>
                                    </p>
                                    <FollowButton profile=profile.clone() signed_in next=path.clone()/>
                                </div>
                            </header>
                            <h2 class="section-title">"Posts"</h2>
                            <PostList page=page.posts is_continuation=after().is_some() first_href=path.clone()
                                empty=format!("{name} has not published anything yet.")
                                next_href=Callback::new(move |cursor: String| format!("{next_base}?after={cursor}"))/>
                        }.into_any()
                    }
                    Err(AppError::NotFound(_)) => view! { <NotFound/> }.into_any(),
                    Err(error) => view! { <div class="alert alert--error" role="alert"><p>{error.to_string()}</p></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}
