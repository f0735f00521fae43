//! The review flow's transition table: which action moves a post's review state where,
//! and for whom. Pure and shared by both sides, so every rule is a row in a unit test,
//! the service applies exactly these, and the pages offer only what would succeed.

use serde::{Deserialize, Serialize};

/// Where a post's working revision stands in review (its public `status` is separate:
/// a published post stays up while its next revision is reviewed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewState {
    /// Not in review: a draft, or a post whose last review ended in approval or withdrawal.
    #[default]
    Idle,
    InReview,
    ChangesRequested,
    /// Finally rejected: it cannot be submitted again.
    Rejected,
}

impl ReviewState {
    /// The stored form (`posts.review_state`; NULL is `Idle`).
    pub fn as_db(self) -> Option<&'static str> {
        match self {
            Self::Idle => None,
            Self::InReview => Some("in_review"),
            Self::ChangesRequested => Some("changes_requested"),
            Self::Rejected => Some("rejected"),
        }
    }

    pub fn from_db(raw: Option<&str>) -> Self {
        match raw {
            Some("in_review") => Self::InReview,
            Some("changes_requested") => Self::ChangesRequested,
            Some("rejected") => Self::Rejected,
            _ => Self::Idle,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Idle => "Not in review",
            Self::InReview => "In review",
            Self::ChangesRequested => "Changes requested",
            Self::Rejected => "Rejected",
        }
    }
}

/// Who is acting, relative to the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The post's author; `needs_review` comes from the site setting for their role.
    Author { needs_review: bool },
    /// Someone with a reviewer role who did not write the post.
    Reviewer,
    /// Anyone else.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Save the working revision.
    Edit,
    /// Publish or schedule directly, or update a published post in place.
    Publish,
    /// Send the working revision to reviewers. `open_items` counts the corrections of
    /// the last request for changes that are neither fixed nor answered (even if the
    /// post was withdrawn since).
    Submit {
        open_items: usize,
    },
    /// Take the post out of review.
    Withdraw,
    Approve,
    RequestChanges,
    Reject,
}

/// Why an action is refused: `Forbidden` is about who asks (403), `Conflict` about the
/// state the post is in (409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Forbidden(&'static str),
    Conflict(&'static str),
}

const NOT_YOURS: &str = "Only the post's author can do this.";
const NOT_REVIEWER: &str = "Only reviewers can decide on a submission.";
const OWN_POST: &str = "You cannot review your own post.";
const IN_REVIEW_EDIT: &str = "This post is in review; withdraw it from review to change it.";
const NOT_PENDING: &str = "This post is not waiting for a review decision.";
const REJECTED: &str = "This post was rejected; it cannot be submitted or published again.";

