//! Input rules for chat, shared by the composer (checks as you type) and the server.

pub const MESSAGE_MAX: usize = 4_000;
pub const ROOM_NAME_MAX: usize = 40;

/// 1–4,000 characters of text; surrounding blank lines are trimmed, inner line breaks
/// kept; no control characters other than line breaks and tabs.
pub fn message(raw: &str) -> Result<String, Vec<String>> {
    let value = raw.replace("\r\n", "\n");
    let value = value.trim_matches(|c: char| c == '\n' || c == '\r' || c == ' ');
    if value.trim().is_empty() {
        return Err(vec!["is required".into()]);
    }
    let mut problems = Vec::new();
    let len = value.chars().count();
    if len > MESSAGE_MAX {
        problems.push(format!("must be at most {MESSAGE_MAX} characters (has {len})"));
    }
    if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')) {
        problems.push("must not contain control characters".into());
    }
    if problems.is_empty() {
        Ok(value.to_string())
    } else {
        Err(problems)
    }
}

/// A room's name: 2–40 characters on one line.
pub fn room_name(raw: &str) -> Result<String, Vec<String>> {
    let value = raw.trim();
    let len = value.chars().count();
    let mut problems = Vec::new();
    if !(2..=ROOM_NAME_MAX).contains(&len) {
        problems.push(format!("must be 2 to {ROOM_NAME_MAX} characters (has {len})"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_need_text_within_the_limit() {
        assert_eq!(message("  \n\n ").unwrap_err(), ["is required"]);
        assert_eq!(message("\nhi\nthere\n").unwrap(), "hi\nthere");
        assert_eq!(message(&"x".repeat(4_001)).unwrap_err(), ["must be at most 4000 characters (has 4001)"]);
        assert!(message(&"é".repeat(4_000)).is_ok(), "characters, not bytes");
        assert!(message("bell\u{7}").is_err());
    }

    #[test]
    fn room_names_are_short_single_lines() {
        assert_eq!(room_name(" Rust "), Ok("Rust".into()));
        assert!(room_name("x").is_err());
        assert!(room_name("a\nb").is_err());
    }
}
