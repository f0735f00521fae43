//! Accounts over HTTP: every rule of signup, activation, login, lockout, reset and the
//! account page, on both engines.

use std::time::Duration;

use app::accounts::ssr::tokens::{derive_key, AccountTokens, Purpose};
use serde_json::Value;

use crate::helpers::{call_with, current_user_with, error_of, new_client, TestApp, STRONG_PASSWORD, TEST_SECRET};

fn fields(error: &Value) -> &Value {
    &error["Invalid"]["fields"]
}

fn test_tokens() -> AccountTokens {
    AccountTokens::new(
        &derive_key(TEST_SECRET.as_bytes(), "account-tokens-v1"),
        Duration::from_secs(86_400),
        Duration::from_secs(3_600),
    )
}

fn unix_now() -> i64 {
    app::server::clock::now()
}

async fn user_id(app: &TestApp, username: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

engine_tests! {
    async fn signup_reports_every_broken_rule_per_field(app: TestApp) {
        let form = [
            ("username", "a b"),
            ("email", "not-an-email"),
            ("name", "Al"),
            ("password", "short"),
            ("password_confirm", "different"),
        ];
        let response = app.call("accounts/signup", &form).await;
        assert_eq!(response.status(), 400);
        let error = error_of(response).await;
        let f = fields(&error);
        assert_eq!(f["username"][0], "may contain only letters, digits, _ . and -");
        assert_eq!(f["email"][0], "must be a valid email address, like name@example.com");
        assert_eq!(f["name"][0], "must be 3 to 32 characters (has 2)");
        let password: Vec<&str> = f["password"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(
            password,
            [
                "must be at least 8 characters (has 5)",
                "must contain an uppercase letter",
                "must contain a digit",
                "must contain a symbol such as ! ? # or %",
            ]
        );
        assert_eq!(f["password_confirm"][0], "does not match the password");
        assert_eq!(error["Invalid"]["values"]["username"], "a b", "non-secret input is echoed back");
        assert!(error["Invalid"]["values"].get("password").is_none(), "passwords are never echoed");
    }

    async fn signup_rejects_a_common_password_that_passes_the_character_rules(app: TestApp) {
        let form = [("username", "ada"), ("email", "ada@example.com"), ("name", ""),
                    ("password", "Password1!"), ("password_confirm", "Password1!")];
        let error = error_of(app.call("accounts/signup", &form).await).await;
        let message = fields(&error)["password"][0].as_str().unwrap();
        assert!(message.starts_with("is too easy to guess"), "{message}");
    }

    async fn signup_rejects_password_containing_the_username(app: TestApp) {
        let form = [("username", "ada_l"), ("email", "ada@example.com"), ("name", ""),
                    ("password", "xADA_L-Pluto-9!"), ("password_confirm", "xADA_L-Pluto-9!")];
        let error = error_of(app.call("accounts/signup", &form).await).await;
        assert_eq!(fields(&error)["password"][0], "must not contain your username or email name");
    }

    async fn signup_creates_an_inactive_user_with_settings_and_mails_the_activation_link(app: TestApp) {
        let response = app.signup("ada", "Ada@Example.com", STRONG_PASSWORD).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["location"], "/signup/check-email");
        let (email, verified, role): (String, Option<i64>, String) =
            sqlx::query_as("SELECT email, email_verified_at, role FROM users WHERE username = 'ada'")
                .fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(email, "ada@example.com", "email is normalised");
        assert_eq!(verified, None);
        assert_eq!(role, "client");
        let (settings,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM user_settings").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(settings, 1);
        let mail = app.wait_for_mail("ada@example.com", "Activate").await;
        assert!(mail.text_body.contains("http://app.test/activate?token="), "links use PUBLIC_URL: {}", mail.text_body);
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users").fetch_one(app.db.pool()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    async fn signup_with_a_taken_username_or_email_is_a_field_error(app: TestApp) {
        app.signup("ada", "ada@example.com", STRONG_PASSWORD).await;
        let error = error_of(app.signup("ADA", "other@example.com", STRONG_PASSWORD).await).await;
        assert_eq!(fields(&error)["username"][0], "is already taken");
        let response = app.signup("grace", "ADA@example.com", STRONG_PASSWORD).await;
        assert_eq!(response.status(), 400);
        let error = error_of(response).await;
        assert_eq!(fields(&error)["email"][0], "is already registered; log in or reset your password");
    }

    async fn concurrent_signups_for_one_username_give_one_account_and_no_500(app: TestApp) {
        let attempts = (0..4).map(|i| {
            let client = new_client();
            let address = app.address.clone();
            async move {
                let email = format!("racer{i}@example.com");
                let form = [("username", "racer"), ("email", email.as_str()), ("name", ""),
                            ("password", STRONG_PASSWORD), ("password_confirm", STRONG_PASSWORD)];
                call_with(&client, &address, "accounts/signup", &form).await.status().as_u16()
            }
        });
        let mut statuses = futures_join_all(attempts).await;
        statuses.sort();
        assert_eq!(statuses, [200, 400, 400, 400]);
    }

    async fn login_before_activation_is_refused_and_points_to_resend(app: TestApp) {
        app.signup("ada", "ada@example.com", STRONG_PASSWORD).await;
        let response = app.login("ada", STRONG_PASSWORD).await;
        assert_eq!(response.status(), 403);
        assert_eq!(error_of(response).await, Value::String("NotActivated".into()));
    }

    async fn activation_link_activates_once_and_then_says_already_active(app: TestApp) {
        app.signup("ada", "ada@example.com", STRONG_PASSWORD).await;
        let token = app.mailed_token("ada@example.com", "/activate?token=").await;
        let first = app.call("accounts/activate", &[("token", &token)]).await;
        assert_eq!(first.json::<Value>().await.unwrap(), "Activated");
        let again = app.call("accounts/activate", &[("token", &token)]).await;
        assert_eq!(again.json::<Value>().await.unwrap(), "AlreadyActive");
        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 200);
    }

    async fn activation_refuses_forged_expired_reused_and_wrong_purpose_tokens(app: TestApp) {
        app.signup("ada", "ada@example.com", STRONG_PASSWORD).await;
        let id = user_id(&app, "ada").await;
        let forged = AccountTokens::new(b"some other key that is 32 bytes!", Duration::from_secs(60), Duration::from_secs(60))
            .issue(Purpose::Activate, &id, None, unix_now()).token;
        let expired = test_tokens().issue(Purpose::Activate, &id, None, unix_now() - 90_000).token;
        let wrong_purpose = test_tokens().issue(Purpose::Reset, &id, None, unix_now()).token;
        let unrecorded = test_tokens().issue(Purpose::Activate, &id, None, unix_now()).token;
        for (token, expected) in [
            (forged.as_str(), "This activation link is not valid. Ask for a new one below."),
            ("garbage", "This activation link is not valid. Ask for a new one below."),
            (expired.as_str(), "This activation link has expired. Ask for a new one below."),
            (wrong_purpose.as_str(), "This activation link is not valid. Ask for a new one below."),
            (unrecorded.as_str(), "This activation link has already been used. Ask for a new one below."),
        ] {
            let response = app.call("accounts/activate", &[("token", token)]).await;
            assert_eq!(response.status(), 401, "{expected}");
            assert_eq!(error_of(response).await["Unauthorized"], expected);
        }
        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 403, "still not active");
    }

    async fn resend_activation_answers_the_same_for_unknown_pending_and_active_addresses(app: TestApp) {
        app.signup("ada", "ada@example.com", STRONG_PASSWORD).await;
        app.create_active_user("grace", "grace@example.com", STRONG_PASSWORD).await;
        let mut answers = Vec::new();
        for email in ["nobody@example.com", "ada@example.com", "grace@example.com"] {
            let response = app.call("accounts/resend-activation", &[("email", email)]).await;
            answers.push((response.status().as_u16(), response.headers().get("location").cloned(), response.text().await.unwrap()));
        }
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.mails_to("ada@example.com").await.len(), 2, "pending user gets a new link");
        assert_eq!(app.mails_to("grace@example.com").await.len(), 1, "active user gets nothing new");
        assert!(app.mails_to("nobody@example.com").await.is_empty());
    }

    async fn resend_activation_is_rate_limited_per_address(app: TestApp) {
        for _ in 0..3 {
            assert_eq!(app.call("accounts/resend-activation", &[("email", "x@example.com")]).await.status(), 200);
        }
        let response = app.call("accounts/resend-activation", &[("email", "x@example.com")]).await;
        assert_eq!(response.status(), 429);
        assert!(response.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() > 0);
        let message = error_of(response).await;
        assert!(message["RateLimited"]["retry_after_secs"].as_u64().unwrap() > 0);
    }

    async fn wrong_password_and_unknown_user_get_the_same_answer(app: TestApp) {
        app.create_active_user("someone", "someone@example.com", STRONG_PASSWORD).await;
        let wrong = app.login("someone", "Wrong-Password-1!").await;
        assert_eq!(wrong.status(), 401);
        let wrong = error_of(wrong).await;
        sqlx::query("UPDATE users SET username = 'someone-else'").execute(app.db.pool()).await.unwrap();
        let unknown = app.login("someone", "Wrong-Password-1!").await;
        assert_eq!(unknown.status(), 401);
        assert_eq!(wrong, error_of(unknown).await, "byte-for-byte the same answer");
        assert_eq!(wrong["BadCredentials"]["login"], "someone", "what was typed is echoed back");
    }

    async fn login_by_username_or_email_sets_a_hardened_session_cookie_and_honours_safe_next(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let response = app.login("ADA@example.com", STRONG_PASSWORD).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["location"], "/account");
        let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("session="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
        assert_eq!(app.current_user().await["username"], "ada");
        let evil = app.call("accounts/login", &[("login", "ada"), ("password", STRONG_PASSWORD), ("next", "https://evil.test/")]).await;
        assert_eq!(evil.headers()["location"], "/account");
        let blog = app.call("accounts/login", &[("login", "ada"), ("password", STRONG_PASSWORD), ("next", "/blog")]).await;
        assert_eq!(blog.headers()["location"], "/blog");
    }

    async fn session_id_is_cycled_at_login_and_logout_kills_the_old_cookie(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let first = app.login("ada", STRONG_PASSWORD).await;
        let first_id = session_cookie(&first);
        let second = app.login("ada", STRONG_PASSWORD).await;
        let second_id = session_cookie(&second);
        assert_ne!(first_id, second_id, "a new id at every login");
        assert_eq!(app.call("accounts/logout", &[]).await.status(), 200);
        let replay = crate::helpers::api_client()
            .post(app.url("/fn/accounts/current-user"))
            .header("cookie", format!("session={second_id}"))
            .send().await.unwrap();
        assert_eq!(replay.json::<Value>().await.unwrap(), Value::Null, "old cookie no longer signs in");
    }

    async fn signup_while_logged_in_is_refused(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        app.login("ada", STRONG_PASSWORD).await;
        let response = app.signup("grace", "grace@example.com", STRONG_PASSWORD).await;
        assert_eq!(response.status(), 403);
    }

    async fn per_ip_rate_limit_answers_429_with_retry_after(app: TestApp) {
        let app = TestApp::spawn_with(app.engine, &[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
        for _ in 0..3 {
            assert_eq!(app.login("nobody", "whatever").await.status(), 401);
        }
        let response = app.login("nobody", "whatever").await;
        assert_eq!(response.status(), 429);
        assert!(response.headers().contains_key("retry-after"));
    }

    async fn five_failures_lock_the_account_email_the_owner_and_the_lock_expires(app: TestApp) {
        let app = TestApp::spawn_with(app.engine, &[("LOCKOUT_DURATION_SECS", "2")]).await;
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        for _ in 0..4 {
            assert_eq!(app.login("ada", "Wrong-Password-1!").await.status(), 401);
        }
        let locked = app.login("ada", "Wrong-Password-1!").await;
        assert_eq!(locked.status(), 403);
        let message = error_of(locked).await["Forbidden"].as_str().unwrap().to_string();
        assert!(message.starts_with("This account is locked after too many failed logins."), "{message}");
        app.wait_for_mail("ada@example.com", "Your account was locked").await;
        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 403, "right password refused while locked");
        tokio::time::sleep(Duration::from_millis(2_100)).await;
        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 200, "unlocked after the lock time");
    }

    async fn parallel_wrong_guesses_lock_once_and_a_right_guess_among_them_stays_locked_out(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let guesses = (0..12).map(|i| {
            let client = new_client();
            let address = app.address.clone();
            async move {
                let password = if i == 11 { STRONG_PASSWORD.to_string() } else { format!("Wrong-Password-{i}!") };
                let form = [("login", "ada"), ("password", password.as_str())];
                call_with(&client, &address, "accounts/login", &form).await.status().as_u16()
            }
        });
        futures_join_all(guesses).await;
        let lock_mails: Vec<_> = app.mails_to("ada@example.com").await.into_iter().filter(|m| m.subject.contains("locked")).collect();
        assert_eq!(lock_mails.len(), 1, "one lock, one email");
        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 403, "still locked afterwards");
    }

    async fn login_with_control_characters_or_a_non_ascii_email_is_answered_properly(app: TestApp) {
        app.create_active_user("emile", "Émile@Example.fr", STRONG_PASSWORD).await;
        assert_eq!(app.login("a\0b", "whatever").await.status(), 401, "NUL never reaches the database");
        assert_eq!(app.login("ÉMILE@example.FR", STRONG_PASSWORD).await.status(), 200, "Unicode email matched case-insensitively");
    }

    async fn reset_link_of_a_deactivated_account_is_refused(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        app.call("accounts/forgot-password", &[("email", "ada@example.com")]).await;
        let token = app.mailed_token("ada@example.com", "/reset-password?token=").await;
        sqlx::query("UPDATE users SET active = FALSE").execute(app.db.pool()).await.unwrap();
        let new_password = "Fresh-Meadow-Kite-77?";
        let form = [("token", token.as_str()), ("password", new_password), ("password_confirm", new_password)];
        assert_eq!(app.call("accounts/reset-password", &form).await.status(), 401);
    }

    async fn every_request_of_a_signed_in_user_renews_the_idle_deadline(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        app.login("ada", STRONG_PASSWORD).await;
        let response = app.call("accounts/current-user", &[]).await;
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("session=") && cookie.contains("Max-Age="), "{cookie}");
    }

    async fn lockout_never_blocks_password_reset(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        for _ in 0..5 {
            app.login("ada", "Wrong-Password-1!").await;
        }
        assert_eq!(app.call("accounts/forgot-password", &[("email", "ada@example.com")]).await.status(), 200);
        let token = app.mailed_token("ada@example.com", "/reset-password?token=").await;
        let new_password = "Fresh-Meadow-Kite-77?";
        let form = [("token", token.as_str()), ("password", new_password), ("password_confirm", new_password)];
        assert_eq!(app.call("accounts/reset-password", &form).await.status(), 200);
        assert_eq!(app.login("ada", new_password).await.status(), 200, "reset lifts the lock");
    }

    async fn forgot_password_answers_the_same_for_known_and_unknown_addresses(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let known = app.call("accounts/forgot-password", &[("email", "ada@example.com")]).await;
        let unknown = app.call("accounts/forgot-password", &[("email", "nobody@example.com")]).await;
        assert_eq!(known.status(), unknown.status());
        assert_eq!(known.headers().get("location"), unknown.headers().get("location"));
        assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
        app.wait_for_mail("ada@example.com", "Reset your password").await;
        assert!(app.mails_to("nobody@example.com").await.is_empty());
        let bad = app.call("accounts/forgot-password", &[("email", "nope")]).await;
        assert_eq!(bad.status(), 400);
    }

    async fn reset_sets_the_new_password_once_and_revokes_sessions_and_other_links(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        app.login("ada", STRONG_PASSWORD).await;
        let other_device = new_client();
        call_with(&other_device, &app.address, "accounts/login", &[("login", "ada"), ("password", STRONG_PASSWORD)]).await;
        assert_eq!(current_user_with(&other_device, &app.address).await["username"], "ada");

        app.call("accounts/forgot-password", &[("email", "ada@example.com")]).await;
        let first = app.mailed_token("ada@example.com", "/reset-password?token=").await;
        let id = user_id(&app, "ada").await;
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1").bind(&id).fetch_one(app.db.pool()).await.unwrap();
        let second = test_tokens().issue(Purpose::Reset, &id, Some(&app::accounts::ssr::password::PasswordHash::from_stored(hash)), unix_now());
        sqlx::query("INSERT INTO account_tokens (jti, user_id, purpose, expires_at, created_at) VALUES ($1, $2, 'reset', $3, $4)")
            .bind(&second.jti).bind(&id).bind(second.expires_at).bind(unix_now()).execute(app.db.pool()).await.unwrap();

        let weak = [("token", first.as_str()), ("password", "weak"), ("password_confirm", "weak")];
        let response = app.call("accounts/reset-password", &weak).await;
        assert_eq!(response.status(), 400, "policy applies; the link survives a rejected password");
        let new_password = "Fresh-Meadow-Kite-77?";
        let good = [("token", first.as_str()), ("password", new_password), ("password_confirm", new_password)];
        let response = app.call("accounts/reset-password", &good).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["location"], "/login?reset=done");
        app.wait_for_mail("ada@example.com", "Your password was changed").await;

        assert_eq!(app.call("accounts/reset-password", &good).await.status(), 401, "a link works once");
        let other = [("token", second.token.as_str()), ("password", "Other-Canyon-Ridge-5%"), ("password_confirm", "Other-Canyon-Ridge-5%")];
        assert_eq!(app.call("accounts/reset-password", &other).await.status(), 401, "other links die with the change");
        assert_eq!(current_user_with(&other_device, &app.address).await, Value::Null, "other sessions are revoked");
        assert_eq!(app.current_user().await, Value::Null, "reset logs nobody in");
        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 401, "old password refused");
        assert_eq!(app.login("ada", new_password).await.status(), 200);
    }

    async fn reset_verifies_an_unactivated_account(app: TestApp) {
        app.signup("ada", "ada@example.com", STRONG_PASSWORD).await;
        app.call("accounts/forgot-password", &[("email", "ada@example.com")]).await;
        let token = app.mailed_token("ada@example.com", "/reset-password?token=").await;
        let new_password = "Fresh-Meadow-Kite-77?";
        let form = [("token", token.as_str()), ("password", new_password), ("password_confirm", new_password)];
        assert_eq!(app.call("accounts/reset-password", &form).await.status(), 200);
        assert_eq!(app.login("ada", new_password).await.status(), 200);
    }

    async fn change_password_needs_the_old_one_keeps_this_session_and_ends_the_others(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        app.login("ada", STRONG_PASSWORD).await;
        let other_device = new_client();
        call_with(&other_device, &app.address, "accounts/login", &[("login", "ada"), ("password", STRONG_PASSWORD)]).await;
        let new_password = "Fresh-Meadow-Kite-77?";
        let wrong = [("old_password", "nope"), ("password", new_password), ("password_confirm", new_password)];
        let error = error_of(app.call("accounts/change-password", &wrong).await).await;
        assert_eq!(fields(&error)["old_password"][0], "is not your current password");
        let form = [("old_password", STRONG_PASSWORD), ("password", new_password), ("password_confirm", new_password)];
        assert_eq!(app.call("accounts/change-password", &form).await.status(), 200);
        assert_eq!(app.current_user().await["username"], "ada", "this session continues");
        assert_eq!(current_user_with(&other_device, &app.address).await, Value::Null);
        app.wait_for_mail("ada@example.com", "Your password was changed").await;
        assert_eq!(app.login("ada", new_password).await.status(), 200);
    }

    async fn profile_update_validates_and_saves(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        assert_eq!(app.call("accounts/update-profile", &[("name", "Ada"), ("full_name", ""), ("phone_number", "")]).await.status(), 401);
        app.login("ada", STRONG_PASSWORD).await;
        let bad = app.call("accounts/update-profile", &[("name", "Al"), ("full_name", ""), ("phone_number", "call me")]).await;
        assert_eq!(bad.status(), 400);
        let error = error_of(bad).await;
        assert_eq!(fields(&error)["name"][0], "must be 3 to 32 characters (has 2)");
        assert!(fields(&error)["phone_number"][0].as_str().unwrap().starts_with("must be a phone number"));
        let ok = app.call("accounts/update-profile", &[("name", "Ada L"), ("full_name", "Ada King"), ("phone_number", "+44 20 7946 0958")]).await;
        assert_eq!(ok.status(), 200);
        let user = app.current_user().await;
        assert_eq!(user["name"], "Ada L");
        assert_eq!(user["full_name"], "Ada King");
        assert_eq!(user["phone_number"], "+44 20 7946 0958");
        assert!(user.get("password_hash").is_none());
    }

    async fn delete_account_needs_the_password_and_removes_user_settings_and_session(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        app.login("ada", STRONG_PASSWORD).await;
        assert_eq!(app.call("accounts/delete-account", &[("password", "wrong")]).await.status(), 400);
        assert_eq!(app.call("accounts/delete-account", &[("password", STRONG_PASSWORD)]).await.status(), 200);
        for table in ["users", "user_settings", "account_tokens"] {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(app.db.pool()).await.unwrap();
            assert_eq!(n, 0, "{table}");
        }
        assert_eq!(app.current_user().await, Value::Null);
        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 401);
    }

    async fn outdated_password_hash_is_upgraded_at_login(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let old = app::accounts::ssr::password::Passwords::new(
            app::accounts::ssr::password::HashParams { memory_kib: 8_192, iterations: 1, parallelism: 1 }, 1,
        ).hash(&secrecy::SecretString::from(STRONG_PASSWORD.to_string())).await.unwrap();
        sqlx::query("UPDATE users SET password_hash = $1").bind(old.as_str()).execute(app.db.pool()).await.unwrap();
        assert_eq!(app.login("ada", STRONG_PASSWORD).await.status(), 200);
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users").fetch_one(app.db.pool()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    }

    async fn oversized_bodies_are_refused_with_413_and_overlong_passwords_fail_as_bad_credentials(app: TestApp) {
        let huge = "x".repeat(300 * 1024);
        let response = app.login("ada", &huge).await;
        assert_eq!(response.status(), 413);
        let long = "x".repeat(10_000);
        let response = app.login("ada", &long).await;
        assert_eq!(response.status(), 401);
    }

    async fn server_functions_live_under_fn_clear_of_api(app: TestApp) {
        let response = app.client.post(app.url("/api/accounts/current-user")).send().await.unwrap();
        assert_eq!(response.status(), 404);
        assert_eq!(app.call("accounts/current-user", &[]).await.status(), 200);
    }

    async fn garbage_input_to_server_functions_is_a_400_not_a_500(app: TestApp) {
        let response = app.client.post(app.url("/fn/accounts/login")).header("content-type", "application/x-www-form-urlencoded")
            .body("%%%&&&==").send().await.unwrap();
        assert_eq!(response.status(), 400);
        let response = app.client.post(app.url("/fn/accounts/signup")).form(&[("username", "x")]).send().await.unwrap();
        assert_eq!(response.status(), 400);
    }
}

fn session_cookie(response: &reqwest::Response) -> String {
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie.trim_start_matches("session=").split(';').next().unwrap().to_string()
}

async fn futures_join_all<F: std::future::Future<Output = u16> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
