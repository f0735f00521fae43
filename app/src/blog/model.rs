//! Blog types that cross the wire between server and browser. Post bodies travel as
//! sanitised HTML rendered on the server: no Markdown renderer reaches the browser.

use serde::{Deserialize, Serialize};

use crate::{
    review::{model::ReviewItem, rules::ReviewState},
    uploads::Upload,
};

/// Where a post stands. The review flow adds its states beside these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Draft,
    Scheduled,
    Published,
}

impl PostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "draft" => Some(Self::Draft),
            "scheduled" => Some(Self::Scheduled),
            "published" => Some(Self::Published),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Scheduled => "Scheduled",
            Self::Published => "Published",
        }
    }
}

/// The orders of the post list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Newest first, lifted by likes, comments and views.
    #[default]
    Hot,
    New,
    Top(Period),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Week,
    Month,
    Year,
    All,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Week, Period::Month, Period::Year, Period::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
            Self::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Week => "Week",
            Self::Month => "Month",
            Self::Year => "Year",
            Self::All => "All time",
        }
    }

    /// How far back the period reaches, in milliseconds (`None`: forever).
    pub fn span_ms(self) -> Option<i64> {
        const DAY: i64 = 86_400_000;
        match self {
            Self::Week => Some(7 * DAY),
            Self::Month => Some(30 * DAY),
            Self::Year => Some(365 * DAY),
            Self::All => None,
        }
    }
}

impl Sort {
    /// Reads `?sort=hot|new|top&period=week|month|year|all`; unknown values fall back to
    /// the default rather than failing a reader's page.
    pub fn from_query(sort: Option<&str>, period: Option<&str>) -> Self {
        match sort {
            Some("new") => Self::New,
            Some("top") => Self::Top(match period {
                Some("month") => Period::Month,
                Some("year") => Period::Year,
                Some("all") => Period::All,
                _ => Period::Week,
            }),
            _ => Self::Hot,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Hot => "hot",
            Self::New => "new",
            Self::Top(_) => "top",
        }
    }

    /// The query string that selects this order (empty for the default).
    pub fn query(self) -> String {
        match self {
            Self::Hot => String::new(),
            Self::New => "sort=new".into(),
            Self::Top(period) => format!("sort=top&period={}", period.as_str()),
        }
    }
}

/// A person as shown beside a post or comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorRef {
    pub username: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
}

/// The author card and author page header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub author: AuthorRef,
    pub bio: Option<String>,
    pub followers: i64,
    pub following_count: i64,
    pub post_count: i64,
    /// Whether the viewer follows this person.
    pub followed: bool,
    /// The viewer is this person (no follow button).
    pub is_self: bool,
}

/// A post in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostSummary {
    pub id: String,
    pub slug: String,
    pub status: PostStatus,
    pub title: String,
    pub excerpt: String,
    pub tags: Vec<String>,
    pub author: AuthorRef,
    pub published_at_ms: Option<i64>,
    pub scheduled_at_ms: Option<i64>,
    pub updated_at_ms: i64,
    pub reading_minutes: i64,
    pub like_count: i64,
    pub comment_count: i64,
    pub view_count: i64,
    pub liked: bool,
    pub bookmarked: bool,
    /// Where the author's working revision stands in review (the drafts page shows it).
    pub review_state: ReviewState,
    pub open_items: i64,
}

/// One page of a list; `next` continues after its last post (keyset pagination).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostPage {
    pub posts: Vec<PostSummary>,
    pub next: Option<String>,
}

/// A search result: the post and a snippet with the matched words marked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub post: PostSummary,
    /// The title with the matched words marked.
    pub title: Vec<Highlighted>,
    pub snippet: Vec<Highlighted>,
}

/// A run of snippet text; `matched` runs are shown highlighted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlighted {
    pub text: String,
    pub matched: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    pub query: String,
    pub hits: Vec<SearchHit>,
    /// Offset of the next page, when there is one.
    pub next: Option<i64>,
}

/// Everything the post page shows above the comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostView {
    pub id: String,
    pub slug: String,
    pub status: PostStatus,
    pub title: String,
    pub description: String,
    pub excerpt: String,
    /// Sanitised HTML, rendered when the post was saved.
    pub body_html: String,
    /// The cover as a responsive image and the attachments as a download list, HTML
    /// made on the server (no upload types in the reader's wasm); empty without them.
    pub cover_html: String,
    pub attachments_html: String,
    /// The cover's 1200×630 social card, for link previews.
    pub card_path: Option<String>,
    pub tags: Vec<String>,
    pub author: Profile,
    pub published_at_ms: Option<i64>,
    pub scheduled_at_ms: Option<i64>,
    pub updated_at_ms: i64,
    pub word_count: i64,
    pub reading_minutes: i64,
    pub like_count: i64,
    pub bookmark_count: i64,
    pub comment_count: i64,
    pub view_count: i64,
    pub liked: bool,
    pub bookmarked: bool,
    /// The viewer may edit, unpublish and delete it (its author or an admin).
    pub can_edit: bool,
    /// The viewer may hide comments (the post's author or an admin).
    pub can_moderate: bool,
    /// The viewer is logged in (may like, bookmark, comment).
    pub signed_in: bool,
    pub previous: Option<PostLink>,
    pub next: Option<PostLink>,
    /// The comment thread, loaded with the post (one call for the whole page).
    pub thread: CommentThread,
}

