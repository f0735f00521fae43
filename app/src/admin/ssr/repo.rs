//! All SQL for user administration. Filters are bound parameters; LIKE patterns are
//! lower-cased and escaped so the search means the same on both engines.

use sqlx::{Any, AnyExecutor, FromRow};

use crate::{
    accounts::{CurrentUser, Role},
    admin::model::{ManagedUser, UserFilter, UserStatistics},
};

#[derive(FromRow)]
struct Row {
    id: String,
    username: String,
    email: String,
    name: Option<String>,
    full_name: Option<String>,
    phone_number: Option<String>,
    bio: Option<String>,
    avatar_url: Option<String>,
    role: String,
    active: i64,
    verified: i64,
    created_at: i64,
}

impl From<Row> for ManagedUser {
    fn from(row: Row) -> Self {
        Self {
            profile: CurrentUser {
                id: row.id,
                username: row.username,
                email: row.email,
                name: row.name,
                full_name: row.full_name,
                phone_number: row.phone_number,
                bio: row.bio,
                avatar_url: row.avatar_url,
                email_verified: row.verified != 0,
                role: Role::parse(&row.role).unwrap_or(Role::Client),
            },
            active: row.active != 0,
            email_verified: row.verified != 0,
            created_at: row.created_at,
        }
    }
}

// sqlx's Any driver cannot decode SQLite booleans: flags are read as 0/1.
const COLUMNS: &str = "id, username, email, name, full_name, phone_number, bio, avatar_url, role, \
     CASE WHEN active THEN 1 ELSE 0 END AS active, \
     CASE WHEN email_verified_at IS NULL THEN 0 ELSE 1 END AS verified, created_at";

/// `WHERE` text and its string arguments ($1…); every filter is a bound parameter.
fn where_clause(filter: &UserFilter) -> (String, Vec<String>) {
    let mut conditions = Vec::new();
    let mut args = Vec::new();
    if let Some(role) = filter.role {
        args.push(role.as_str().to_string());
        conditions.push(format!("role = ${}", args.len()));
    }
    if let Some(active) = filter.active {
        conditions.push(if active { "active".into() } else { "NOT active".into() });
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        args.push(format!("%{escaped}%"));
        let n = args.len();
        conditions.push(format!(
            "(lower(username) LIKE ${n} ESCAPE '\\' OR lower(email) LIKE ${n} ESCAPE '\\' \
             OR lower(COALESCE(full_name, '')) LIKE ${n} ESCAPE '\\')"
        ));
    }
    let clause = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    (clause, args)
}

pub async fn list(
    db: &sqlx::AnyPool,
    filter: &UserFilter,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<ManagedUser>), sqlx::Error> {
    let (clause, args) = where_clause(filter);
    let count_sql = format!("SELECT COUNT(*) FROM users {clause}");
    let mut count = sqlx::query_as::<Any, (i64,)>(&count_sql);
    for arg in &args {
        count = count.bind(arg);
    }
    let (total,) = count.fetch_one(db).await?;
    let n = args.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM users {clause} ORDER BY created_at DESC, username LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut query = sqlx::query_as::<Any, Row>(&sql);
    for arg in &args {
        query = query.bind(arg);
    }
    let rows = query.bind(limit).bind(offset).fetch_all(db).await?;
    Ok((total, rows.into_iter().map(Into::into).collect()))
}

pub async fn find<'e>(db: impl AnyExecutor<'e>, id: &str) -> Result<Option<ManagedUser>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let row: Option<Row> = sqlx::query_as(&sql).bind(id).fetch_optional(db).await?;
    Ok(row.map(Into::into))
}

pub async fn statistics<'e>(db: impl AnyExecutor<'e>) -> Result<UserStatistics, sqlx::Error> {
    let (total, clients, trainers, admins, inactive, unverified): (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), \
           COALESCE(SUM(CASE WHEN role = 'client' THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN role = 'trainer' THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN role = 'admin' THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN active THEN 0 ELSE 1 END), 0), \
           COALESCE(SUM(CASE WHEN email_verified_at IS NULL THEN 1 ELSE 0 END), 0) \
         FROM users",
    )
    .fetch_one(db)
    .await?;
    Ok(UserStatistics { total, clients, trainers, admins, inactive, unverified })
}

pub async fn set_role<'e>(db: impl AnyExecutor<'e>, id: &str, role: Role, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET role = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(role.as_str())
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// `active` is bound as 0/1: the Any driver cannot bind booleans to SQLite either.
pub async fn set_active<'e>(db: impl AnyExecutor<'e>, id: &str, active: bool, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET active = CASE WHEN $2 = 1 THEN TRUE ELSE FALSE END, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(i64::from(active))
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_contact<'e>(
    db: impl AnyExecutor<'e>,
    id: &str,
    email: Option<&str>,
    phone_number: Option<Option<&str>>,
    full_name: Option<Option<&str>>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET \
           email = COALESCE($2, email), \
           phone_number = CASE WHEN $3 = 1 THEN $4 ELSE phone_number END, \
           full_name = CASE WHEN $5 = 1 THEN $6 ELSE full_name END, \
           updated_at = $7 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(email)
    .bind(i64::from(phone_number.is_some()))
    .bind(phone_number.flatten())
    .bind(i64::from(full_name.is_some()))
    .bind(full_name.flatten())
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}
