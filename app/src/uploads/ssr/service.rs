//! The rules for uploads: what is accepted for which use, quotas, who may delete, and
//! removing stored files once nothing uses them.

use super::{
    images::{self, ImageError, Purpose},
    repo::{self, UploadRow},
    sniff::{self, FileType},
    storage::FileKey,
};
use crate::{
    accounts::{
        ssr::repo::{self as accounts_repo, UserRecord},
        validation::FieldErrors,
        Role,
    },
    error::AppError,
    server::{clock::now_ms, db::RecordId, AppState},
    uploads::{human_size, Quota, Rendition, Upload, UploadKind, UploadList, FILES_PATH},
};

/// The longest file name kept (characters).
pub const MAX_NAME_CHARS: usize = 200;

fn file_error(message: impl Into<String>) -> AppError {
    let mut errors = FieldErrors::new();
    errors.add("file", message);
    AppError::invalid(errors)
}

/// The name a file was uploaded with, without folders, control characters or characters
/// that file systems refuse. Empty becomes `file`.
pub fn clean_name(raw: &str) -> Result<String, String> {
    if raw.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be at most {MAX_NAME_CHARS} characters"));
    }
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*')).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    Ok(if cleaned.is_empty() { "file".into() } else { cleaned.to_string() })
}

/// A file name as one URL path segment (also RFC 5987's `filename*` value).
pub fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn file_url(key: &str) -> String {
    format!("{FILES_PATH}/{key}")
}

/// What the API and pages show of a row.
pub fn upload_of(row: UploadRow) -> Upload {
    let kind = UploadKind::parse(&row.kind).unwrap_or(UploadKind::Attachment);
    let content_type =
        FileKey::parse(&row.file_key).map_or("application/octet-stream", |key| key.kind().mime()).to_string();
    let url = match kind {
        UploadKind::Attachment => format!("{FILES_PATH}/{}/{}", row.file_key, path_segment(&row.name)),
        _ => file_url(&row.file_key),
    };
    let renditions = row
        .renditions
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(' ');
            let (key, width, height) = (parts.next()?, parts.next()?, parts.next()?);
            Some(Rendition { url: file_url(key), width: width.parse().ok()?, height: height.parse().ok()? })
        })
        .collect();
    Upload {
        id: row.id,
        kind,
        name: row.name,
        url,
        content_type,
        size_bytes: row.size_bytes,
        width: row.width.map(|w| w as u32),
        height: row.height.map(|h| h as u32),
        renditions,
        card_url: row.card_key.as_deref().map(file_url),
        created_at_ms: row.created_at_ms,
    }
}

async fn quota(state: &AppState, user: &UserRecord) -> Result<Quota, AppError> {
    let (files, used_bytes) = repo::usage(state.db.pool(), &user.id).await?;
    let settings = &state.uploads.settings;
    Ok(Quota { used_bytes, max_bytes: settings.quota_bytes, files, max_files: settings.quota_files })
}

/// One file made of the upload, before it is stored.
struct Output {
    kind: FileType,
    bytes: Vec<u8>,
    width: Option<u32>,
    height: Option<u32>,
}