/// Previous/next post of the same author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostLink {
    pub slug: String,
    pub title: String,
}

/// What a slug leads to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PostLookup {
    Found(Box<PostView>),
    /// A former slug of a post: answer with a permanent redirect here.
    Moved(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommentState {
    Visible,
    /// Deleted, kept as a stub because it has replies.
    Deleted,
    /// Hidden by the post's author or an admin. The comment's author and moderators
    /// still see the text (`body_html`), others a stub.
    Hidden,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: String,
    pub parent_id: Option<String>,
    /// `None` when the author's account was deleted.
    pub author: Option<AuthorRef>,
    pub state: CommentState,
    /// `None` for stubs the viewer may not read.
    pub body_html: Option<String>,
    /// The Markdown source, only for the viewer's own editable comments (to edit).
    pub body_markdown: Option<String>,
    pub created_at_ms: i64,
    pub edited_at_ms: Option<i64>,
    pub can_edit: bool,
    pub can_hide: bool,
    pub replies: Vec<CommentView>,
}

/// The comment thread of a post, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentThread {
    pub comments: Vec<CommentView>,
    /// Visible comments and replies.
    pub count: i64,
    pub signed_in: bool,
}

/// A post as the editor loads it: the working revision's source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorPost {
    pub id: String,
    pub slug: String,
    pub status: Option<PostStatus>,
    pub title: String,
    pub description: String,
    pub tags: String,
    pub body: String,
    pub scheduled_at_ms: Option<i64>,
    pub published_at_ms: Option<i64>,
    pub review_state: ReviewState,
    /// The writer's posts are reviewed before publishing: the editor offers "Submit for
    /// review" instead of "Publish".
    pub needs_review: bool,
    /// The corrections of the last review, while changes are requested.
    pub corrections: Vec<ReviewItem>,
    /// The viewer wrote the post (an administrator may edit someone else's): only the
    /// author submits, withdraws and answers corrections.
    pub is_author: bool,
    pub cover: Option<Upload>,
    pub attachments: Vec<Upload>,
}

/// The author page: who they are and their published posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorPage {
    pub profile: Profile,
    pub posts: PostPage,
}

/// The like/bookmark state of a post for the viewer, after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub active: bool,
    pub count: i64,
}

/// "3 min read".
pub fn reading_time_label(minutes: i64) -> String {
    format!("{} min read", minutes.max(1))
}

/// "1 like", "2 likes".
pub fn plural(count: i64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// "21 Nov 2026" for unix milliseconds; the same text on server and browser.
pub fn format_date(ms: i64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let full = crate::accounts::model::format_utc(ms.div_euclid(1000));
    // "YYYY-MM-DD HH:MM UTC"
    let year = &full[0..4];
    let month: usize = full[5..7].parse().unwrap_or(1);
    let day: u32 = full[8..10].parse().unwrap_or(1);
    format!("{day} {} {year}", MONTHS[month.clamp(1, 12) - 1])
}

/// `2026-11-21T13:05:00.000Z` for unix milliseconds (machine-readable dates).
pub fn iso_datetime(ms: i64) -> String {
    let full = crate::accounts::model::format_utc(ms.div_euclid(1000));
    let seconds = ms.div_euclid(1000).rem_euclid(60);
    format!("{}T{}:{seconds:02}.{:03}Z", &full[0..10], &full[11..16], ms.rem_euclid(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_well_and_parse_back() {
        assert_eq!(format_date(1_795_266_300_123), "21 Nov 2026");
        assert_eq!(iso_datetime(1_795_266_307_123), "2026-11-21T13:05:07.123Z");
        assert_eq!(iso_datetime(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn sort_reads_the_query_and_falls_back_to_hot() {
        assert_eq!(Sort::from_query(None, None), Sort::Hot);
        assert_eq!(Sort::from_query(Some("new"), None), Sort::New);
        assert_eq!(Sort::from_query(Some("top"), Some("year")), Sort::Top(Period::Year));
        assert_eq!(Sort::from_query(Some("top"), Some("bogus")), Sort::Top(Period::Week));
        assert_eq!(Sort::from_query(Some("<script>"), None), Sort::Hot);
        assert_eq!(Sort::Top(Period::All).query(), "sort=top&period=all");
    }
}
