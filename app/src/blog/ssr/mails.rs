//! The blog's emails, queued in the caller's transaction through the mail outbox.

use sqlx::AnyExecutor;

use crate::server::mail::{enqueue, Action, Message};

const QUOTE_CHARS: usize = 300;

/// What the email about a new comment says.
pub struct NewComment<'a> {
    pub to: &'a str,
    pub greeting: &'a str,
    pub commenter: &'a str,
    pub post_title: &'a str,
    pub post_slug: &'a str,
    pub comment_id: &'a str,
    /// Plain text.
    pub comment_text: &'a str,
}

/// Tells a post's author about a new comment.
pub async fn new_comment<'e>(
    db: impl AnyExecutor<'e>,
    public_url: &str,
    mail: &NewComment<'_>,
    now_secs: i64,
) -> Result<(), sqlx::Error> {
    let quote = super::render::excerpt(mail.comment_text, QUOTE_CHARS);
    let title = mail.post_title;
    let message = Message {
        subject: format!("New comment on “{title}”"),
        greeting_name: mail.greeting.into(),
        paragraphs: vec![format!("{} commented on your post “{title}”:", mail.commenter), format!("“{quote}”")],
        action: Some(Action {
            label: "Read and reply".into(),
            url: format!("{public_url}/blog/{}#comment-{}", mail.post_slug, mail.comment_id),
        }),
        note: Some("You can turn these emails off on your account page, under Notifications.".into()),
    };
    enqueue(db, mail.to, &message, now_secs).await
}
