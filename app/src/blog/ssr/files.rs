//! The uploads a post revision uses (its cover, its attachments, the images its text
//! shows): which uploads a writer may use, the rows that keep them referenced, and the
//! HTML readers get for them.

use sqlx::{AnyConnection, AnyExecutor};

use super::render::escape;
use crate::{
    accounts::validation::FieldErrors,
    error::AppError,
    server::db::RecordId,
    uploads::{
        human_size,
        ssr::{
            repo::{self as uploads_repo, UploadRow},
            service::upload_of,
        },
        Upload, UploadKind, FILES_PATH,
    },
};

/// The most files one post may attach.
pub const MAX_ATTACHMENTS: usize = 10;

/// How a revision uses an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    Cover,
    Attachment,
    Image,
}

impl FileRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cover => "cover",
            Self::Attachment => "attachment",
            Self::Image => "image",
        }
    }
}

/// The upload ids a revision uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevisionFiles {
    pub cover: Option<String>,
    /// In the order readers see them.
    pub attachments: Vec<String>,
    pub images: Vec<String>,
}

impl RevisionFiles {
    fn entries(&self) -> impl Iterator<Item = (FileRole, &String)> {
        self.cover
            .iter()
            .map(|id| (FileRole::Cover, id))
            .chain(self.attachments.iter().map(|id| (FileRole::Attachment, id)))
            .chain(self.images.iter().map(|id| (FileRole::Image, id)))
    }

    /// Every upload id used, once.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.entries().map(|(_, id)| id.clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// The uploads of a revision with their rows, as the pages show them.
#[derive(Debug, Clone, Default)]
pub struct RevisionUploads {
    pub cover: Option<Upload>,
    pub attachments: Vec<Upload>,
}

impl RevisionUploads {
    /// The cover's social card, for OpenGraph.
    pub fn card_path(&self) -> Option<String> {
        self.cover.as_ref().and_then(|cover| cover.card_url.clone())
    }
}

#[derive(sqlx::FromRow)]
struct FileRow {
    role: String,
    #[sqlx(flatten)]
    upload: UploadRow,
}

/// The uploads `revision_id` uses, cover and attachments with their rows.
pub async fn uploads_of<'e>(db: impl AnyExecutor<'e>, revision_id: &str) -> Result<RevisionUploads, sqlx::Error> {
    let rows: Vec<FileRow> = sqlx::query_as(&format!(
        "SELECT f.role, {} FROM revision_files f JOIN uploads u ON u.id = f.upload_id \
         WHERE f.revision_id = $1 AND f.role <> 'image' ORDER BY f.role, f.position",
        uploads_repo::columns("u")
    ))
    .bind(revision_id)
    .fetch_all(db)
    .await?;
    let mut out = RevisionUploads::default();
    for row in rows {
        let upload = upload_of(row.upload);
        if row.role == FileRole::Cover.as_str() {
            out.cover = Some(upload);
        } else {
            out.attachments.push(upload);
        }
    }
    Ok(out)
}

/// The upload ids `revision_id` uses.
pub async fn of_revision<'e>(db: impl AnyExecutor<'e>, revision_id: &str) -> Result<RevisionFiles, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT role, upload_id FROM revision_files WHERE revision_id = $1 ORDER BY role, position, upload_id",
    )
    .bind(revision_id)
    .fetch_all(db)
    .await?;
    let mut files = RevisionFiles::default();
    for (role, id) in rows {
        match role.as_str() {
            "cover" => files.cover = Some(id),
            "attachment" => files.attachments.push(id),
            _ => files.images.push(id),
        }
    }
    Ok(files)
}

/// Makes `files` what `revision_id` uses.
pub async fn replace(conn: &mut AnyConnection, revision_id: &str, files: &RevisionFiles) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM revision_files WHERE revision_id = $1").bind(revision_id).execute(&mut *conn).await?;
    for (position, (role, id)) in files.entries().enumerate() {
        sqlx::query("INSERT INTO revision_files (revision_id, upload_id, role, position) VALUES ($1, $2, $3, $4)")
            .bind(revision_id)
            .bind(id)
            .bind(role.as_str())
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Every upload any revision of `post_id` uses.
pub async fn used_by_post(conn: &mut AnyConnection, post_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT f.upload_id FROM revision_files f JOIN post_revisions r ON r.id = f.revision_id \
         WHERE r.post_id = $1",
    )
    .bind(post_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Whether any revision uses the upload.
pub async fn is_used<'e>(db: impl AnyExecutor<'e>, upload_id: &str) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM revision_files WHERE upload_id = $1 LIMIT 1")
        .bind(upload_id)
        .fetch_optional(db)
        .await?;
    Ok(row.is_some())
}

