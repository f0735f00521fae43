//! The review flow's emails, queued in the caller's transaction through the mail outbox:
//! reviewers hear of every submission, authors of every decision.

use sqlx::AnyConnection;

use crate::{
    blog::ssr::render,
    server::mail::{enqueue, Action, Message},
};

const QUOTE_CHARS: usize = 600;

fn review_link(public_url: &str, post_id: &str, label: &str) -> Option<Action> {
    Some(Action { label: label.into(), url: format!("{public_url}/review/{post_id}") })
}

pub struct Submitted<'a> {
    pub author: &'a str,
    pub title: &'a str,
    pub post_id: &'a str,
    /// Sent again after requested changes.
    pub resubmission: bool,
}

/// Tells every reviewer (`(email, greeting)`) that a post waits for them.
pub async fn submitted(
    conn: &mut AnyConnection,
    public_url: &str,
    reviewers: &[(String, String)],
    mail: &Submitted<'_>,
    now_secs: i64,
) -> Result<(), sqlx::Error> {
    let (author, title) = (mail.author, mail.title);
    let line = if mail.resubmission {
        format!("{author} submitted a corrected version of “{title}” for review.")
    } else {
        format!("{author} submitted “{title}” for review.")
    };
    for (email, greeting) in reviewers {
        let message = Message {
            subject: format!("To review: “{title}”"),
            greeting_name: greeting.clone(),
            paragraphs: vec![line.clone()],
            action: review_link(public_url, mail.post_id, "Review it"),
            note: Some("You receive these emails because you review posts on this site.".into()),
        };
        enqueue(&mut *conn, email, &message, now_secs).await?;
    }
    Ok(())
}

/// A reviewer's decision, as the author's email tells it.
pub enum Decision<'a> {
    /// Published now (`None`) or at a time, already written for people.
    Approved {
        when: Option<&'a str>,
    },
    ChangesRequested {
        summary: &'a str,
        items: usize,
    },
    Rejected {
        reason: &'a str,
    },
}

pub struct Decided<'a> {
    pub to: &'a str,
    pub greeting: &'a str,
    pub title: &'a str,
    pub post_id: &'a str,
    pub decision: Decision<'a>,
}

/// Tells the author what the reviewer decided.
pub async fn decided(
    conn: &mut AnyConnection,
    public_url: &str,
    mail: &Decided<'_>,
    now_secs: i64,
) -> Result<(), sqlx::Error> {
    let title = mail.title;
    let (subject, opening, words) = match &mail.decision {
        Decision::Approved { when: None } => {
            (format!("Approved and published: “{title}”"), format!("Your post “{title}” was approved and is live."), "")
        }
        Decision::Approved { when: Some(when) } => (
            format!("Approved: “{title}”"),
            format!("Your post “{title}” was approved and will be published on {when}."),
            "",
        ),
        Decision::ChangesRequested { summary, items } => {
            let plural = if *items == 1 { "correction" } else { "corrections" };
            (
                format!("Changes requested: “{title}”"),
                format!("The reviewer asks for {items} {plural} to “{title}” before it can be published."),
                *summary,
            )
        }
        Decision::Rejected { reason } => (
            format!("Not accepted: “{title}”"),
            format!("Your post “{title}” was not accepted for publication. The reviewer’s reason:"),
            *reason,
        ),
    };
    let mut paragraphs = vec![opening];
    if !words.trim().is_empty() {
        paragraphs.push(format!("“{}”", render::excerpt(words, QUOTE_CHARS)));
    }
    let message = Message {
        subject,
        greeting_name: mail.greeting.into(),
        paragraphs,
        action: review_link(public_url, mail.post_id, "See the review"),
        note: None,
    };
    enqueue(&mut *conn, mail.to, &message, now_secs).await
}
