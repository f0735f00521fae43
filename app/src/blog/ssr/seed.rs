//! Demo content for `server seed-demo`: authors, posts with headings, code, tables,
//! quotes and links, comments with replies, likes, follows and views, spread over the
//! past year, so a newcomer sees a living blog and benchmarks have data. Each run adds
//! new authors and posts (the random seed is an option, so a run can be repeated).

use rand::{rngs::StdRng, seq::IndexedRandom, Rng, SeedableRng};

use super::{ranking::Ranking, render, repo};
use crate::{
    accounts::ssr::password::PasswordHash,
    server::{clock::now_ms, db::RecordId, Db},
};

#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    pub authors: usize,
    pub posts: usize,
    pub seed: u64,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self { authors: 24, posts: 400, seed: 2026 }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub authors: usize,
    pub posts: usize,
    pub comments: usize,
    pub likes: usize,
}

const FIRST: [&str; 24] = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Ken",
    "Margaret",
    "Dennis",
    "Radia",
    "Linus",
    "Hedy",
    "Tim",
    "Sophie",
    "John",
    "Katherine",
    "Niklaus",
    "Annie",
    "Guido",
    "Mary",
    "Bjarne",
    "Evelyn",
    "Yukihiro",
];
const LAST: [&str; 16] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Ritchie",
    "Perlman", "Torvalds", "Lamarr", "Berners", "Wilson", "Backus",
];
const TOPICS: [(&str, &str); 16] = [
    ("rust", "Rust"),
    ("webassembly", "WebAssembly"),
    ("databases", "databases"),
    ("postgres", "PostgreSQL"),
    ("sqlite", "SQLite"),
    ("testing", "testing"),
    ("performance", "performance"),
    ("security", "security"),
    ("design", "design"),
    ("accessibility", "accessibility"),
    ("career", "a career in software"),
    ("async", "async code"),
    ("css", "CSS"),
    ("devops", "deployments"),
    ("open-source", "open source"),
    ("writing", "technical writing"),
];
const TITLES: [&str; 16] = [
    "What I learned shipping {} to production",
    "A gentle introduction to {}",
    "Ten mistakes I made with {}",
    "Why {} is easier than you think",
    "{}: the parts nobody tells you about",
    "Measuring {} before optimising it",
    "How we test {} at scale",
    "Notes from a year of {}",
    "The case against over-engineering {}",
    "A field guide to {} for beginners",
    "Debugging {} with nothing but logs",
    "{} in five small steps",
    "Reading the source: {}",
    "When {} goes wrong at 3 a.m.",
    "Patterns for {} that aged well",
    "Teaching {} to a new team",
];
const SENTENCES: [&str; 20] = [
    "The first version worked, but only because nobody had used it yet.",
    "Every shortcut we took in week one came back to collect interest by week six.",
    "Measure first: the slow part is rarely the part you suspect.",
    "A good default beats a configurable mess that nobody configures.",
    "We wrote the test before the fix, and the test found two more bugs.",
    "Small pull requests get real reviews; large ones get a thumbs-up.",
    "The documentation was right; we just had not read the second paragraph.",
    "Latency is a feature, and users notice it long before they can name it.",
    "It turned out the cache was hiding a query that ran once per row.",
    "Naming things well saved us more time than any framework did.",
    "The error message told us exactly what was wrong, once we stopped skimming it.",
    "Nothing teaches humility like a migration on a table with forty million rows.",
    "We kept the old code path behind a flag until the new one had a quiet week.",
    "Accessibility work made the product better for everyone, not just for some.",
    "A boring architecture let us spend our curiosity on the actual problem.",
    "Logs without request ids are a diary written in invisible ink.",
    "The benchmark lied until we warmed the caches and pinned the CPU frequency.",
    "Every retry needs a budget, or it becomes the outage.",
    "We deleted more code than we wrote, and the product got faster.",
    "Writing it down forced us to notice the step we had been skipping.",
];
const CODE: [(&str, &str); 4] = [
    (
        "rust",
        "use std::collections::HashMap;\n\n/// Counts words, case-insensitively.\nfn word_counts(text: &str) -> HashMap<String, usize> {\n    let mut counts = HashMap::new();\n    for word in text.split_whitespace() {\n        *counts.entry(word.to_lowercase()).or_insert(0) += 1;\n    }\n    counts\n}\n",
    ),
    (
        "python",
        "import time\n\ndef timed(fn):\n    \"\"\"Prints how long each call takes.\"\"\"\n    def wrapper(*args, **kwargs):\n        start = time.perf_counter()\n        try:\n            return fn(*args, **kwargs)\n        finally:\n            print(f\"{fn.__name__}: {time.perf_counter() - start:.3f}s\")\n    return wrapper\n",
    ),
    (
        "sql",
        "SELECT p.slug, COUNT(l.user_id) AS likes\nFROM posts p\nLEFT JOIN post_likes l ON l.post_id = p.id\nWHERE p.status = 'published'\nGROUP BY p.slug\nORDER BY likes DESC\nLIMIT 10;\n",
    ),
    (
        "js",
        "async function retry(task, attempts = 3) {\n  for (let i = 1; ; i++) {\n    try {\n      return await task();\n    } catch (error) {\n      if (i === attempts) throw error;\n      await new Promise((r) => setTimeout(r, 2 ** i * 100));\n    }\n  }\n}\n",
    ),
];
const COMMENTS: [&str; 12] = [
    "Thanks, this is exactly the write-up I needed this week.",
    "We hit the same problem. The **flag trick** saved us too.",
    "Could you share the benchmark numbers before and after?",
    "Great post! One nit: the second code sample needs a `mut`.",
    "I disagree a little: for small teams the simple option wins.",
    "Bookmarked. Sending this to the whole team.",
    "The part about naming things made me laugh, because it is true.",
    "How did you handle the migration without downtime?",
    "This matches what we saw in production almost exactly.",
    "Clear and practical. More posts like this, please.",
    "Do you have a link to the source you mentioned?",
    "The table in the middle is a great summary.",
];

