//! Maintenance commands of the server binary (`server <command>`), run against the
//! configured database. The first administrator comes from here, never from a
//! hard-coded password; so does the demo content.

use std::path::Path;

use anyhow::{bail, Context};
use app::{
    accounts::{
        ssr::{
            password::{HashParams, Passwords},
            repo,
        },
        Role,
    },
    admin::ssr::repo as admin_repo,
    blog::ssr::{
        search,
        seed::{self, SeedOptions},
    },
    server::{clock::now, Db},
};
use secrecy::SecretString;

use crate::Config;

const USAGE: &str = "usage:\n  \
    server promote-admin <username-or-email>\n      \
      Makes an existing account an active, verified administrator (sign up first).\n  \
    server set-role <username-or-email> <client|trainer|admin>\n      \
      Gives an existing account a role (trainers publish without review by default).\n  \
    server seed-demo [--posts N] [--authors N]\n      \
      Fills the database with demo authors, posts, comments, likes and views\n      \
      (default 400 posts by 24 authors; each run adds new ones).\n  \
    server backup <file>\n      \
      Copies the SQLite database to <file> while the site keeps serving\n      \
      (for PostgreSQL it prints the pg_dump command).\n  \
    server restore <file>\n      \
      Puts a backup back in place of the SQLite database; stop the server first.";

/// Every demo author's password, printed by `seed-demo` so a newcomer can log in as one.
const DEMO_PASSWORD: &str = "Demo-Author-Lantern-42!";

pub async fn run(config: &Config, args: &[String]) -> anyhow::Result<()> {
    match args {
        [command, login] if command == "promote-admin" => promote_admin(config, login).await,
        [command, login, role] if command == "set-role" => set_role(config, login, role).await,
        [command, options @ ..] if command == "seed-demo" => seed_demo(config, parse_seed_options(options)?).await,
        [command, file] if command == "backup" => crate::backup::backup(config, Path::new(file)).await,
        [command, file] if command == "restore" => crate::backup::restore(config, Path::new(file)).await,
        _ => bail!("{USAGE}"),
    }
}

async fn open(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database).await.context("connecting to DATABASE_URL")?;
    db.migrate().await.context("applying migrations")?;
    search::ensure_schema(db.pool(), db.engine()).await.context("creating the search index")?;
    Ok(db)
}

async fn promote_admin(config: &Config, login: &str) -> anyhow::Result<()> {
    let db = open(config).await?;
    let user = repo::find_by_login(db.pool(), login).await?.with_context(|| format!("no account named {login:?}"))?;
    let now = now();
    let mut tx = db.begin().await?;
    admin_repo::set_role(&mut *tx, &user.id, Role::Admin, now).await?;
    admin_repo::set_active(&mut *tx, &user.id, true, now).await?;
    repo::mark_verified(&mut *tx, &user.id, now).await?;
    tx.commit().await?;
    println!("{} ({}) is now an administrator.", user.username, user.email);
    Ok(())
}

async fn set_role(config: &Config, login: &str, role: &str) -> anyhow::Result<()> {
    let role =
        Role::parse(role).with_context(|| format!("no role named {role:?}: client, trainer or admin\n{USAGE}"))?;
    let db = open(config).await?;
    let user = repo::find_by_login(db.pool(), login).await?.with_context(|| format!("no account named {login:?}"))?;
    admin_repo::set_role(db.pool(), &user.id, role, now()).await?;
    println!("{} ({}) is now a {}.", user.username, user.email, role.as_str());
    Ok(())
}

fn parse_seed_options(args: &[String]) -> anyhow::Result<SeedOptions> {
    let mut options = SeedOptions::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().with_context(|| format!("{flag} needs a number\n{USAGE}"))?;
        let number: usize = value.parse().with_context(|| format!("{flag} must be a whole number, got {value:?}"))?;
        match flag.as_str() {
            "--posts" if (1..=1_000_000).contains(&number) => options.posts = number,
            "--authors" if (2..=10_000).contains(&number) => options.authors = number,
            "--posts" => bail!("--posts must be from 1 to 1000000"),
            "--authors" => bail!("--authors must be from 2 to 10000"),
            other => bail!("unknown option {other:?}\n{USAGE}"),
        }
    }
    options.seed = now() as u64;
    Ok(options)
}

async fn seed_demo(config: &Config, options: SeedOptions) -> anyhow::Result<()> {
    let db = open(config).await?;
    let passwords = Passwords::new(HashParams::default(), 1);
    let hash = passwords.hash(&SecretString::from(DEMO_PASSWORD)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = std::time::Instant::now();
    let seeded = seed::seed(&db, &config.blog.ranking, &hash, options).await.context("writing demo content")?;
    println!(
        "Seeded {} authors, {} posts, {} comments and {} likes in {:.1} s.\n\
         Demo authors log in with their username (see /blog) and the password {DEMO_PASSWORD}",
        seeded.authors,
        seeded.posts,
        seeded.comments,
        seeded.likes,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_options_are_checked() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let options = parse_seed_options(&args(&["--posts", "10000", "--authors", "50"])).unwrap();
        assert_eq!((options.posts, options.authors), (10_000, 50));
        assert!(parse_seed_options(&args(&["--posts"])).is_err());
        assert!(parse_seed_options(&args(&["--posts", "0"])).is_err());
        assert!(parse_seed_options(&args(&["--posts", "many"])).is_err());
        assert!(parse_seed_options(&args(&["--colour", "3"])).is_err());
    }
}