/// The state after `action`, or why it is refused.
pub fn transition(state: ReviewState, action: Action, actor: Actor) -> Result<ReviewState, Refusal> {
    use {Action as A, ReviewState as S};
    match action {
        A::Edit => match actor {
            Actor::Other => Err(Refusal::Forbidden(NOT_YOURS)),
            _ if state == S::InReview => Err(Refusal::Conflict(IN_REVIEW_EDIT)),
            _ => Ok(state),
        },
        A::Publish => match (actor, state) {
            (Actor::Other, _) => Err(Refusal::Forbidden(NOT_YOURS)),
            (Actor::Author { needs_review: true }, _) => {
                Err(Refusal::Conflict("Your posts are reviewed before they are published: submit this one for review."))
            }
            (_, S::Idle) => Ok(S::Idle),
            (_, S::Rejected) => Err(Refusal::Conflict(REJECTED)),
            (_, S::InReview | S::ChangesRequested) => {
                Err(Refusal::Conflict("This post is in review; withdraw it from review to publish it directly."))
            }
        },
        A::Submit { open_items } => match (actor, state) {
            (Actor::Reviewer | Actor::Other, _) => Err(Refusal::Forbidden(NOT_YOURS)),
            // Withdrawing does not excuse open corrections: they are answered first.
            (_, S::Idle | S::ChangesRequested) if open_items > 0 => Err(Refusal::Conflict(
                "Every requested correction must be marked fixed or answered before you submit again.",
            )),
            (_, S::Idle | S::ChangesRequested) => Ok(S::InReview),
            (_, S::InReview) => Err(Refusal::Conflict("This post is already in review.")),
            (_, S::Rejected) => Err(Refusal::Conflict(REJECTED)),
        },
        A::Withdraw => match (actor, state) {
            (Actor::Reviewer | Actor::Other, _) => Err(Refusal::Forbidden(NOT_YOURS)),
            (_, S::InReview | S::ChangesRequested) => Ok(S::Idle),
            (_, S::Idle | S::Rejected) => Err(Refusal::Conflict("This post is not in review.")),
        },
        A::Approve | A::RequestChanges | A::Reject => match (actor, state) {
            (Actor::Author { .. }, _) => Err(Refusal::Forbidden(OWN_POST)),
            (Actor::Other, _) => Err(Refusal::Forbidden(NOT_REVIEWER)),
            (Actor::Reviewer, S::InReview) => Ok(match action {
                A::Approve => S::Idle,
                A::RequestChanges => S::ChangesRequested,
                _ => S::Rejected,
            }),
            (Actor::Reviewer, _) => Err(Refusal::Conflict(NOT_PENDING)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{Action as A, Actor, Refusal, ReviewState as S, *};

    const CLIENT: Actor = Actor::Author { needs_review: true };
    const TRAINER: Actor = Actor::Author { needs_review: false };
    const STATES: [S; 4] = [S::Idle, S::InReview, S::ChangesRequested, S::Rejected];

    /// What the table must say: `Ok(next)`, or `403`/`409` for the refusal kind.
    #[derive(Debug, PartialEq)]
    enum Expect {
        To(S),
        Forbidden,
        Conflict,
    }

    fn run(state: S, action: A, actor: Actor) -> Expect {
        match transition(state, action, actor) {
            Ok(next) => Expect::To(next),
            Err(Refusal::Forbidden(_)) => Expect::Forbidden,
            Err(Refusal::Conflict(_)) => Expect::Conflict,
        }
    }

    /// Every (state, action, actor) triple against the table written out by hand.
    #[test]
    fn every_transition_matches_the_table() {
        use Expect::*;
        let submit = A::Submit { open_items: 0 };
        #[rustfmt::skip]
        let table: &[(S, A, Actor, Expect)] = &[
            // Editing: refused only while reviewers look at a frozen revision.
            (S::Idle, A::Edit, CLIENT, To(S::Idle)),
            (S::InReview, A::Edit, CLIENT, Conflict),
            (S::ChangesRequested, A::Edit, CLIENT, To(S::ChangesRequested)),
            (S::Rejected, A::Edit, CLIENT, To(S::Rejected)),
            (S::InReview, A::Edit, Actor::Reviewer, Conflict),
            (S::Idle, A::Edit, Actor::Reviewer, To(S::Idle)),
            (S::Idle, A::Edit, Actor::Other, Forbidden),
            // Publishing directly: never for an author who needs review.
            (S::Idle, A::Publish, CLIENT, Conflict),
            (S::ChangesRequested, A::Publish, CLIENT, Conflict),
            (S::Idle, A::Publish, TRAINER, To(S::Idle)),
            (S::InReview, A::Publish, TRAINER, Conflict),
            (S::ChangesRequested, A::Publish, TRAINER, Conflict),
            (S::Rejected, A::Publish, TRAINER, Conflict),
            (S::Idle, A::Publish, Actor::Reviewer, To(S::Idle)),
            (S::InReview, A::Publish, Actor::Reviewer, Conflict),
            (S::Idle, A::Publish, Actor::Other, Forbidden),
            // Submitting.
            (S::Idle, submit, CLIENT, To(S::InReview)),
            (S::Idle, submit, TRAINER, To(S::InReview)),
            (S::ChangesRequested, submit, CLIENT, To(S::InReview)),
            (S::ChangesRequested, A::Submit { open_items: 1 }, CLIENT, Conflict),
            (S::Idle, A::Submit { open_items: 1 }, CLIENT, Conflict),
            (S::InReview, submit, CLIENT, Conflict),
            (S::Rejected, submit, CLIENT, Conflict),
            (S::Idle, submit, Actor::Reviewer, Forbidden),
            (S::Idle, submit, Actor::Other, Forbidden),
            // Withdrawing.
            (S::InReview, A::Withdraw, CLIENT, To(S::Idle)),
            (S::ChangesRequested, A::Withdraw, CLIENT, To(S::Idle)),
            (S::Idle, A::Withdraw, CLIENT, Conflict),
            (S::Rejected, A::Withdraw, CLIENT, Conflict),
            (S::InReview, A::Withdraw, Actor::Reviewer, Forbidden),
            // Deciding: reviewers only, never on their own post, only while in review.
            (S::InReview, A::Approve, Actor::Reviewer, To(S::Idle)),
            (S::InReview, A::RequestChanges, Actor::Reviewer, To(S::ChangesRequested)),
            (S::InReview, A::Reject, Actor::Reviewer, To(S::Rejected)),
            (S::InReview, A::Approve, TRAINER, Forbidden),
            (S::InReview, A::Approve, CLIENT, Forbidden),
            (S::InReview, A::Reject, Actor::Other, Forbidden),
            (S::Idle, A::Approve, Actor::Reviewer, Conflict),
            (S::ChangesRequested, A::Approve, Actor::Reviewer, Conflict),
            (S::ChangesRequested, A::RequestChanges, Actor::Reviewer, Conflict),
            (S::Rejected, A::Reject, Actor::Reviewer, Conflict),
        ];
        for (state, action, actor, expect) in table {
            assert_eq!(&run(*state, *action, *actor), expect, "{state:?} {action:?} by {actor:?}");
        }
    }

    #[test]
    fn nobody_decides_on_their_own_post_in_any_state() {
        for state in STATES {
            for action in [A::Approve, A::RequestChanges, A::Reject] {
                for author in [CLIENT, TRAINER] {
                    assert_eq!(run(state, action, author), Expect::Forbidden, "{state:?} {action:?}");
                }
            }
        }
    }

    #[test]
    fn an_author_who_needs_review_can_never_publish_directly() {
        for state in STATES {
            assert_eq!(run(state, A::Publish, CLIENT), Expect::Conflict, "{state:?}");
        }
    }

    #[test]
    fn stored_states_round_trip() {
        for state in STATES {
            assert_eq!(S::from_db(state.as_db()), state);
        }
    }
}