fn paragraph(rng: &mut StdRng) -> String {
    let count = rng.random_range(3..7);
    (0..count).map(|_| *SENTENCES.choose(rng).expect("sentences")).collect::<Vec<_>>().join(" ")
}

fn body(rng: &mut StdRng, topic: &str) -> String {
    let (language, code) = *CODE.choose(rng).expect("code samples");
    let mut out = format!(
        "{}\n\n## Why {topic} matters\n\n{}\n\n> {}\n\n{}\n\n## A small example\n\n```{language}\n{code}```\n\n{}\n\n",
        paragraph(rng),
        paragraph(rng),
        SENTENCES.choose(rng).expect("sentences"),
        paragraph(rng),
        paragraph(rng),
    );
    out.push_str("## What we measured\n\n| Change | Before | After |\n|---|--:|--:|\n");
    for change in ["Cold start", "p99 latency", "Memory"] {
        out.push_str(&format!("| {change} | {} ms | {} ms |\n", rng.random_range(80..900), rng.random_range(10..80)));
    }
    out.push_str(&format!(
        "\n### Takeaways\n\n- {}\n- {}\n- Read the [official documentation](https://www.rust-lang.org/learn) first.\n\n{}\n",
        SENTENCES.choose(rng).expect("sentences"),
        SENTENCES.choose(rng).expect("sentences"),
        paragraph(rng),
    ));
    out
}

