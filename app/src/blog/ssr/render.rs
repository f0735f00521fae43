//! The Markdown pipeline, run on the server when a post or comment is saved: CommonMark
//! with tables, strikethrough and task lists (pulldown-cmark), headings shifted one level
//! down (the page title is the only `<h1>`) with anchors, code fences highlighted with
//! CSS classes (syntect, pure Rust), then everything sanitised by ammonia, which also
//! puts `rel="nofollow ugc noopener"` on every link. Raw HTML in the source is allowed
//! through the same sanitiser. Bump [`RENDER_VERSION`] whenever the output changes:
//! stored HTML made by an older version is re-rendered at startup.

use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
    sync::LazyLock,
};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use syntect::{
    html::{ClassStyle, ClassedHTMLGenerator},
    parsing::SyntaxSet,
    util::LinesWithEndings,
};

/// The version of the pipeline below; stored beside every rendered body.
pub const RENDER_VERSION: i64 = 2;

/// Words per minute for the reading-time estimate.
const WORDS_PER_MINUTE: usize = 230;
const EXCERPT_CHARS: usize = 200;

/// Ids the page layout uses; a heading never takes one of them.
const RESERVED_IDS: [&str; 8] =
    ["main", "site-nav", "comments", "comment-form", "post-body", "top", "content", "search"];

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// A rendered post body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// The text without markup, for search and the derived excerpt.
    pub text: String,
    pub excerpt: String,
    pub word_count: i64,
    pub reading_minutes: i64,
}

/// What differs between a post and a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Post,
    /// Headings become bold paragraphs and images become links.
    Comment,
}

pub fn render_post(markdown: &str) -> Rendered {
    render(markdown, Kind::Post)
}

pub fn render_comment(markdown: &str) -> String {
    render(markdown, Kind::Comment).html
}

fn render(markdown: &str, kind: Kind) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION;
    // Parsed once: the heading levels are needed before the first heading is written.
    let parsed: Vec<Event> = Parser::new_ext(markdown, options).collect();
    let mut out = Output::new(kind, heading_levels(&parsed));
    let mut events = parsed.into_iter().peekable();
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let mut inner = Vec::new();
                for event in events.by_ref() {
                    if matches!(event, Event::End(TagEnd::Heading(_))) {
                        break;
                    }
                    inner.push(event);
                }
                out.heading(level, inner);
            }
            Event::Start(Tag::CodeBlock(block)) => {
                let language = match block {
                    CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or_default().to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut code = String::new();
                for event in events.by_ref() {
                    match event {
                        Event::Text(text) => code.push_str(&text),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                out.code_block(&language, &code);
            }
            Event::Start(Tag::Table(alignments)) => {
                out.html("<div class=\"table-scroll\">");
                out.push(Event::Start(Tag::Table(alignments)));
            }
            Event::End(TagEnd::Table) => {
                out.push(Event::End(TagEnd::Table));
                out.html("</div>");
            }
            Event::Start(Tag::Image { dest_url, title, .. }) if kind == Kind::Comment => {
                // Comments link to images instead of embedding them.
                out.push(Event::Start(Tag::Link {
                    link_type: pulldown_cmark::LinkType::Inline,
                    dest_url,
                    title,
                    id: CowStr::Borrowed(""),
                }));
            }
            Event::End(TagEnd::Image) if kind == Kind::Comment => out.push(Event::End(TagEnd::Link)),
            Event::Text(text) => {
                out.text(&text);
                out.push(Event::Text(text));
            }
            Event::Code(code) => {
                out.text(&code);
                out.push(Event::Code(code));
            }
            Event::SoftBreak | Event::HardBreak => {
                out.text(" ");
                out.push(event);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_)) => {
                out.break_text();
                out.push(event);
            }
            other => out.push(other),
        }
    }
    out.finish()
}

/// The distinct heading levels a document uses, highest first.
fn heading_levels(events: &[Event]) -> Vec<HeadingLevel> {
    let mut levels: Vec<HeadingLevel> = events
        .iter()
        .filter_map(|event| match event {
            Event::Start(Tag::Heading { level, .. }) => Some(*level),
            _ => None,
        })
        .collect();
    levels.sort();
    levels.dedup();
    levels
}

