//! Slugs: readable, ASCII, lower-case addresses made from titles. Uniqueness is the
//! database's job (`post_slugs`); this only proposes candidates.

/// Words that are pages under `/blog/`, never post slugs.
pub const RESERVED: [&str; 10] =
    ["new", "drafts", "following", "bookmarks", "search", "tag", "rss", "atom", "feed", "edit"];

const MAX_LEN: usize = 80;

/// `Hello, Wörld! 2026` → `hello-world-2026`: transliterated to ASCII, letters and digits
/// kept, everything else collapsed into single hyphens, cut at a hyphen near `max`.
pub fn slugify(text: &str, max: usize) -> String {
    let ascii = deunicode::deunicode(text);
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.len() <= max {
        return slug.to_string();
    }
    let cut = &slug[..max];
    cut.rsplit_once('-').map_or(cut, |(head, _)| head).trim_end_matches('-').to_string()
}

/// The slug a post with this title would like to have.
pub fn base_for_title(title: &str) -> String {
    match slugify(title, MAX_LEN) {
        slug if slug.is_empty() => "post".to_string(),
        slug if RESERVED.contains(&slug.as_str()) => format!("{slug}-post"),
        slug => slug,
    }
}

/// The `n`-th candidate for a base (`base`, `base-2`, `base-3`, …).
pub fn candidate(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}-{n}")
    }
}

/// Whether `slug` could have been made by this module (a cheap check before SQL).
pub fn looks_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_LEN + 12
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_readable_ascii_slugs() {
        assert_eq!(base_for_title("Hello, Wörld! 2026"), "hello-world-2026");
        assert_eq!(base_for_title("  --Rust & WebAssembly--  "), "rust-webassembly");
        assert_eq!(base_for_title("Привет мир"), "privet-mir");
        assert_eq!(base_for_title("🎉 launch"), "tada-launch");
        assert_eq!(base_for_title("!!! ???"), "post");
        assert_eq!(base_for_title("New"), "new-post");
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let slug = base_for_title(&"word ".repeat(40));
        assert!(slug.len() <= 80 && slug.ends_with("word"), "{slug}");
    }

    #[test]
    fn candidates_count_up() {
        assert_eq!(candidate("a", 1), "a");
        assert_eq!(candidate("a", 3), "a-3");
    }

    #[test]
    fn only_slug_shaped_input_reaches_sql() {
        assert!(looks_valid("hello-world-2"));
        assert!(!looks_valid("Hello"));
        assert!(!looks_valid("a/b"));
        assert!(!looks_valid(""));
        assert!(!looks_valid("\0"));
    }
}