/// Checks, processes and stores one upload of `bytes` named `name`, for `kind`.
pub async fn upload(
    state: &AppState,
    user: &UserRecord,
    kind: UploadKind,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Upload, AppError> {
    let settings = state.uploads.settings.clone();
    let name = clean_name(name).map_err(|message| {
        let mut errors = FieldErrors::new();
        errors.add("name", message);
        AppError::invalid(errors)
    })?;
    if bytes.len() > settings.max_bytes {
        return Err(file_error(format!(
            "is {}; the limit is {}",
            human_size(bytes.len() as u64),
            human_size(settings.max_bytes as u64)
        )));
    }
    let file_type = sniff::sniff(&bytes).map_err(|refused| file_error(refused.to_string()))?;
    match kind {
        UploadKind::Attachment => {
            sniff::check_name(&name, file_type).map_err(|refused| file_error(refused.to_string()))?
        }
        _ if !file_type.is_image() => {
            return Err(file_error(format!(
                "is {}; {} must be a JPEG, PNG, WebP or GIF image",
                file_type.label(),
                match kind {
                    UploadKind::Avatar => "an avatar",
                    UploadKind::Cover => "a cover",
                    _ => "an image",
                }
            )))
        }
        _ => {}
    }
    crate::server::rate_limit::hit(state.db.pool(), &format!("uploads:{}", user.id), settings.rate, now_ms() / 1000)
        .await?;
    let before = quota(state, user).await?;
    if before.files >= before.max_files {
        return Err(file_error(format!(
            "would be one file too many: you keep {} files, the limit; delete some first",
            before.files
        )));
    }

    // Images are decoded and re-encoded off the async workers; attachments kept as sent.
    let (outputs, card, width, height) = match kind {
        UploadKind::Attachment => {
            (vec![Output { kind: file_type, bytes, width: None, height: None }], None, None, None)
        }
        UploadKind::Image | UploadKind::Cover | UploadKind::Avatar => {
            let purpose = match kind {
                UploadKind::Cover => Purpose::Cover,
                UploadKind::Avatar => Purpose::Avatar,
                _ => Purpose::Inline,
            };
            let limits = settings.images;
            let processed = state
                .uploads
                .cpu(move || images::process(&bytes, file_type, purpose, &limits))
                .await?
                .map_err(|error: ImageError| file_error(error.to_string()))?;
            let outputs = processed
                .renditions
                .into_iter()
                .map(|r| Output { kind: r.kind, bytes: r.bytes, width: Some(r.width), height: Some(r.height) })
                .collect();
            let card = processed.card.map(|c| Output { kind: c.kind, bytes: c.bytes, width: None, height: None });
            (outputs, card, Some(processed.width), Some(processed.height))
        }
    };
    let size_bytes: i64 = outputs.iter().chain(card.iter()).map(|o| o.bytes.len() as i64).sum();
    if before.used_bytes + size_bytes > before.max_bytes {
        return Err(file_error(format!(
            "needs {}, but only {} of your {} remain; delete some files first",
            human_size(size_bytes as u64),
            human_size((before.max_bytes - before.used_bytes).max(0) as u64),
            human_size(before.max_bytes as u64)
        )));
    }

    let storage = &state.uploads.storage;
    let mut renditions = Vec::new();
    let mut keys = Vec::new();
    for output in outputs {
        let (w, h) = (output.width, output.height);
        let key = storage.put(output.bytes, output.kind).await.map_err(storage_failed)?;
        if let (Some(w), Some(h)) = (w, h) {
            renditions.push(format!("{key} {w} {h}"));
        }
        keys.push(key.to_string());
    }
    // The widest rendition (they come narrowest first), or the attachment itself.
    let file_key = keys.last().cloned().unwrap_or_default();
    let card_key = match card {
        Some(card) => {
            let key = storage.put(card.bytes, card.kind).await.map_err(storage_failed)?.to_string();
            keys.push(key.clone());
            Some(key)
        }
        None => None,
    };
    let row = UploadRow {
        id: RecordId::new_ordered().into(),
        owner_id: user.id.clone(),
        kind: kind.as_str().into(),
        name,
        file_key,
        renditions: renditions.join(","),
        card_key,
        width: width.map(i64::from),
        height: height.map(i64::from),
        size_bytes,
        created_at_ms: now_ms(),
    };
    keys.sort();
    keys.dedup();
    let upload = upload_of(row.clone());
    let mut tx = state.db.begin().await?;
    repo::insert(&mut tx, &row, &keys).await?;
    // A new avatar is the user's picture at once; the one it replaces is deleted.
    let mut unused = Vec::new();
    if kind == UploadKind::Avatar {
        let picture = avatar_picture(&upload);
        accounts_repo::update_public_profile(&mut *tx, &user.id, None, Some(Some(picture)), now_ms() / 1000).await?;
        for old in repo::other_avatars(&mut *tx, &user.id, &row.id).await? {
            unused.extend(repo::delete(&mut tx, &old).await?);
        }
    }
    tx.commit().await?;
    remove_files(state, &unused).await;
    tracing::info!(upload_id = %row.id, kind = kind.as_str(), size_bytes, "file uploaded");
    Ok(upload)
}

/// The size profiles, comments and chat show (the 128-pixel square, or the largest
/// there is when the picture is smaller).
fn avatar_picture(upload: &Upload) -> String {
    upload
        .renditions
        .iter()
        .rev()
        .find(|r| r.width <= 128)
        .or(upload.renditions.first())
        .map_or_else(|| upload.url.clone(), |r| r.url.clone())
}

/// Removes stored files nothing uses any more. The rows are gone either way; a file left
/// behind only costs space.
pub async fn remove_files(state: &AppState, keys: &[String]) {
    for key in keys.iter().filter_map(|k| FileKey::parse(k)) {
        if let Err(error) = state.uploads.storage.delete(&key).await {
            tracing::warn!(%error, file = %key, "could not remove an unused file");
        }
    }
}

fn storage_failed(error: super::storage::StorageError) -> AppError {
    tracing::error!(%error, "could not store an upload");
    AppError::Internal
}

/// The user's uploads, newest first, and their quota.
pub async fn list(state: &AppState, user: &UserRecord) -> Result<UploadList, AppError> {
    let uploads = repo::by_owner(state.db.pool(), &user.id).await?.into_iter().map(upload_of).collect();
    Ok(UploadList { uploads, quota: quota(state, user).await? })
}

fn not_found() -> AppError {
    AppError::NotFound("No such upload.".into())
}

/// Deletes an upload (its owner or an admin) and the stored files nothing else uses.
pub async fn delete(state: &AppState, user: &UserRecord, id: &str) -> Result<(), AppError> {
    let id = RecordId::parse(id).ok_or_else(not_found)?;
    let row = repo::by_id(state.db.pool(), id.as_str()).await?.ok_or_else(not_found)?;
    if row.owner_id != user.id && user.role != Role::Admin {
        return Err(not_found());
    }
    let mut tx = state.db.begin().await?;
    // Checked inside the transaction that deletes, so a save cannot start using it between.
    if crate::blog::ssr::files::is_used(&mut *tx, &row.id).await? {
        return Err(AppError::Conflict(
            "This file is used by a post (or a revision of one kept for its review); remove it from the post first."
                .into(),
        ));
    }
    let unused = repo::delete(&mut tx, &row.id).await?;
    // Deleting the picture in use leaves its owner with none.
    if row.kind == UploadKind::Avatar.as_str() {
        let pictures: Vec<String> = upload_of(row.clone()).renditions.into_iter().map(|r| r.url).collect();
        let owner = accounts_repo::find_by_id(&mut *tx, &row.owner_id).await?;
        if owner.and_then(|o| o.avatar_url).is_some_and(|url| pictures.contains(&url)) {
            accounts_repo::update_public_profile(&mut *tx, &row.owner_id, None, Some(None), now_ms() / 1000).await?;
        }
    }
    tx.commit().await?;
    remove_files(state, &unused).await;
    tracing::info!(upload_id = %row.id, removed_files = unused.len(), "upload deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_folders_and_dangerous_characters() {
        assert_eq!(clean_name("C:\\Users\\me\\Report \"final\".pdf").unwrap(), "Report final.pdf");
        assert_eq!(clean_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_name("..hidden\u{7}.txt").unwrap(), "hidden.txt");
        assert_eq!(clean_name("").unwrap(), "file");
        assert_eq!(clean_name(&"a".repeat(201)).unwrap_err(), "must be at most 200 characters");
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(10 * 1024 * 1024), "10 MB");
        assert_eq!(human_size(12_900_000), "12.3 MB");
        assert_eq!(human_size(950 * 1024), "950 KB");
    }

    #[test]
    fn attachment_urls_carry_the_name_encoded() {
        assert_eq!(path_segment("Report final (v2).pdf"), "Report%20final%20%28v2%29.pdf");
        assert_eq!(path_segment("café.txt"), "caf%C3%A9.txt");
    }
}