/// Collects the HTML and text of a document as its events stream by.
struct Output<'a> {
    kind: Kind,
    /// The heading levels the document uses, highest first: the first becomes h2.
    heading_levels: Vec<HeadingLevel>,
    events: Vec<Event<'a>>,
    text: String,
    /// Text outside headings and code: what the excerpt is made of.
    prose: String,
    ids: HashSet<String>,
    /// Highlighted code blocks, put back after sanitising under unguessable placeholders.
    code_blocks: Vec<(String, String)>,
    nonce: String,
}

impl<'a> Output<'a> {
    fn new(kind: Kind, heading_levels: Vec<HeadingLevel>) -> Self {
        Self {
            kind,
            heading_levels,
            events: Vec::new(),
            text: String::new(),
            prose: String::new(),
            ids: HashSet::new(),
            code_blocks: Vec::new(),
            nonce: format!("{:016x}", rand::random::<u64>()),
        }
    }

    fn push(&mut self, event: Event<'a>) {
        self.events.push(event);
    }

    fn html(&mut self, html: &str) {
        self.events.push(Event::Html(CowStr::from(html.to_string())));
    }

    fn text(&mut self, text: &str) {
        self.text.push_str(text);
        self.prose.push_str(text);
    }

    fn break_text(&mut self) {
        self.text.push('\n');
        self.prose.push('\n');
    }

    fn heading(&mut self, level: HeadingLevel, inner: Vec<Event<'a>>) {
        let mut title = String::new();
        for event in &inner {
            if let Event::Text(text) | Event::Code(text) = event {
                title.push_str(text);
            }
        }
        self.text.push_str(&title);
        self.text.push('\n');
        if self.kind == Kind::Comment {
            self.html("<p><strong>");
            self.events.extend(inner);
            self.html("</strong></p>");
            return;
        }
        // The post title is the page's h1. The document's highest heading level becomes
        // h2 and each further level used the next one, so headings never skip a level
        // (a post that starts at `##`, or jumps from `##` to `####`, still reads in order).
        let rank = self.heading_levels.iter().position(|used| *used == level).unwrap_or_default();
        let tag = format!("h{}", (rank + 2).min(6));
        let id = self.unique_id(&title);
        self.html(&format!("<{tag} id=\"{id}\">"));
        self.events.extend(inner);
        self.html(&format!(" <a class=\"anchor\" href=\"#{id}\" title=\"Link to this section\">#</a></{tag}>"));
    }

    fn unique_id(&mut self, title: &str) -> String {
        let base = match super::slug::slugify(title, 60) {
            slug if slug.is_empty() => "section".to_string(),
            slug => slug,
        };
        let mut id = base.clone();
        let mut n = 1;
        while self.ids.contains(&id) || RESERVED_IDS.contains(&id.as_str()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.ids.insert(id.clone());
        id
    }

    fn code_block(&mut self, language: &str, code: &str) {
        self.text.push_str(code);
        self.text.push('\n');
        let placeholder = format!("cp-code-{}-{}", self.nonce, self.code_blocks.len());
        self.code_blocks.push((placeholder.clone(), highlight(language, code)));
        self.html(&format!("\n<div>{placeholder}</div>\n"));
    }

    fn finish(self) -> Rendered {
        let mut raw = String::new();
        pulldown_cmark::html::push_html(&mut raw, self.events.into_iter());
        let mut html = sanitizer(self.ids).clean(&raw).to_string();
        for (placeholder, code) in &self.code_blocks {
            html = html.replacen(&format!("<div>{placeholder}</div>"), code, 1);
        }
        let text = collapse_blank_lines(&self.text);
        let words = text.split_whitespace().count();
        Rendered {
            html,
            excerpt: excerpt(&self.prose, EXCERPT_CHARS),
            word_count: words as i64,
            reading_minutes: words.div_ceil(WORDS_PER_MINUTE).max(1) as i64,
            text,
        }
    }
}

/// The allow-list: ammonia's defaults (no scripts, styles, event handlers, `javascript:`
/// URLs, SVG or forms) plus what the pipeline itself produces.
fn sanitizer(heading_ids: HashSet<String>) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["input"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("input", ["checked"])
        .add_tag_attributes("img", ["title"])
        .add_tag_attribute_values("input", "type", ["checkbox"])
        .set_tag_attribute_value("input", "disabled", "")
        .set_tag_attribute_value("img", "loading", "lazy")
        .add_allowed_classes("a", ["anchor"])
        .add_allowed_classes("div", ["table-scroll"])
        .filter_style_properties(["text-align"].into_iter().collect())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("nofollow ugc noopener"))
        .strip_comments(true)
        // Only the ids the pipeline gave headings survive; raw HTML cannot plant others.
        .attribute_filter(move |_element, attribute, value| {
            if attribute == "id" && !heading_ids.contains(value) {
                None
            } else {
                Some(Cow::Borrowed(value))
            }
        });
    builder
}

