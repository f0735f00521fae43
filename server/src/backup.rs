//! `server backup <file>` and `server restore <file>`. SQLite: a consistent copy taken
//! while the site keeps serving (`VACUUM INTO` reads one snapshot), and putting a copy
//! back with the server stopped. PostgreSQL has its own tools; these commands name them.

use std::{
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    str::FromStr,
    time::Instant,
};

use anyhow::{bail, Context};
use app::server::{db::sqlite_file, Db, Engine};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteConnection},
    ConnectOptions, Connection,
};

use crate::Config;

const PG_DUMP: &str = "PostgreSQL databases are backed up with pg_dump, which takes a consistent \
    snapshot while the site serves:\n\n    pg_dump --format=custom --file=<file> \"$DATABASE_URL\"\n\n\
    and restored, with the servers stopped, into an empty database with:\n\n    \
    pg_restore --clean --if-exists --no-owner --dbname=\"$DATABASE_URL\" <file>\n\n\
    (see Backups in the README).";

/// Copies the live SQLite database into `target`, which must not exist yet.
pub async fn backup(config: &Config, target: &Path) -> anyhow::Result<()> {
    let live = live_sqlite_file(config)?;
    if !live.is_file() {
        bail!("there is no database at {} to back up (DATABASE_URL)", live.display());
    }
    let target = std::path::absolute(target).with_context(|| format!("resolving {}", target.display()))?;
    if target.exists() {
        bail!("{} already exists: a backup never overwrites a file", target.display());
    }
    if let Some(folder) = target.parent() {
        std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    }
    let started = Instant::now();
    let db = Db::connect(&config.database).await.context("opening DATABASE_URL")?;
    let Some(target_text) = target.to_str() else { bail!("{} is not a UTF-8 path", target.display()) };
    // One read transaction: every write committed before it began is in the copy, and
    // writers carry on meanwhile (WAL).
    let copied = sqlx::query("VACUUM INTO $1").bind(target_text).execute(db.pool()).await;
    db.close().await;
    copied.with_context(|| format!("writing the backup to {}", target.display()))?;
    let version = check_copy(&target).await?;
    let bytes = std::fs::metadata(&target)?.len();
    println!(
        "Backed up {} to {} ({bytes} bytes, schema version {version}) in {:.2} s.",
        live.display(),
        target.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Replaces the SQLite database with the copy in `source`; the server must be stopped.
/// The database it replaces is kept beside it, renamed `<name>.before-restore-<time>`.
pub async fn restore(config: &Config, source: &Path) -> anyhow::Result<()> {
    let live = live_sqlite_file(config)?.to_path_buf();
    if !source.is_file() {
        bail!("there is no backup file at {}", source.display());
    }
    let version = check_copy(source).await?;
    let newest_known = app::server::db::MIGRATOR.iter().map(|m| m.version).max().unwrap_or_default();
    if version > newest_known {
        bail!(
            "{} has schema version {version}, newer than this server's {newest_known}: restore it with the \
             version of the server that took it",
            source.display()
        );
    }
    ensure_stopped(config.listen_addr)?;
    if let Some(folder) = live.parent() {
        std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    }

    // Copy next to the live file first, so the final step is one rename on one file system.
    let incoming = with_suffix(&live, ".restoring");
    std::fs::copy(source, &incoming)
        .with_context(|| format!("copying {} to {}", source.display(), incoming.display()))?;
    std::fs::File::open(&incoming)?.sync_all()?;
    let kept = with_suffix(&live, &format!(".before-restore-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")));
    let had_database = live.exists();
    // The write-ahead log belongs to the file it came with: move it along, under the
    // names SQLite looks for beside the kept copy.
    for suffix in ["", "-wal", "-shm"] {
        let file = with_suffix(&live, suffix);
        if file.exists() {
            std::fs::rename(&file, with_suffix(&kept, suffix))
                .with_context(|| format!("moving {} aside", file.display()))?;
        }
    }
    std::fs::rename(&incoming, &live).with_context(|| format!("putting the copy in place at {}", live.display()))?;
    println!("Restored {} from {} (schema version {version}).", live.display(), source.display());
    if had_database {
        println!("The database it replaced is kept as {}.", kept.display());
    }
    println!("Start the server as usual; it applies any newer migrations.");
    Ok(())
}

fn live_sqlite_file(config: &Config) -> anyhow::Result<&Path> {
    match Engine::from_url(&config.database.url) {
        Some(Engine::Postgres) => bail!("{PG_DUMP}"),
        _ => sqlite_file(&config.database.url)
            .context("DATABASE_URL names no database file (an in-memory database cannot be backed up)"),
    }
}

/// Opens a copy read-only and checks that it is whole and is this app's database: its
/// newest applied migration.
async fn check_copy(path: &Path) -> anyhow::Result<i64> {
    let describe = || format!("{} is not a usable backup", path.display());
    let options = SqliteConnectOptions::from_str("sqlite://")?.filename(path).read_only(true);
    let mut connection: SqliteConnection = options.connect().await.with_context(describe)?;
    let (integrity,): (String,) =
        sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut connection).await.with_context(describe)?;
    if integrity != "ok" {
        bail!("{}: the integrity check failed ({integrity})", describe());
    }
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut connection)
        .await
        .with_context(|| format!("{}: it has no migration history, so it is not this app's database", describe()))?;
    connection.close().await?;
    version.with_context(|| format!("{}: no migration was ever applied to it", describe()))
}

/// Restoring under a running server would pull the file from under its connections.
/// A server of this configuration holds `LISTEN_ADDR`; if that address is taken, stop.
fn ensure_stopped(listen_addr: SocketAddr) -> anyhow::Result<()> {
    if listen_addr.port() == 0 {
        return Ok(());
    }
    match TcpListener::bind(listen_addr) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => bail!(
            "something is listening on {listen_addr} (LISTEN_ADDR): stop the server before restoring, \
             or it would keep writing to the database being replaced"
        ),
        Err(error) => Err(error).with_context(|| format!("checking that nothing listens on {listen_addr}")),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_are_appended_to_the_whole_file_name() {
        assert_eq!(with_suffix(Path::new("/data/app.db"), "-wal"), PathBuf::from("/data/app.db-wal"));
        assert_eq!(
            with_suffix(&with_suffix(Path::new("app.db"), ".before-restore-1"), "-shm"),
            PathBuf::from("app.db.before-restore-1-shm")
        );
    }

    #[test]
    fn a_running_server_blocks_a_restore() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let error = ensure_stopped(taken.local_addr().unwrap()).unwrap_err().to_string();
        assert!(error.contains("LISTEN_ADDR"), "{error}");
        drop(taken);
    }
}
