//! Maintenance commands of the server binary (`server <command>`), run against the
//! configured database. The first administrator comes from here, never from a
//! hard-coded password.

use anyhow::{bail, Context};
use app::{
    accounts::{ssr::repo, Role},
    admin::ssr::repo as admin_repo,
    server::{clock::now, Db},
};

use crate::Config;

const USAGE: &str = "usage: server promote-admin <username-or-email>\n\
    Makes an existing account an active, verified administrator (sign up first).";

pub async fn run(config: &Config, args: &[String]) -> anyhow::Result<()> {
    match args {
        [command, login] if command == "promote-admin" => promote_admin(config, login).await,
        _ => bail!("{USAGE}"),
    }
}

async fn promote_admin(config: &Config, login: &str) -> anyhow::Result<()> {
    let db = Db::connect(&config.database).await.context("connecting to DATABASE_URL")?;
    db.migrate().await.context("applying migrations")?;
    let user = repo::find_by_login(db.pool(), login).await?.with_context(|| format!("no account named {login:?}"))?;
    let now = now();
    let mut tx = db.pool().begin().await?;
    admin_repo::set_role(&mut *tx, &user.id, Role::Admin, now).await?;
    admin_repo::set_active(&mut *tx, &user.id, true, now).await?;
    repo::mark_verified(&mut *tx, &user.id, now).await?;
    tx.commit().await?;
    println!("{} ({}) is now an administrator.", user.username, user.email);
    Ok(())
}
