//! The RealWorld JSON shapes, built from the blog's and accounts' own types. Extensions
//! (views, comments, bookmarks, status) are extra fields that RealWorld clients ignore.

use app::{
    accounts::ssr::repo::UserRecord,
    blog::{
        model::{iso_datetime, Profile},
        ssr::repo::{CommentRow, DetailRow, SummaryRow},
    },
};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct User {
    pub email: String,
    /// The API token to send as `Authorization: Token <token>`; `null` when the account
    /// must confirm its email before it can log in.
    pub token: Option<String>,
    pub username: String,
    pub bio: Option<String>,
    pub image: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserEnvelope {
    pub user: User,
}

impl UserEnvelope {
    pub fn new(user: &UserRecord, token: Option<String>) -> Self {
        Self {
            user: User {
                email: user.email.clone(),
                token,
                username: user.username.clone(),
                bio: user.bio.clone(),
                image: user.avatar_url.clone(),
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProfileBody {
    pub username: String,
    pub bio: Option<String>,
    pub image: Option<String>,
    /// Whether the caller follows this person.
    pub following: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileEnvelope {
    pub profile: ProfileBody,
}

impl From<Profile> for ProfileEnvelope {
    fn from(profile: Profile) -> Self {
        Self {
            profile: ProfileBody {
                username: profile.author.username,
                bio: profile.bio,
                image: profile.author.avatar_url,
                following: profile.followed,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    pub slug: String,
    pub title: String,
    pub description: String,
    /// The Markdown source (absent in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Sorted alphabetically.
    pub tag_list: Vec<String>,
    /// ISO 8601 with milliseconds, e.g. `2026-11-21T13:05:07.123Z`.
    pub created_at: String,
    pub updated_at: String,
    /// Whether the caller likes it.
    pub favorited: bool,
    pub favorites_count: i64,
    pub author: ProfileBody,
    /// Extension: when it went live (absent for drafts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Extension: `draft`, `scheduled` or `published`.
    pub status: String,
    /// Extension: de-duplicated reader views.
    pub views_count: i64,
    /// Extension: visible comments.
    pub comments_count: i64,
    /// Extension: whether the caller bookmarked it.
    pub bookmarked: bool,
    /// Extension: estimated minutes to read.
    pub reading_minutes: i64,
}

fn sorted_tags(tags: &str) -> Vec<String> {
    let mut tags: Vec<String> = tags.split_whitespace().map(str::to_string).collect();
    tags.sort();
    tags
}

impl Article {
    pub fn summary(row: SummaryRow) -> Self {
        Self {
            tag_list: sorted_tags(&row.tags),
            created_at: iso_datetime(row.created_at_ms),
            updated_at: iso_datetime(row.updated_at_ms),
            published_at: row.published_at_ms.map(iso_datetime),
            favorited: row.liked != 0,
            favorites_count: row.like_count,
            author: ProfileBody {
                following: row.author_followed != 0,
                username: row.username,
                bio: row.bio,
                image: row.avatar_url,
            },
            slug: row.slug,
            title: row.title,
            description: row.description,
            body: None,
            status: row.status,
            views_count: row.view_count,
            comments_count: row.comment_count,
            bookmarked: row.bookmarked_at_ms.is_some(),
            reading_minutes: row.reading_minutes,
        }
    }

    pub fn full(row: DetailRow) -> Self {
        let body = row.body_markdown;
        Self { body: Some(body), ..Self::summary(row.summary) }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ArticleEnvelope {
    pub article: Article,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleList {
    pub articles: Vec<Article>,
    /// How many match in all, across pages.
    pub articles_count: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub id: i64,
    pub created_at: String,
    pub updated_at: String,
    /// The Markdown source.
    pub body: String,
    pub author: ProfileBody,
}

impl Comment {
    /// `None` for a deleted or hidden comment, or one whose author is gone.
    pub fn from_row(row: CommentRow, following: bool) -> Option<Self> {
        if row.deleted_at_ms.is_some() || row.hidden_at_ms.is_some() {
            return None;
        }
        Some(Self {
            id: row.number,
            created_at: iso_datetime(row.created_at_ms),
            updated_at: iso_datetime(row.edited_at_ms.unwrap_or(row.created_at_ms)),
            body: row.body_markdown,
            author: ProfileBody { username: row.username?, bio: row.bio, image: row.avatar_url, following },
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct CommentEnvelope {
    pub comment: Comment,
}

#[derive(Serialize, ToSchema)]
pub struct CommentList {
    pub comments: Vec<Comment>,
}

#[derive(Serialize, ToSchema)]
pub struct TagList {
    pub tags: Vec<String>,
}