/// Highlighted, escaped code in a `<pre>`; the language label is reduced to safe
/// characters. Unknown languages are shown as plain text.
fn highlight(language: &str, code: &str) -> String {
    let label: String = language
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_'))
        .take(20)
        .collect::<String>()
        .to_ascii_lowercase();
    let syntax = (!label.is_empty())
        .then(|| SYNTAXES.find_syntax_by_token(&label))
        .flatten()
        .unwrap_or_else(|| SYNTAXES.find_syntax_plain_text());
    let mut generator =
        ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, ClassStyle::SpacedPrefixed { prefix: "hl-" });
    let highlighted = LinesWithEndings::from(code)
        .try_for_each(|line| generator.parse_html_for_line_which_includes_newline(line))
        .map(|()| generator.finalize())
        .unwrap_or_else(|_| escape(code));
    let label_attr = if label.is_empty() { String::new() } else { format!(" data-lang=\"{label}\"") };
    format!("<pre class=\"code\"{label_attr}><code>{highlighted}</code></pre>")
}

/// Text as HTML text or attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn collapse_blank_lines(text: &str) -> String {
    text.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join("\n")
}

/// The first `max` characters of the prose, cut at a word and marked with an ellipsis.
pub fn excerpt(prose: &str, max: usize) -> String {
    let flat = prose.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let at_word = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", at_word.trim_end_matches([',', ';', ':', '.', '-', '—']))
}

