//! Facts about the site that pages need in both renderings: where it lives (absolute
//! links for canonical URLs, previews and feeds) and its default preview image.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// `PUBLIC_URL`, without a trailing slash.
    pub public_url: String,
}

impl SiteInfo {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// The image shared links show until posts have covers.
    pub fn default_image(&self) -> String {
        self.url("/og-default.png")
    }
}

#[server(prefix = "/fn", endpoint = "site", output = crate::codec::Json)]
pub async fn get_site_info() -> Result<SiteInfo, AppError> {
    let state = crate::server::request::RequestContext::state()?;
    Ok(SiteInfo { public_url: state.accounts.public_url.clone() })
}

/// Loaded once by `<App/>`; pages read it through [`use_site`].
#[derive(Clone, Copy)]
pub struct Site(pub Resource<Result<SiteInfo, AppError>>);

pub fn provide_site() {
    provide_context(Site(Resource::new(|| (), |_| get_site_info())));
}

pub fn use_site() -> Site {
    expect_context::<Site>()
}

/// Escapes text for a JSON string literal, and `<` too, so that JSON placed in a
/// `<script>` element can never close it. The same on server and browser.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for the document `<title>`, which the server writes without escaping.
pub fn title_text(text: &str) -> String {
    if cfg!(feature = "ssr") {
        text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_cannot_close_a_script() {
        assert_eq!(json_string("a\"b</script><!--"), r#""a\"b\u003c/script\u003e\u003c!--""#);
        assert_eq!(json_string("line\nbreak\u{1}"), r#""line\nbreak\u0001""#);
    }
}
