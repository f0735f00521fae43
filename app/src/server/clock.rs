/// Unix time in whole seconds, the unit the account tables use.
pub fn now() -> i64 {
    now_ms().div_euclid(1000)
}

/// Unix time in milliseconds, the unit the blog tables use (columns ending in `_ms`).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}