/// Plain text for a search snippet or meta description: the HTML's text content.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let entities: HashMap<&str, &str> =
        [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'")].into_iter().collect();
    entities.iter().fold(out, |text, (entity, plain)| text.replace(entity, plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_move_down_a_level_and_get_unique_anchors() {
        let out = render_post("# Intro\n\ntext\n\n## Intro\n\n# Main");
        assert!(out.html.contains(r##"<h2 id="intro">Intro <a class="anchor" href="#intro""##), "{}", out.html);
        assert!(out.html.contains(r#"<h3 id="intro-2">"#), "{}", out.html);
        assert!(out.html.contains(r#"<h2 id="main-2">"#), "a layout id is never taken: {}", out.html);
        assert!(!out.html.contains("<h1"));
    }

    #[test]
    fn headings_never_skip_a_level() {
        let out = render_post("## Start\n\n#### Detail\n\n## Next\n\n###### Deep");
        assert!(out.html.contains(r#"<h2 id="start">"#), "{}", out.html);
        assert!(out.html.contains(r#"<h3 id="detail">"#), "{}", out.html);
        assert!(out.html.contains(r#"<h2 id="next">"#), "{}", out.html);
        assert!(out.html.contains(r#"<h4 id="deep">"#), "{}", out.html);
    }

    #[test]
    fn code_fences_are_highlighted_with_classes() {
        let out = render_post("```rust\nfn main() { let x = \"<b>\"; }\n```\n");
        assert!(out.html.contains(r#"<pre class="code" data-lang="rust"><code>"#), "{}", out.html);
        assert!(out.html.contains(r#"<span class="hl-storage hl-type hl-function hl-rust">fn</span>"#), "{}", out.html);
        assert!(out.html.contains("&lt;b&gt;"), "code is escaped: {}", out.html);
        assert!(!out.html.contains("cp-code-"), "placeholders are replaced");
    }

    #[test]
    fn unknown_languages_and_hostile_labels_are_plain_text() {
        let out = render_post("```\"><script>alert(1)</script>\nx < y\n```\n");
        assert!(!out.html.contains("<script"), "{}", out.html);
        assert!(out.html.contains("x &lt; y"), "{}", out.html);
    }

    #[test]
    fn tables_scroll_and_keep_alignment() {
        let out = render_post("| a | b |\n|:-:|---|\n| 1 | 2 |\n");
        assert!(out.html.starts_with(r#"<div class="table-scroll"><table>"#), "{}", out.html);
        assert!(out.html.contains(r#"<th style="text-align:center">a</th>"#), "{}", out.html);
    }

    #[test]
    fn links_get_rel_and_images_load_lazily() {
        let out = render_post("[x](https://example.com) ![cat](https://example.com/cat.png)");
        assert!(
            out.html.contains(r#"<a href="https://example.com" rel="nofollow ugc noopener">x</a>"#),
            "{}",
            out.html
        );
        assert!(out.html.contains(r#"loading="lazy""#), "{}", out.html);
    }

    #[test]
    fn the_xss_corpus_comes_out_inert() {
        let corpus = [
            "<script>alert(1)</script>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<img src=x onerror=alert(1)>",
            "<p onclick=\"alert(1)\">x</p>",
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=alert(1)>",
            "<iframe src=\"https://evil.test\"></iframe>",
            "<style>body{display:none}</style>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<<script>script>alert(1)<</script>/script>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
            "<form action=\"https://evil.test\"><input name=x></form>",
            "<h2 id=\"main\">clobber</h2>",
            "<object data=\"x\"></object><embed src=\"x\">",
            "<b><i>unclosed",
            "![x](javascript:alert(1))",
            "<input type=\"text\" value=\"x\" onfocus=\"alert(1)\" autofocus>",
        ];
        for source in corpus {
            let html = render_post(source).html.to_lowercase();
            for bad in [
                "<script",
                "javascript:",
                "onerror",
                "onclick",
                "onload",
                "onfocus",
                "<svg",
                "<iframe",
                "<style",
                "<form",
                "data:text",
                "<object",
                "<embed",
                "id=\"main\"",
                "type=\"text\"",
            ] {
                assert!(!html.contains(bad), "{source:?} rendered {bad}: {html}");
            }
        }
        assert!(render_post("<b><i>unclosed").html.contains("<b><i>unclosed</i></b>"), "broken HTML is balanced");
    }

    #[test]
    fn comments_have_no_headings_or_embedded_images() {
        let html = render_comment("# Big\n\n![cat](https://example.com/cat.png)");
        assert!(html.contains("<p><strong>Big</strong></p>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(r#"<a href="https://example.com/cat.png""#), "{html}");
    }

    #[test]
    fn text_counts_and_excerpt() {
        let body = format!("# Title\n\n{}\n\n```\ncode here\n```\n", "word ".repeat(460));
        let out = render_post(&body);
        assert_eq!(out.word_count, 463);
        assert_eq!(out.reading_minutes, 3);
        assert!(out.excerpt.ends_with('…') && out.excerpt.chars().count() <= 201, "{}", out.excerpt);
        assert!(!out.excerpt.contains("Title") && !out.excerpt.contains("code"));
        assert!(out.text.contains("code here"));
        assert_eq!(render_post("").reading_minutes, 1);
    }

    #[test]
    fn task_lists_render_disabled_checkboxes() {
        let html = render_post("- [x] done\n- [ ] todo").html;
        assert!(
            html.contains(r#"<input type="checkbox" checked="" disabled="">"#) || html.contains("disabled"),
            "{html}"
        );
        assert!(!html.contains("onclick"));
    }

    #[test]
    fn strip_tags_keeps_text() {
        assert_eq!(strip_tags("<p>a &amp; <b>b</b></p>"), "a & b");
    }
}
