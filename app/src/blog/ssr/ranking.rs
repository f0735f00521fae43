//! The "Hot" order: newest first, weighted by engagement. A post's score is
//! `log10(1 + weighted engagement) + published_at / decay`: one `decay` (a day by
//! default) of age is worth a factor of ten in engagement. It does not depend on the
//! current time, so it is a stored, indexed column that changes only when the post's
//! counts do, and pages of the list stay stable.

/// Weights and time constant, from configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    pub like_weight: f64,
    pub comment_weight: f64,
    pub view_weight: f64,
    /// Seconds of age that ten times the engagement makes up for.
    pub decay_secs: f64,
}

impl Default for Ranking {
    fn default() -> Self {
        Self { like_weight: 5.0, comment_weight: 3.0, view_weight: 0.2, decay_secs: 86_400.0 }
    }
}

/// A post's counts, as the score needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Engagement {
    pub published_at_ms: i64,
    pub likes: i64,
    pub comments: i64,
    pub views: i64,
}

impl Ranking {
    pub fn hot_score(&self, e: Engagement) -> f64 {
        let weighted = self.like_weight * e.likes.max(0) as f64
            + self.comment_weight * e.comments.max(0) as f64
            + self.view_weight * e.views.max(0) as f64;
        (1.0 + weighted).log10() + (e.published_at_ms as f64 / 1000.0) / self.decay_secs
    }

    /// Identifies these settings, so scores computed under others are recomputed.
    pub fn fingerprint(&self) -> String {
        format!("v1:{}:{}:{}:{}", self.like_weight, self.comment_weight, self.view_weight, self.decay_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: i64 = 86_400_000;
    const T: i64 = 1_800_000_000_000;

    fn post(age_days: f64, likes: i64, comments: i64, views: i64) -> Engagement {
        Engagement { published_at_ms: T - (age_days * DAY_MS as f64) as i64, likes, comments, views }
    }

    #[test]
    fn a_day_older_needs_about_ten_times_the_engagement() {
        let r = Ranking::default();
        let newer = r.hot_score(post(0.0, 10, 0, 0));
        assert!(r.hot_score(post(1.0, 120, 0, 0)) > newer, "12x lifts an older post above");
        assert!(r.hot_score(post(1.0, 80, 0, 0)) < newer, "8x does not");
    }

    #[test]
    fn likes_weigh_more_than_views_and_comments_count() {
        let r = Ranking::default();
        assert!(r.hot_score(post(0.0, 1, 0, 0)) > r.hot_score(post(0.0, 0, 0, 1)));
        assert!(r.hot_score(post(0.0, 0, 1, 0)) > r.hot_score(post(0.0, 0, 0, 0)));
    }

    #[test]
    fn without_engagement_newest_is_first() {
        let r = Ranking::default();
        assert!(r.hot_score(post(0.0, 0, 0, 0)) > r.hot_score(post(0.01, 0, 0, 0)));
    }
}