/// Fills the database with demo content. `password_hash` becomes every demo author's
/// password (the command prints it).
pub async fn seed(
    db: &Db,
    ranking: &Ranking,
    password_hash: &PasswordHash,
    options: SeedOptions,
) -> Result<Seeded, sqlx::Error> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let now = now_ms();
    let year_ms = 365 * 86_400_000_i64;
    let mut seeded = Seeded::default();

    // Authors (active, verified), each with a bio; usernames are unique per seed run.
    let run: u32 = rng.random_range(1000..9999);
    let mut authors = Vec::new();
    let mut tx = db.begin().await?;
    for i in 0..options.authors {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i / FIRST.len() + i) % LAST.len()];
        let username = format!("{}{}{run}", first.to_lowercase(), i);
        let id: String = RecordId::new().into();
        sqlx::query(
            "INSERT INTO users (id, username, email, name, password_hash, email_verified_at, bio, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $6)",
        )
        .bind(&id)
        .bind(&username)
        .bind(format!("{username}@demo.example"))
        .bind(format!("{first} {last}"))
        .bind(password_hash.as_str())
        .bind((now - year_ms) / 1000)
        .bind(format!("Writes about software, {} and the people who build it.", TOPICS[i % TOPICS.len()].1))
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO user_settings (user_id, updated_at) VALUES ($1, $2)")
            .bind(&id)
            .bind(now / 1000)
            .execute(&mut *tx)
            .await?;
        authors.push(id);
    }
    // Everyone follows a few others.
    for follower in &authors {
        for followee in authors.choose_multiple(&mut rng, 4) {
            if follower != followee {
                repo::set_follow(&mut *tx, follower, followee, true, now).await?;
            }
        }
    }
    tx.commit().await?;
    seeded.authors = authors.len();

    let batch = 100;
    let mut made = 0;
    while made < options.posts {
        let count = batch.min(options.posts - made);
        // Render a batch on a blocking thread, then write it in one transaction.
        let mut drafts = Vec::with_capacity(count);
        for _ in 0..count {
            let (tag, topic) = *TOPICS.choose(&mut rng).expect("topics");
            let title = TITLES.choose(&mut rng).expect("titles").replace("{}", topic);
            let title = if made % 3 == 0 { title } else { format!("{title} ({})", rng.random_range(2..500)) };
            let mut tags = vec![tag.to_string()];
            let extras = rng.random_range(0..3);
            for (extra, _) in TOPICS.choose_multiple(&mut rng, extras) {
                if !tags.iter().any(|t| t == extra) {
                    tags.push(extra.to_string());
                }
            }
            drafts.push((title, tags.join(" "), body(&mut rng, topic)));
            made += 1;
        }
        let rendered = tokio::task::spawn_blocking(move || {
            drafts
                .into_iter()
                .map(|(title, tags, body)| {
                    let out = render::render_post(&body);
                    (title, tags, body, out)
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        let mut tx = db.begin().await?;
        for (title, tags, body, out) in rendered {
            let author = authors.choose(&mut rng).expect("authors");
            let post_id: String = RecordId::new_ordered().into();
            let published = now - (rng.random::<f64>().powi(2) * year_ms as f64) as i64;
            let content = repo::RevisionContent {
                title: &title,
                description: "",
                excerpt: &out.excerpt,
                body_markdown: &body,
                body_html: &out.html,
                body_text: &out.text,
                tags: &tags,
                word_count: out.word_count,
                reading_minutes: out.reading_minutes,
                files: &Default::default(),
            };
            let revision_id: String = RecordId::new_ordered().into();
            repo::insert_post(&mut tx, &post_id, &revision_id, author, &content, published).await?;
            repo::assign_slug(&mut tx, &post_id, &post_id, true, &title, published).await?;
            repo::publish(&mut tx, &post_id, &revision_id, published, published, ranking).await?;
            // A few popular posts, many quiet ones.
            let popularity = rng.random::<f64>().powi(3);
            let likers = authors.choose_multiple(&mut rng, (popularity * authors.len() as f64) as usize);
            let mut likes = 0;
            for liker in likers {
                if liker != author && repo::set_like(&mut tx, &post_id, liker, true, published).await? {
                    likes += 1;
                }
            }
            let mut comments = 0;
            let mut parents: Vec<String> = Vec::new();
            for n in 0..rng.random_range(0..6) {
                let commenter = authors.choose(&mut rng).expect("authors");
                let text = COMMENTS.choose(&mut rng).expect("comments");
                let id: String = RecordId::new().into();
                let parent = (n > 0 && rng.random_bool(0.4)).then(|| parents.choose(&mut rng).cloned()).flatten();
                let inserted = repo::insert_comment(
                    &mut tx,
                    &repo::NewComment {
                        id: &id,
                        post_id: &post_id,
                        parent_id: parent.as_deref(),
                        author_id: commenter,
                        body_markdown: text,
                        body_html: &render::render_comment(text),
                        now_ms: published + (n as i64 + 1) * 3_600_000,
                    },
                )
                .await?;
                if inserted {
                    comments += 1;
                    if parent.is_none() {
                        parents.push(id);
                    }
                }
            }
            let views = (popularity * 5000.0) as i64 + rng.random_range(0..40);
            let delta = repo::Counts { likes, comments, views, bookmarks: 0 };
            repo::bump_counts(&mut tx, &post_id, delta, ranking).await?;
            seeded.posts += 1;
            seeded.comments += comments as usize;
            seeded.likes += likes as usize;
        }
        tx.commit().await?;
    }
    // The scores were computed with these settings: a server started with the same ones
    // need not recompute them.
    repo::set_site_state(db.pool(), "hot_score_settings", &ranking.fingerprint()).await?;
    Ok(seeded)
}
