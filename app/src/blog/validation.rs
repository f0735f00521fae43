//! Input rules for posts and comments, shared by the editor (inline errors while typing)
//! and the server (the rules it enforces). Every parse reports all broken rules at once.

use serde::{Deserialize, Serialize};

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 300;
pub const BODY_MAX: usize = 100_000;
pub const TAGS_MAX: usize = 10;
pub const TAG_MAX: usize = 30;
pub const COMMENT_MAX: usize = 10_000;
pub const SEARCH_MAX: usize = 200;

fn count(value: &str) -> usize {
    value.chars().count()
}

/// Control characters other than tab and newlines have no place in text people write.
fn has_stray_control(value: &str) -> bool {
    value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// A trimmed single line of at most `max` characters.
fn one_line(raw: &str, max: usize) -> Result<String, Vec<String>> {
    let value = raw.trim();
    let mut problems = Vec::new();
    let len = count(value);
    if len > max {
        problems.push(format!("must be at most {max} characters (has {len})"));
    }
    if value.chars().any(char::is_control) {
        problems.push("must be a single line without control characters".into());
    }
    if problems.is_empty() {
        Ok(value.to_string())
    } else {
        Err(problems)
    }
}

/// 1–200 characters on one line, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Title(String);

impl Title {
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        if raw.trim().is_empty() {
            return Err(vec!["is required".into()]);
        }
        one_line(raw, TITLE_MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The optional summary shown in lists and previews: up to 300 characters, one line.
/// Empty means the excerpt is taken from the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description(String);

impl Description {
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        one_line(raw, DESCRIPTION_MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Markdown source: up to 100,000 characters. May be empty in a draft; publishing
/// needs text (see [`Body::require_text`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body(String);

impl Body {
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        // Line endings are normalised so the count matches what the browser shows.
        let value = raw.replace("\r\n", "\n");
        let mut problems = Vec::new();
        let len = count(&value);
        if len > BODY_MAX {
            problems.push(format!("must be at most {BODY_MAX} characters (has {len})"));
        }
        if has_stray_control(&value) {
            problems.push("must not contain control characters".into());
        }
        if problems.is_empty() {
            Ok(Self(value))
        } else {
            Err(problems)
        }
    }

    /// The rule publishing adds: there must be something to read.
    pub fn require_text(&self) -> Result<(), Vec<String>> {
        if self.0.trim().is_empty() {
            Err(vec!["is required to publish".into()])
        } else {
            Ok(())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Up to 10 distinct tags, each 1–30 characters of `a-z`, `0-9` and `-`, lower-cased.
/// Written separated by commas or spaces; a leading `#` is dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags(Vec<String>);

impl Tags {
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        Self::parse_list(raw.split([',', ' ', '\n', '\t']))
    }

    pub fn parse_list<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Self, Vec<String>> {
        let mut tags: Vec<String> = Vec::new();
        let mut problems = Vec::new();
        for item in items {
            let tag = item.trim().trim_start_matches('#').to_lowercase();
            if tag.is_empty() {
                continue;
            }
            match Tag::parse(&tag) {
                Ok(tag) if !tags.contains(&tag.0) => tags.push(tag.0),
                Ok(_) => {}
                Err(problem) => problems.push(problem),
            }
        }
        if tags.len() > TAGS_MAX {
            problems.push(format!("must be at most {TAGS_MAX} tags (has {})", tags.len()));
        }
        if problems.is_empty() {
            Ok(Self(tags))
        } else {
            Err(problems)
        }
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<String> {
        self.0
    }

    /// The stored form: tags separated by single spaces.
    pub fn joined(&self) -> String {
        self.0.join(" ")
    }
}

/// One tag, as in a `/blog/tag/{tag}` address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag(String);

impl Tag {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let tag = raw.trim().to_lowercase();
        let len = count(&tag);
        if len == 0 || len > TAG_MAX {
            return Err(format!("\"{}\" must be 1 to {TAG_MAX} characters", shorten(&tag)));
        }
        if !tag.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(format!("\"{}\" may contain only a-z, 0-9 and -", shorten(&tag)));
        }
        if tag.starts_with('-') || tag.ends_with('-') || tag.contains("--") {
            return Err(format!("\"{}\" must not start or end with - or repeat it", shorten(&tag)));
        }
        Ok(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tag quoted back in a message, cut so a huge input does not make a huge message.
fn shorten(value: &str) -> String {
    if count(value) > 40 {
        format!("{}…", value.chars().take(40).collect::<String>())
    } else {
        value.to_string()
    }
}

/// A comment's Markdown: 1–10,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentBody(String);

impl CommentBody {
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        let value = raw.replace("\r\n", "\n");
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(vec!["is required".into()]);
        }
        let mut problems = Vec::new();
        let len = count(trimmed);
        if len > COMMENT_MAX {
            problems.push(format!("must be at most {COMMENT_MAX} characters (has {len})"));
        }
        if has_stray_control(trimmed) {
            problems.push("must not contain control characters".into());
        }
        if problems.is_empty() {
            Ok(Self(trimmed.to_string()))
        } else {
            Err(problems)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A publication time typed into the editor: `YYYY-MM-DDTHH:MM` (what a
/// `datetime-local` input sends) in UTC, or unix milliseconds. Must lie in the future.
pub fn parse_publish_at(raw: &str, now_ms: i64) -> Result<i64, Vec<String>> {
    let value = raw.trim();
    let at = if let Ok(ms) = value.parse::<i64>() { Some(ms) } else { parse_utc_minute(value) };
    match at {
        None => Err(vec!["must be a date and time like 2026-12-24T09:30 (UTC)".into()]),
        Some(at) if at <= now_ms => Err(vec!["must be in the future".into()]),
        Some(at) if at > now_ms + 2 * 365 * 86_400_000 => Err(vec!["must be within two years".into()]),
        Some(at) => Ok(at),
    }
}

/// `YYYY-MM-DDTHH:MM[:SS]` as UTC unix milliseconds.
fn parse_utc_minute(value: &str) -> Option<i64> {
    let (date, time) = value.split_once(['T', ' '])?;
    let mut date_parts = date.split('-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: i64 = date_parts.next()?.parse().ok()?;
    let day: i64 = date_parts.next()?.parse().ok()?;
    let mut time_parts = time.trim_end_matches('Z').split(':');
    let hour: i64 = time_parts.next()?.parse().ok()?;
    let minute: i64 = time_parts.next()?.parse().ok()?;
    let second: i64 = time_parts.next().map_or(Some(0), |s| s.split('.').next()?.parse().ok())?;
    let valid = (1970..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute)
        && (0..60).contains(&second);
    valid.then(|| (days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_trimmed_and_bounded() {
        assert_eq!(Title::parse("  Hello  ").unwrap().as_str(), "Hello");
        assert_eq!(Title::parse(" ").unwrap_err(), ["is required"]);
        assert_eq!(Title::parse(&"x".repeat(201)).unwrap_err(), ["must be at most 200 characters (has 201)"]);
        assert!(Title::parse(&"é".repeat(200)).is_ok(), "characters, not bytes");
        assert!(Title::parse("two\nlines").is_err());
    }

    #[test]
    fn body_may_be_empty_in_a_draft_but_not_to_publish() {
        let empty = Body::parse("").unwrap();
        assert_eq!(empty.require_text().unwrap_err(), ["is required to publish"]);
        assert!(Body::parse("# Hi\r\n\ttext").unwrap().require_text().is_ok());
        assert_eq!(Body::parse(&"x".repeat(100_001)).unwrap_err(), ["must be at most 100000 characters (has 100001)"]);
        assert!(Body::parse("bad\u{0}byte").is_err());
    }

    #[test]
    fn tags_are_lowercased_deduplicated_and_checked_one_by_one() {
        let tags = Tags::parse("Rust, #web  rust,,async-io").unwrap();
        assert_eq!(tags.as_slice(), ["rust", "web", "async-io"]);
        assert_eq!(tags.joined(), "rust web async-io");
        assert_eq!(
            Tags::parse("c++, ok, -x").unwrap_err(),
            ["\"c++\" may contain only a-z, 0-9 and -", "\"-x\" must not start or end with - or repeat it"]
        );
        let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(Tags::parse(&eleven.join(",")).unwrap_err(), ["must be at most 10 tags (has 11)"]);
        assert!(Tags::parse(&"a".repeat(31)).is_err());
        assert_eq!(Tags::parse("").unwrap().as_slice(), [] as [String; 0]);
        assert!(Tags::parse("ünï").is_err());
    }

    #[test]
    fn comment_needs_text_within_the_limit() {
        assert_eq!(CommentBody::parse("  \n ").unwrap_err(), ["is required"]);
        assert_eq!(CommentBody::parse(" nice ").unwrap().as_str(), "nice");
        assert!(CommentBody::parse(&"x".repeat(10_001)).is_err());
    }

    #[test]
    fn publish_time_must_be_a_future_utc_time() {
        let now = 1_795_000_000_000;
        assert_eq!(parse_publish_at("2026-11-21T13:05", now), Ok(1_795_266_300_000));
        assert_eq!(parse_publish_at("1795266300000", now), Ok(1_795_266_300_000));
        assert_eq!(parse_publish_at("2020-01-01T00:00", now).unwrap_err(), ["must be in the future"]);
        assert!(parse_publish_at("2026-02-30T10:00", now).is_err());
        assert!(parse_publish_at("tomorrow", now).is_err());
        assert!(parse_publish_at("2099-01-01T00:00", now).is_err());
    }
}
