//! Email bodies: every message is a greeting, paragraphs, an optional call to action and
//! a note, rendered by two askama templates (plain text and HTML).

use askama::Template;

use crate::root::SITE_NAME;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub greeting_name: String,
    pub paragraphs: Vec<String>,
    pub action: Option<Action>,
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct TextBody<'a> {
    greeting_name: &'a str,
    paragraphs: &'a [String],
    action: &'a Option<Action>,
    note: &'a Option<String>,
    site_name: &'a str,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct HtmlBody<'a> {
    subject: &'a str,
    greeting_name: &'a str,
    paragraphs: &'a [String],
    action: &'a Option<Action>,
    note: &'a Option<String>,
    site_name: &'a str,
}

impl Message {
    /// (plain text, HTML)
    pub fn render(&self) -> (String, String) {
        let text = TextBody {
            greeting_name: &self.greeting_name,
            paragraphs: &self.paragraphs,
            action: &self.action,
            note: &self.note,
            site_name: SITE_NAME,
        };
        let html = HtmlBody {
            subject: &self.subject,
            greeting_name: &self.greeting_name,
            paragraphs: &self.paragraphs,
            action: &self.action,
            note: &self.note,
            site_name: SITE_NAME,
        };
        (text.render().expect("text template renders"), html.render().expect("html template renders"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_carry_the_link_and_html_escapes_user_text() {
        let message = Message {
            subject: "Activate".into(),
            greeting_name: "<b>ada</b>".into(),
            paragraphs: vec!["Welcome aboard.".into()],
            action: Some(Action {
                label: "Activate your account".into(),
                url: "http://x.test/activate?token=a.b.c".into(),
            }),
            note: Some("Ignore this if it was not you.".into()),
        };
        let (text, html) = message.render();
        assert!(text.starts_with("Hello <b>ada</b>,"));
        assert!(text.contains("Activate your account:\nhttp://x.test/activate?token=a.b.c"));
        assert!(text.contains("Ignore this if it was not you."));
        assert!(
            html.contains("Hello &#60;b&#62;ada&#60;/b&#62;,") || html.contains("Hello &lt;b&gt;ada&lt;/b&gt;,"),
            "{html}"
        );
        assert!(html.contains(r#"href="http://x.test/activate?token=a.b.c""#));
    }
}