/// Deletes those of `ids` that no revision uses any more; returns the stored files that
/// no upload uses either, to remove once the transaction is committed.
pub async fn delete_unused(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let mut keys = Vec::new();
    for id in ids {
        if !is_used(&mut *conn, id).await? {
            keys.extend(uploads_repo::delete(conn, id).await?);
        }
    }
    Ok(keys)
}

/// The stored files a Markdown text links under `/files/`, as their keys.
pub fn file_keys_in(markdown: &str) -> Vec<String> {
    let prefix = format!("{FILES_PATH}/");
    let mut keys: Vec<String> = markdown
        .match_indices(&prefix)
        .filter_map(|(at, _)| {
            let rest = &markdown[at + prefix.len()..];
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.')).unwrap_or(rest.len());
            let key = rest[..end].trim_end_matches('.');
            crate::uploads::ssr::storage::FileKey::parse(key).map(|_| key.to_string())
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// What the editor sent for a revision's files: `None` keeps what the revision has.
#[derive(Debug, Clone, Default)]
pub struct FilesInput {
    /// An upload id, or empty for no cover.
    pub cover: Option<String>,
    /// Upload ids separated by commas or spaces.
    pub attachments: Option<String>,
}

/// Checks the files a save asks for: each must be an upload of the right kind belonging
/// to the post's author or to the writer (an administrator editing someone's post). The
/// images are the writer's or author's image uploads the text links.
pub async fn choose(
    conn: &mut AnyConnection,
    owners: [&str; 2],
    current: &RevisionFiles,
    input: &FilesInput,
    markdown: &str,
) -> Result<RevisionFiles, AppError> {
    let mut errors = FieldErrors::new();
    let mut chosen = RevisionFiles::default();
    let cover = match &input.cover {
        None => current.cover.clone(),
        Some(raw) => Some(raw.trim().to_string()).filter(|id| !id.is_empty()),
    };
    if let Some(id) = cover {
        match owned_upload(conn, owners, &id, UploadKind::Cover).await? {
            Some(row) => chosen.cover = Some(row.id),
            None => errors.add("cover", "is not one of your cover images; upload it again"),
        }
    }
    let attachments: Vec<String> = match &input.attachments {
        None => current.attachments.clone(),
        Some(raw) => raw.split([',', ' ']).map(str::trim).filter(|id| !id.is_empty()).map(str::to_string).collect(),
    };
    for id in attachments {
        if chosen.attachments.contains(&id) {
            continue;
        }
        if chosen.attachments.len() == MAX_ATTACHMENTS {
            errors.add("attachments", format!("may be at most {MAX_ATTACHMENTS} files"));
            break;
        }
        match owned_upload(conn, owners, &id, UploadKind::Attachment).await? {
            Some(row) => chosen.attachments.push(row.id),
            None => {
                errors.add("attachments", "include a file that is not one of your attachments; upload it again");
                break;
            }
        }
    }
    for key in file_keys_in(markdown) {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM uploads WHERE kind = 'image' AND file_key = $1 AND owner_id IN ($2, $3) \
             ORDER BY created_at_ms LIMIT 1",
        )
        .bind(&key)
        .bind(owners[0])
        .bind(owners[1])
        .fetch_optional(&mut *conn)
        .await?;
        chosen.images.extend(row.map(|(id,)| id));
    }
    chosen.images.sort();
    chosen.images.dedup();
    if errors.is_empty() {
        Ok(chosen)
    } else {
        Err(AppError::invalid(errors))
    }
}

async fn owned_upload(
    conn: &mut AnyConnection,
    owners: [&str; 2],
    id: &str,
    kind: UploadKind,
) -> Result<Option<UploadRow>, sqlx::Error> {
    let Some(id) = RecordId::parse(id) else { return Ok(None) };
    let row = uploads_repo::by_id(&mut *conn, id.as_str()).await?;
    Ok(row.filter(|row| row.kind == kind.as_str() && owners.contains(&row.owner_id.as_str())))
}

// ---- The editor's file form -------------------------------------------------------------

/// What the editor's file buttons ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAction {
    /// Upload the file in `<kind>_file` as a cover, an attachment or an image for the text.
    Upload(UploadKind),
    RemoveCover,
    RemoveAttachment(String),
}

impl FileAction {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "cover" => Self::Upload(UploadKind::Cover),
            "attachment" => Self::Upload(UploadKind::Attachment),
            "image" => Self::Upload(UploadKind::Image),
            "remove_cover" => Self::RemoveCover,
            _ => Self::RemoveAttachment(raw.strip_prefix("remove_attachment:")?.to_string()),
        })
    }
}

