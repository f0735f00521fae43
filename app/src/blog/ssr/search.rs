//! Full-text search over published posts, the one place where the engines differ:
//! SQLite FTS5 (porter stemming, bm25 ranking, `snippet()`) or PostgreSQL full-text
//! search (an English `tsvector` with the title weighted above the body, `ts_rank`,
//! `ts_headline`). The index holds the published revision of published posts only, so a
//! draft can never be found. Whatever a reader types is reduced to plain words first,
//! so no input is a syntax error on either engine.

use sqlx::AnyExecutor;

use crate::{blog::model::Highlighted, server::Engine};

/// Marks matched words in snippets; private-use characters nobody types, turned into
/// [`Highlighted`] runs before anything reaches HTML.
const START: char = '\u{E000}';
const STOP: char = '\u{E001}';

const MAX_TERMS: usize = 12;
const MAX_TERM_CHARS: usize = 40;

/// Words too common to search for; dropped on both engines alike.
const STOP_WORDS: [&str; 24] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "not", "of", "on", "or",
    "that", "the", "this", "to", "was", "with",
];

/// Creates the engine's search structures when missing (run at startup, after the
/// migrations): they cannot be written in SQL both engines accept.
pub async fn ensure_schema<'e>(db: impl AnyExecutor<'e> + Copy, engine: Engine) -> Result<(), sqlx::Error> {
    match engine {
        Engine::Sqlite => {
            sqlx::query(
                "CREATE VIRTUAL TABLE IF NOT EXISTS post_search USING fts5(\
                   post_id UNINDEXED, title, body, tokenize = 'porter unicode61 remove_diacritics 2')",
            )
            .execute(db)
            .await?;
        }
        Engine::Postgres => {
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS post_search (\
                   post_id TEXT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE, \
                   title TEXT NOT NULL, \
                   body TEXT NOT NULL, \
                   document tsvector GENERATED ALWAYS AS (\
                     setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')\
                   ) STORED)",
            )
            .execute(db)
            .await?;
            sqlx::query("CREATE INDEX IF NOT EXISTS post_search_document ON post_search USING gin (document)")
                .execute(db)
                .await?;
        }
    }
    Ok(())
}

/// Puts (or replaces) a post's searchable text; call in the transaction that publishes.
pub async fn index(conn: &mut sqlx::AnyConnection, post_id: &str, title: &str, text: &str) -> Result<(), sqlx::Error> {
    remove(&mut *conn, post_id).await?;
    sqlx::query("INSERT INTO post_search (post_id, title, body) VALUES ($1, $2, $3)")
        .bind(post_id)
        .bind(title)
        .bind(text)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Takes a post out of the index (unpublished or deleted).
pub async fn remove<'e>(db: impl AnyExecutor<'e>, post_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM post_search WHERE post_id = $1").bind(post_id).execute(db).await?;
    Ok(())
}

/// One match, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub post_id: String,
    pub title: Vec<Highlighted>,
    pub snippet: Vec<Highlighted>,
}

/// The plain words of a query: letters and digits only, lower-cased, common words
/// dropped, at most 12.
pub fn terms(raw: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for word in raw.split(|c: char| !c.is_alphanumeric()) {
        let word: String = word.chars().take(MAX_TERM_CHARS).collect::<String>().to_lowercase();
        if word.is_empty() || STOP_WORDS.contains(&word.as_str()) || terms.contains(&word) {
            continue;
        }
        terms.push(word);
        if terms.len() == MAX_TERMS {
            break;
        }
    }
    terms
}

/// Published posts matching every term (the last also as a prefix, for search as you
/// type), best first.
pub async fn search<'e>(
    db: impl AnyExecutor<'e>,
    engine: Engine,
    terms: &[String],
    limit: i64,
    offset: i64,
) -> Result<Vec<Match>, sqlx::Error> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, String)> = match engine {
        Engine::Sqlite => {
            sqlx::query_as(
                "SELECT post_id, highlight(post_search, 1, $2, $3), snippet(post_search, 2, $2, $3, '…', 32) \
                 FROM post_search WHERE post_search MATCH $1 \
                 ORDER BY bm25(post_search, 0.0, 8.0, 1.0), post_id LIMIT $4 OFFSET $5",
            )
            .bind(fts5_query(terms))
            .bind(START.to_string())
            .bind(STOP.to_string())
            .bind(limit)
            .bind(offset)
            .fetch_all(db)
            .await?
        }
        Engine::Postgres => {
            sqlx::query_as(
                "SELECT s.post_id, \
                   ts_headline('english', s.title, q, $2), \
                   ts_headline('english', s.body, q, $3) \
                 FROM post_search s, to_tsquery('english', $1) q \
                 WHERE s.document @@ q \
                 ORDER BY ts_rank(s.document, q) DESC, s.post_id LIMIT $4 OFFSET $5",
            )
            .bind(tsquery(terms))
            .bind(format!("StartSel={START}, StopSel={STOP}, HighlightAll=true"))
            .bind(format!(
                "StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=20, MaxFragments=1, FragmentDelimiter=…"
            ))
            .bind(limit)
            .bind(offset)
            .fetch_all(db)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(post_id, title, snippet)| Match { post_id, title: runs(&title), snippet: runs(&snippet) })
        .collect())
}

/// `"rust" "web"*`: every term quoted (so it is never an operator), the last a prefix.
fn fts5_query(terms: &[String]) -> String {
    let last = terms.len() - 1;
    terms
        .iter()
        .enumerate()
        .map(|(i, term)| if i == last { format!("\"{term}\"*") } else { format!("\"{term}\"") })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `'rust' & 'web':*`: the same meaning for PostgreSQL.
fn tsquery(terms: &[String]) -> String {
    let last = terms.len() - 1;
    terms
        .iter()
        .enumerate()
        .map(|(i, term)| if i == last { format!("'{term}':*") } else { format!("'{term}'") })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// Splits marked text into plain and matched runs.
fn runs(marked: &str) -> Vec<Highlighted> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut matched = false;
    for c in marked.chars() {
        if c == START || c == STOP {
            if !current.is_empty() {
                runs.push(Highlighted { text: std::mem::take(&mut current), matched });
            }
            matched = c == START;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        runs.push(Highlighted { text: current, matched });
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_input_becomes_plain_words() {
        assert_eq!(terms("c++ OR \"x"), ["c", "x"]);
        assert_eq!(
            terms("NEAR(a b) AND title:* ^ -- ' ; DROP TABLE posts"),
            ["near", "b", "title", "drop", "table", "posts"]
        );
        assert!(terms("\"\"\" *** ((( ").is_empty());
        assert_eq!(terms("Rust rust RUST"), ["rust"]);
        assert_eq!(terms(&"w ".repeat(100)).len(), 1);
        assert_eq!(terms("Ünïcode café"), ["ünïcode", "café"]);
    }

    #[test]
    fn queries_quote_every_term() {
        let t = vec!["rust".to_string(), "web".to_string()];
        assert_eq!(fts5_query(&t), "\"rust\" \"web\"*");
        assert_eq!(tsquery(&t), "'rust' & 'web':*");
    }

    #[test]
    fn marked_text_splits_into_runs() {
        let marked = format!("a {START}rust{STOP} b");
        assert_eq!(
            runs(&marked),
            [
                Highlighted { text: "a ".into(), matched: false },
                Highlighted { text: "rust".into(), matched: true },
                Highlighted { text: " b".into(), matched: false },
            ]
        );
    }
}
