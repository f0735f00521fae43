//! The Content-Security-Policy of every HTML page. Scripts run only from this origin or
//! inline with the response's nonce (the one Leptos puts on its hydration scripts), wasm
//! may be compiled, and nothing may embed, rebase or frame the page.

/// The policy for an HTML response whose inline scripts carry `nonce`.
pub fn policy(nonce: &str) -> String {
    // Avatars may be any https image; styles allow attributes (no script runs from CSS).
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// The nonce of one response, made by the server's CSP middleware and carried in the
/// request's extensions; the policy header names it and every inline script carries it.
#[derive(Clone, Debug)]
pub struct RequestNonce(pub String);

/// Gives the page being rendered its request's nonce, in place of the one Leptos made
/// for it, so the scripts and the policy header always agree. Runs as the Leptos
/// routes' additional context.
pub fn provide_request_nonce() {
    let nonce = leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestNonce>().cloned());
    if let Some(RequestNonce(nonce)) = nonce {
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_need_the_nonce_and_nothing_may_embed_or_rebase_the_page() {
        let with = policy("abc123");
        assert!(with.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(with.contains(directive), "{directive}");
        }
        assert!(!with.contains("'unsafe-inline' 'wasm") && !with.contains("script-src 'unsafe-inline'"));
    }
}