// ---- What readers get ------------------------------------------------------------------

/// The `sizes` of a cover: the article column's width on wide screens.
const COVER_SIZES: &str = "(min-width: 760px) 720px, 100vw";

/// The cover as a responsive `<img>` (the title is its text alternative: a cover
/// illustrates the post it heads). Empty without a cover.
pub fn cover_html(cover: Option<&Upload>, title: &str) -> String {
    let Some(cover) = cover else { return String::new() };
    let srcset: Vec<String> = cover.renditions.iter().map(|r| format!("{} {}w", r.url, r.width)).collect();
    let (width, height) = cover.renditions.last().map_or((0, 0), |r| (r.width, r.height));
    format!(
        r#"<figure class="post__cover"><img src="{}" srcset="{}" sizes="{COVER_SIZES}" width="{width}" height="{height}" alt="{}" fetchpriority="high"></figure>"#,
        escape(&cover.url),
        escape(&srcset.join(", ")),
        escape(&format!("Cover image: {title}")),
    )
}

/// The attachments as a download list. Empty without attachments.
pub fn attachments_html(attachments: &[Upload]) -> String {
    if attachments.is_empty() {
        return String::new();
    }
    let items: String = attachments
        .iter()
        .map(|file| {
            format!(
                r#"<li><a href="{}" download>{}</a> <span class="muted">{} · {}</span></li>"#,
                escape(&file.url),
                escape(&file.name),
                escape(kind_label(&file.content_type)),
                human_size(file.size_bytes.max(0) as u64),
            )
        })
        .collect();
    format!(
        r#"<section class="post__attachments" aria-labelledby="attachments-title"><h2 id="attachments-title">Attachments</h2><ul>{items}</ul></section>"#
    )
}

/// A reader's word for a media type.
fn kind_label(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "PDF",
        "text/plain; charset=utf-8" | "text/plain" => "Text",
        "application/zip" => "ZIP archive",
        "application/gzip" => "gzip archive",
        t if t.starts_with("image/") => "Image",
        _ => "File",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uploads::Rendition;

    const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn file_links_in_text_are_found_once() {
        let text = format!("![a](/files/{KEY}.webp) and [b](/files/{KEY}.webp). ![c](/files/nothing.png)");
        assert_eq!(file_keys_in(&text), vec![format!("{KEY}.webp")]);
        assert!(file_keys_in("no files here").is_empty());
    }

    fn upload(kind: UploadKind, name: &str) -> Upload {
        Upload {
            id: "u1".into(),
            kind,
            name: name.into(),
            url: format!("/files/{KEY}.pdf/{name}"),
            content_type: "application/pdf".into(),
            size_bytes: 2048,
            width: None,
            height: None,
            renditions: vec![
                Rendition { url: "/files/a.webp".into(), width: 480, height: 270 },
                Rendition { url: "/files/b.webp".into(), width: 960, height: 540 },
            ],
            card_url: None,
            created_at_ms: 0,
        }
    }

    #[test]
    fn covers_carry_every_width_and_an_escaped_alternative() {
        let html = cover_html(Some(&upload(UploadKind::Cover, "c.jpg")), "Tom & \"Jerry\"");
        assert!(html.contains(r#"srcset="/files/a.webp 480w, /files/b.webp 960w""#), "{html}");
        assert!(html.contains(r#"width="960" height="540""#), "{html}");
        assert!(html.contains("Cover image: Tom &amp; &quot;Jerry&quot;"), "{html}");
        assert_eq!(cover_html(None, "x"), "");
    }

    #[test]
    fn attachments_are_listed_with_type_and_size_and_escaped_names() {
        let html = attachments_html(&[upload(UploadKind::Attachment, "<b>plan</b>.pdf")]);
        assert!(html.contains("&lt;b&gt;plan&lt;/b&gt;.pdf</a>"), "{html}");
        assert!(html.contains("PDF · 2 KB"), "{html}");
        assert_eq!(attachments_html(&[]), "");
    }
}
