//! Upload types that cross the wire.

use serde::{Deserialize, Serialize};

/// What an upload is for; it decides what is made of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UploadKind {
    /// An image inside a post: re-encoded at the srcset widths.
    Image,
    /// A post's cover: the widths and a 1200×630 social card.
    Cover,
    /// A file kept as uploaded (PDF, text, ZIP, gzip, or an image), always downloaded.
    Attachment,
    /// A user's picture: centred squares.
    Avatar,
}

impl UploadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Cover => "cover",
            Self::Attachment => "attachment",
            Self::Avatar => "avatar",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "image" => Self::Image,
            "cover" => Self::Cover,
            "attachment" => Self::Attachment,
            "avatar" => Self::Avatar,
            _ => return None,
        })
    }
}

/// One served size of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Rendition {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// A stored upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Upload {
    pub id: String,
    pub kind: UploadKind,
    /// The name it was uploaded with (cleaned).
    pub name: String,
    /// Where to link it: an image's widest rendition, an attachment's download.
    pub url: String,
    /// The media type of `url`, decided from the bytes.
    pub content_type: String,
    /// Everything stored for it, in bytes (what counts against the quota).
    pub size_bytes: i64,
    /// An image's upright size as uploaded.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// An image's sizes, narrowest first (the `srcset`); empty for attachments.
    pub renditions: Vec<Rendition>,
    /// A cover's 1200×630 social card.
    pub card_url: Option<String>,
    pub created_at_ms: i64,
}

impl Upload {
    /// An image as Markdown for a post's text; its name without the extension is the
    /// alternative text to start from.
    pub fn markdown(&self) -> String {
        let stem = self.name.rsplit_once('.').map_or(self.name.as_str(), |(stem, _)| stem);
        let alt: String = stem.chars().filter(|c| !matches!(c, '[' | ']' | '\\')).collect();
        format!("![{}]({})", alt.trim(), self.url)
    }
}

/// "3.2 MB", "950 KB": sizes in messages and file lists.
pub fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// What a user has stored and may store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Quota {
    pub used_bytes: i64,
    pub max_bytes: i64,
    pub files: i64,
    pub max_files: i64,
}

/// The caller's uploads, newest first, and their quota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UploadList {
    pub uploads: Vec<Upload>,
    pub quota: Quota,
}
