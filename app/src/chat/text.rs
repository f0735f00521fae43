//! How a message's plain text is shown: links made clickable and `@mentions`
//! highlighted, as runs the view renders as text nodes and elements. Never HTML, so a
//! message cannot inject markup. The same on server and browser.

/// A run of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    Text(String),
    /// An `http(s)://` address.
    Link(String),
    /// `@username` (without the `@`).
    Mention(String),
}

/// Splits text into runs. A link ends at whitespace, and trailing punctuation is left
/// out of it; a mention is `@` followed by a username's characters, not preceded by a
/// word character (so an email address is not a mention).
pub fn runs(text: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let mut previous: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let at_word_start = !previous.is_some_and(|p| p.is_alphanumeric() || p == '_');
        if at_word_start && (rest.starts_with("https://") || rest.starts_with("http://")) {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let mut link = &rest[..end];
            link = link.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
            let scheme_len = if link.starts_with("https://") { 8 } else { 7 };
            if link.len() > scheme_len {
                flush(&mut plain, &mut runs);
                runs.push(Run::Link(link.to_string()));
                previous = link.chars().last();
                rest = &rest[link.len()..];
                continue;
            }
        }
        if c == '@' && at_word_start {
            let name: String =
                rest[1..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')).collect();
            let name = name.trim_end_matches(['.', '-']).to_string();
            if (3..=20).contains(&name.chars().count()) {
                flush(&mut plain, &mut runs);
                rest = &rest[1 + name.len()..];
                previous = name.chars().last();
                runs.push(Run::Mention(name));
                continue;
            }
        }
        plain.push(c);
        previous = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut plain, &mut runs);
    runs
}

fn flush(plain: &mut String, runs: &mut Vec<Run>) {
    if !plain.is_empty() {
        runs.push(Run::Text(std::mem::take(plain)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_mentions_are_found_and_the_rest_is_text() {
        assert_eq!(
            runs("see https://example.com/a?b=1, @ada!"),
            [
                Run::Text("see ".into()),
                Run::Link("https://example.com/a?b=1".into()),
                Run::Text(", ".into()),
                Run::Mention("ada".into()),
                Run::Text("!".into()),
            ]
        );
        assert_eq!(runs("mail ada@example.com"), [Run::Text("mail ada@example.com".into())]);
        assert_eq!(runs("<script>alert(1)</script>"), [Run::Text("<script>alert(1)</script>".into())]);
        assert_eq!(runs("javascript:alert(1)"), [Run::Text("javascript:alert(1)".into())]);
        assert_eq!(runs("http:// and @x"), [Run::Text("http:// and @x".into())]);
        assert_eq!(
            runs("(https://e.test)"),
            [Run::Text("(".into()), Run::Link("https://e.test".into()), Run::Text(")".into())]
        );
        assert_eq!(
            runs("héllo @grace."),
            [Run::Text("héllo ".into()), Run::Mention("grace".into()), Run::Text(".".into())]
        );
    }
}
