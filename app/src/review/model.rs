//! Review types that cross the wire: the queue, a post's review page, its items.

use serde::{Deserialize, Serialize};

use super::rules::ReviewState;
use crate::{
    accounts::Role,
    blog::model::{AuthorRef, PostStatus},
};

/// The part of a submitted revision a correction points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemTarget {
    Title,
    Description,
    Body,
    Tags,
    Cover,
    /// One attached file, named in the item's `quote`.
    Attachment,
}

impl ItemTarget {
    pub const ALL: [ItemTarget; 6] =
        [Self::Title, Self::Description, Self::Body, Self::Tags, Self::Cover, Self::Attachment];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Description => "description",
            Self::Body => "body",
            Self::Tags => "tags",
            Self::Cover => "cover",
            Self::Attachment => "attachment",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|target| target.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Title => "Title",
            Self::Description => "Description",
            Self::Body => "Text",
            Self::Tags => "Tags",
            Self::Cover => "Cover image",
            Self::Attachment => "Attachment",
        }
    }
}

/// Where a correction stands on the author's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Open,
    Fixed,
    Answered,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Fixed => "fixed",
            Self::Answered => "answered",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Open, Self::Fixed, Self::Answered].into_iter().find(|state| state.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Fixed => "Fixed",
            Self::Answered => "Answered",
        }
    }
}

/// One requested correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub id: String,
    pub target: ItemTarget,
    /// The quoted passage of the body (empty: the whole part).
    pub quote: String,
    pub note: String,
    pub state: ItemState,
    /// The author's answer, when they answered instead of changing the text.
    pub answer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    Pending,
    ChangesRequested,
    Approved,
    Rejected,
    Withdrawn,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::ChangesRequested => "changes_requested",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::ChangesRequested, Self::Approved, Self::Rejected, Self::Withdrawn]
            .into_iter()
            .find(|status| status.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Waiting for review",
            Self::ChangesRequested => "Changes requested",
            Self::Approved => "Approved",
            Self::Rejected => "Rejected",
            Self::Withdrawn => "Withdrawn",
        }
    }
}

/// One submission with its decision and items, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub id: String,
    pub status: SubmissionStatus,
    pub author_note: String,
    pub reviewer: Option<String>,
    /// The summary of requested changes, or the reason for a rejection.
    pub decision_note: String,
    pub publish_at_ms: Option<i64>,
    pub submitted_at_ms: i64,
    pub decided_at_ms: Option<i64>,
    /// Before a decision only reviewers see the items being drafted.
    pub items: Vec<ReviewItem>,
}

impl Submission {
    pub fn open_items(&self) -> usize {
        self.items.iter().filter(|item| item.state == ItemState::Open).count()
    }
}

/// What a submitted revision says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionView {
    pub title: String,
    pub description: String,
    pub tags: Vec<String>,
    /// Sanitised HTML rendered on the server.
    pub body_html: String,
    /// The cover and the attachment list as readers will see them (HTML made on the
    /// server; empty without them).
    pub cover_html: String,
    pub attachments_html: String,
    /// The attached files as (upload id, name), for pointing a correction at one.
    pub attachments: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    Same,
    Added,
    Removed,
    /// Unchanged lines left out between hunks.
    Gap,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

/// The line diff of one field between the previous submission and this one (only
/// fields that changed are listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDiff {
    pub field: ItemTarget,
    pub lines: Vec<DiffLine>,
}

/// A post's review page: the submission under review, what changed since the last one,
/// and every submission before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub post_id: String,
    pub slug: String,
    pub author: AuthorRef,
    pub status: PostStatus,
    pub review_state: ReviewState,
    pub viewer_is_author: bool,
    pub viewer_is_reviewer: bool,
    /// The latest submission's revision.
    pub revision: RevisionView,
    /// `None` for a first submission.
    pub diff: Option<Vec<FieldDiff>>,
    /// Newest first; the first is the latest submission.
    pub history: Vec<Submission>,
}

impl ReviewPage {
    pub fn latest(&self) -> Option<&Submission> {
        self.history.first()
    }
}

/// One post waiting for a reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub post_id: String,
    pub title: String,
    pub author: AuthorRef,
    pub submitted_at_ms: i64,
    /// Submitted again after requested changes.
    pub resubmission: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    pub pending: i64,
    /// Changes requested, waiting for their authors.
    pub with_authors: i64,
    pub approved_30d: i64,
    pub rejected_30d: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQueue {
    pub counts: QueueCounts,
    /// Oldest first: first come, first reviewed.
    pub pending: Vec<QueueEntry>,
}

/// Whose posts are reviewed before publishing, and who reviews: a site setting kept in
/// the database so every server process agrees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSettings {
    /// Roles whose posts need review. Default: clients.
    pub required: Vec<Role>,
    /// Roles that review besides administrators, who always do.
    pub reviewers: Vec<Role>,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        Self { required: vec![Role::Client], reviewers: Vec::new() }
    }
}

impl ReviewSettings {
    pub fn needs_review(&self, role: Role) -> bool {
        self.required.contains(&role)
    }

    pub fn reviews(&self, role: Role) -> bool {
        role == Role::Admin || self.reviewers.contains(&role)
    }

    /// Every role that reviews, administrators first.
    pub fn reviewer_roles(&self) -> Vec<Role> {
        let mut roles = vec![Role::Admin];
        roles.extend(self.reviewers.iter().copied().filter(|role| *role != Role::Admin));
        roles
    }
}
