//! The SQL for uploads.

use sqlx::{AnyConnection, AnyExecutor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    pub id: String,
    pub owner_id: String,
    pub kind: String,
    pub name: String,
    pub file_key: String,
    pub renditions: String,
    pub card_key: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub size_bytes: i64,
    pub created_at_ms: i64,
}

const COLUMNS: &str =
    "id, owner_id, kind, name, file_key, renditions, card_key, width, height, size_bytes, created_at_ms";

/// The columns of [`UploadRow`] from the table aliased `alias`, for joins.
pub fn columns(alias: &str) -> String {
    COLUMNS.split(", ").map(|column| format!("{alias}.{column}")).collect::<Vec<_>>().join(", ")
}

pub async fn insert(conn: &mut AnyConnection, row: &UploadRow, files: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("INSERT INTO uploads ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
        .bind(&row.id)
        .bind(&row.owner_id)
        .bind(&row.kind)
        .bind(&row.name)
        .bind(&row.file_key)
        .bind(&row.renditions)
        .bind(&row.card_key)
        .bind(row.width)
        .bind(row.height)
        .bind(row.size_bytes)
        .bind(row.created_at_ms)
        .execute(&mut *conn)
        .await?;
    for key in files {
        sqlx::query("INSERT INTO upload_files (upload_id, file_key) VALUES ($1, $2)")
            .bind(&row.id)
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn by_id<'e>(db: impl AnyExecutor<'e>, id: &str) -> Result<Option<UploadRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM uploads WHERE id = $1")).bind(id).fetch_optional(db).await
}

pub async fn by_owner<'e>(db: impl AnyExecutor<'e>, owner_id: &str) -> Result<Vec<UploadRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM uploads WHERE owner_id = $1 ORDER BY created_at_ms DESC, id DESC"))
        .bind(owner_id)
        .fetch_all(db)
        .await
}

/// Files and bytes `owner_id` keeps stored.
pub async fn usage<'e>(db: impl AnyExecutor<'e>, owner_id: &str) -> Result<(i64, i64), sqlx::Error> {
    let (files, bytes): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), CAST(SUM(size_bytes) AS BIGINT) FROM uploads WHERE owner_id = $1")
            .bind(owner_id)
            .fetch_one(db)
            .await?;
    Ok((files, bytes.unwrap_or(0)))
}

/// The owner's avatars other than `keep`, oldest first.
pub async fn other_avatars<'e>(
    db: impl AnyExecutor<'e>,
    owner_id: &str,
    keep: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM uploads WHERE owner_id = $1 AND kind = 'avatar' AND id <> $2 ORDER BY created_at_ms, id",
    )
    .bind(owner_id)
    .bind(keep)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Deletes an upload; returns the stored files it used that no other upload uses.
pub async fn delete(conn: &mut AnyConnection, id: &str) -> Result<Vec<String>, sqlx::Error> {
    let keys: Vec<(String,)> =
        sqlx::query_as("SELECT file_key FROM upload_files WHERE upload_id = $1").bind(id).fetch_all(&mut *conn).await?;
    sqlx::query("DELETE FROM upload_files WHERE upload_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM uploads WHERE id = $1").bind(id).execute(&mut *conn).await?;
    let mut unused = Vec::new();
    for (key,) in keys {
        let still: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM upload_files WHERE file_key = $1 LIMIT 1")
            .bind(&key)
            .fetch_optional(&mut *conn)
            .await?;
        if still.is_none() {
            unused.push(key);
        }
    }
    Ok(unused)
}
