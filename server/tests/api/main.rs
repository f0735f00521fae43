//! Integration tests: each starts the real server on port 0 with a fresh database, and
//! every test runs once per engine (`<test>::sqlite`, `<test>::postgres`).

#[macro_use]
mod helpers;
mod accounts;
mod api_accounts;
mod api_docs;
mod api_tokens;
mod backup;
mod blog_posts;
mod blog_reading;
mod blog_social;
mod chat;
mod conduit;
mod cors;
mod fuzz;
mod health;
mod jwt;
mod mail;
mod metrics;
mod pages;
mod post_files;
mod review;
mod scale_out;
mod tls;
mod uploads;
mod users;
