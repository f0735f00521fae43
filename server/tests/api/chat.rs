//! The chat: the socket protocol frame by frame with a real WebSocket client (the
//! original frames exactly as written), the conversation rules and their races, the
//! edit window, authorisation per frame, the origin check, limits, resume without loss
//! or duplicates, sockets closed on logout and deactivation, and the REST side.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{api_client, call_with, TestApp, Ws, STRONG_PASSWORD};

/// An active user and an API token for them.
async fn person(app: &TestApp, name: &str) -> (String, String) {
    app.create_active_user(name, &format!("{name}@example.com"), STRONG_PASSWORD).await;
    let token = app.api_token(name).await;
    let me: Value = api_client()
        .post(app.url("/fn/accounts/current-user"))
        .header("authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (me["id"].as_str().unwrap().to_string(), token)
}

/// A REST call with a token: status and JSON body.
async fn rest(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = api_client().request(method, app.url(path)).header("authorization", format!("Token {token}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn connect(ws: &mut Ws, room: &str) -> Value {
    ws.send(json!({"type": "connect", "room_id": room})).await;
    ws.until(|f| f["type"] == "connected" || f["type"] == "error").await
}

async fn direct(app: &TestApp, token: &str, with: &str) -> String {
    let (status, room) =
        rest(app, Method::POST, "/api/chat/conversations", token, Some(json!({"participants": [with]}))).await;
    assert_eq!(status, 201, "{room}");
    room["id"].as_str().unwrap().to_string()
}

engine_tests! {
    async fn the_original_protocol_works_frame_by_frame(app: TestApp) {
        let (ada_id, ada) = person(&app, "ada").await;
        let (_, grace) = person(&app, "grace").await;
        // Authenticated by the first frame, then the original frames exactly as written.
        let mut first = Ws::open(&app.address, "/api/chat/ws", &[]).await.unwrap();
        first.send(json!({"type": "authorization", "token": ada})).await;
        assert_eq!(first.next().await, json!({"type": "authenticated", "user_id": ada_id, "user_name": "ada"}));
        first.send(json!({"type": "connect", "user_id": ada_id, "room_id": "general"})).await;
        let connected = first.until(|f| f["type"] == "connected").await;
        assert_eq!(connected["room_id"], "general");

        let mut second = Ws::open(&app.address, "/api/ws/chat", &[]).await.unwrap();
        second.send(json!({"type": "authorization", "token": grace})).await;
        second.until(|f| f["type"] == "authenticated").await;
        connect(&mut second, "general").await;
        let joined = first.until(|f| f["type"] == "user_joined" && f["user_name"] == "grace").await;
        assert_eq!((joined["user_name"].as_str(), joined["room_id"].as_str()), (Some("grace"), Some("general")));

        second.send(json!({"type": "message", "content": "Hello", "room_id": "general"})).await;
        // The sender's ack comes once the message is stored (before it arrives on the feed).
        let ack = second.until(|f| f["type"] == "ack").await;
        assert_eq!(ack["seq"], 1);
        for socket in [&mut first, &mut second] {
            let message = socket.message().await;
            for key in ["id", "sender_id", "sender_name", "content", "room_id", "created_at", "seq"] {
                assert!(message.get(key).is_some(), "{key} in {message}");
            }
            assert_eq!((message["content"].as_str(), message["sender_name"].as_str()), (Some("Hello"), Some("grace")));
            assert_eq!(message["seq"], 1);
        }

        // A user_id that is not the authenticated user's is refused.
        first.send(json!({"type": "connect", "user_id": "someone-else", "room_id": "general"})).await;
        let error = first.until(|f| f["type"] == "error").await;
        assert!(error["error"].as_str().unwrap().contains("user_id"), "{error}");

        second.send(json!({"type": "disconnect", "user_id": null, "room_id": "general"})).await;
        assert_eq!(second.until(|f| f["type"] == "disconnected").await["room_id"], "general");
        let left = first.until(|f| f["sender_id"] == "System").await;
        assert_eq!(left["content"], "grace has left the chat");
        second.send(json!({"type": "message", "content": "Anyone?", "room_id": "general"})).await;
        assert_eq!(
            second.until(|f| f["type"] == "error").await,
            json!({"type": "error", "error": "Not connected to this room", "room_id": "general"})
        );
        second.send_text("not json".into()).await;
        assert!(second.until(|f| f["type"] == "error").await["error"].as_str().unwrap().starts_with("Could not read"));
        second.send(json!({"type": "ping"})).await;
        assert_eq!(second.until(|f| f["type"] == "pong").await, json!({"type": "pong"}));
    }

    async fn credentials_are_checked_before_the_upgrade_and_strangers_are_closed(app: TestApp) {
        let (_, ada) = person(&app, "ada").await;
        // ?token= takes an access JWT or a single-use ticket, never an API token.
        assert_eq!(Ws::open(&app.address, &format!("/api/chat/ws?token={ada}"), &[]).await.err(), Some(401));
        let access = app.access_token("ada").await;
        let mut ws = Ws::open(&app.address, &format!("/api/chat/ws?token={access}"), &[]).await.unwrap();
        assert_eq!(ws.next().await["type"], "authenticated");
        let (_, ticket) = rest(&app, Method::POST, "/api/chat/ticket", &ada, None).await;
        let ticket = ticket["ticket"].as_str().unwrap().to_string();
        let mut ws = Ws::open(&app.address, &format!("/api/chat/ws?token={ticket}"), &[]).await.unwrap();
        assert_eq!(ws.next().await["type"], "authenticated");
        assert_eq!(Ws::open(&app.address, &format!("/api/chat/ws?token={ticket}"), &[]).await.err(), Some(401), "once");
        assert_eq!(Ws::open(&app.address, "/api/chat/ws", &[("authorization", "Token cpt_forged")]).await.err(), Some(401));

        // The session cookie, from the site's own pages only.
        let cookie = app.session_cookie("ada").await;
        let evil = [("cookie", cookie.as_str()), ("origin", "http://evil.test")];
        assert_eq!(Ws::open(&app.address, "/api/chat/ws", &evil).await.err(), Some(403), "a foreign page never gets 101");
        let own = [("cookie", cookie.as_str()), ("origin", "http://app.test")];
        let mut ws = Ws::open(&app.address, "/api/chat/ws", &own).await.unwrap();
        assert_eq!(ws.next().await["type"], "authenticated");

        // Nothing but an authorization frame is served before authenticating, and a
        // socket that never authenticates is closed.
        let mut anonymous = Ws::open(&app.address, "/api/chat/ws", &[]).await.unwrap();
        anonymous.send(json!({"type": "connect", "room_id": "general"})).await;
        assert!(anonymous.next().await["error"].as_str().unwrap().starts_with("Authenticate first"));
        assert_eq!(anonymous.closed().await, Some(1008));
        let mut wrong = Ws::open(&app.address, "/api/chat/ws", &[]).await.unwrap();
        wrong.send(json!({"type": "authorization", "token": "nonsense"})).await;
        assert_eq!(wrong.closed().await, Some(1008));
    }

    async fn conversations_are_private_and_refuse_messages_nobody_would_read(app: TestApp) {
        let (_, ada) = person(&app, "ada").await;
        let (_, grace) = person(&app, "grace").await;
        let (_, eve) = person(&app, "eve").await;
        let room = direct(&app, &ada, "grace").await;
        assert_eq!(direct(&app, &grace, "ada").await, room, "one direct conversation per pair");
        // Eve is not in it: it does not exist for her, by any door.
        let (status, _) = rest(&app, Method::GET, &format!("/api/chat/rooms/{room}/messages"), &eve, None).await;
        assert_eq!(status, 404);
        let mut eve_ws = app.chat_as(&eve).await;
        assert_eq!(connect(&mut eve_ws, &room).await["type"], "error");
        let (status, _) = rest(&app, Method::POST, &format!("/api/chat/rooms/{room}/messages"), &eve, Some(json!({"content": "hi"}))).await;
        assert_eq!(status, 404);

        let mut ada_ws = app.chat_as(&ada).await;
        assert_eq!(connect(&mut ada_ws, &room).await["type"], "connected");
        let (status, sent) = rest(&app, Method::POST, &format!("/api/chat/rooms/{room}/messages"), &grace, Some(json!({"content": "Hi @ada, see https://example.com"}))).await;
        assert_eq!(status, 201, "{sent}");
        assert_eq!(ada_ws.message().await["content"], "Hi @ada, see https://example.com");

        // Grace deletes the conversation: she leaves, Ada keeps the history…
        let (status, body) = rest(&app, Method::DELETE, &format!("/api/chat/conversations/{room}"), &grace, None).await;
        assert_eq!((status, body["result"].as_str()), (200, Some("left")));
        let (_, history) = rest(&app, Method::GET, &format!("/api/chat/rooms/{room}/messages"), &ada, None).await;
        assert_eq!(history["messages"].as_array().unwrap().len(), 1);
        // …but nobody would read what Ada sends now.
        let (status, body) = rest(&app, Method::POST, &format!("/api/chat/rooms/{room}/messages"), &ada, Some(json!({"content": "Hello?"}))).await;
        assert_eq!(status, 409);
        assert!(body["message"].as_str().unwrap().contains("only one left"), "{body}");
        ada_ws.send(json!({"type": "message", "content": "Hello?", "room_id": room})).await;
        assert!(ada_ws.until(|f| f["type"] == "error").await["error"].as_str().unwrap().contains("only one left"));
        // A deactivated participant does not count either.
        let group = rest(&app, Method::POST, "/api/chat/conversations", &ada, Some(json!({"participants": ["eve"], "name": ""}))).await.1["id"].as_str().unwrap().to_string();
        sqlx::query("UPDATE users SET active = FALSE WHERE username = 'eve'").execute(app.db.pool()).await.unwrap();
        let (status, _) = rest(&app, Method::POST, &format!("/api/chat/rooms/{group}/messages"), &ada, Some(json!({"content": "Eve?"}))).await;
        assert_eq!(status, 409);
        // Ada, the last participant, deletes it: it is gone with its messages.
        let (_, body) = rest(&app, Method::DELETE, &format!("/api/chat/conversations/{room}"), &ada, None).await;
        assert_eq!(body["result"], "deleted");
        let (messages,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM chat_messages WHERE room_id = $1").bind(&room).fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(messages, 0);
    }

    async fn two_participants_deleting_at_once_leave_no_orphan(app: TestApp) {
        let (_, ada) = person(&app, "ada").await;
        let (_, grace) = person(&app, "grace").await;
        for _ in 0..4 {
            let room = direct(&app, &ada, "grace").await;
            let path = format!("/api/chat/conversations/{room}");
            let (a, b) = tokio::join!(
                rest(&app, Method::DELETE, &path, &ada, None),
                rest(&app, Method::DELETE, &path, &grace, None)
            );
            let mut results = [a.1["result"].as_str().unwrap_or("?").to_string(), b.1["result"].as_str().unwrap_or("?").to_string()];
            results.sort();
            assert_eq!(results, ["deleted", "left"], "{a:?} {b:?}");
            let (rooms,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM chat_rooms WHERE id = $1").bind(&room).fetch_one(app.db.pool()).await.unwrap();
            assert_eq!(rooms, 0, "the conversation is gone");
        }
    }

    async fn messages_can_change_for_five_hours_and_only_until_answered(app: TestApp) {
        let (_, ada) = person(&app, "ada").await;
        let (_, grace) = person(&app, "grace").await;
        let send = |token: String, content: &'static str| {
            let url = app.url("/api/chat/rooms/general/messages");
            async move {
                let response = api_client().post(url).header("authorization", format!("Token {token}")).json(&json!({"content": content})).send().await.unwrap();
                assert_eq!(response.status(), 201);
                response.json::<Value>().await.unwrap()
            }
        };
        let mut watcher = app.chat_as(&grace).await;
        connect(&mut watcher, "general").await;
        let first = send(ada.clone(), "Frist").await;
        let id = first["id"].as_str().unwrap();
        let (status, edited) = rest(&app, Method::PATCH, &format!("/api/chat/messages/{id}"), &ada, Some(json!({"content": "First"}))).await;
        assert_eq!(status, 200);
        assert!(edited["edited_at"].is_string());
        let event = watcher.until(|f| f["type"] == "message_edited").await;
        assert_eq!((event["content"].as_str(), event["message_seq"].as_i64()), (Some("First"), Some(1)));
        // Someone else may not touch it.
        let (status, _) = rest(&app, Method::PATCH, &format!("/api/chat/messages/{id}"), &grace, Some(json!({"content": "mine"}))).await;
        assert_eq!(status, 403);
        // An answer freezes it.
        send(grace.clone(), "Reply").await;
        let (status, body) = rest(&app, Method::PATCH, &format!("/api/chat/messages/{id}"), &ada, Some(json!({"content": "again"}))).await;
        assert_eq!(status, 409);
        assert!(body["message"].as_str().unwrap().contains("answered"), "{body}");
        // Five hours later, too.
        let old = send(ada.clone(), "Old news").await;
        let old_id = old["id"].as_str().unwrap();
        sqlx::query("UPDATE chat_messages SET created_at_ms = created_at_ms - 5 * 3600 * 1000 - 1 WHERE id = $1").bind(old_id).execute(app.db.pool()).await.unwrap();
        let (status, body) = rest(&app, Method::DELETE, &format!("/api/chat/messages/{old_id}"), &ada, None).await;
        assert_eq!(status, 409, "{body}");
        // Deleting in time leaves a stub.
        let oops = send(ada.clone(), "Oops").await;
        let oops_id = oops["id"].as_str().unwrap();
        let (status, stub) = rest(&app, Method::DELETE, &format!("/api/chat/messages/{oops_id}"), &ada, None).await;
        assert_eq!((status, stub["deleted"].as_bool(), stub["content"].as_str()), (200, Some(true), Some("")));
        assert_eq!(watcher.until(|f| f["type"] == "message_deleted").await["id"], oops_id);
        // An admin may delete any message in a room.
        sqlx::query("UPDATE users SET role = 'admin' WHERE username = 'grace'").execute(app.db.pool()).await.unwrap();
        let (status, _) = rest(&app, Method::DELETE, &format!("/api/chat/messages/{old_id}"), &grace, None).await;
        assert_eq!(status, 200);
        let (_, history) = rest(&app, Method::GET, "/api/chat/rooms/general/messages", &ada, None).await;
        let deleted: Vec<bool> = history["messages"].as_array().unwrap().iter().map(|m| m["deleted"].as_bool().unwrap()).collect();
        assert_eq!(deleted, [false, false, true, true]);
    }

    async fn an_edit_racing_a_reply_never_lands_after_it(app: TestApp) {
        let (_, ada) = person(&app, "ada").await;
        let (_, grace) = person(&app, "grace").await;
        for round in 0..6 {
            let (_, mine) = rest(&app, Method::POST, "/api/chat/rooms/general/messages", &ada, Some(json!({"content": format!("Round {round}")}))).await;
            let id = mine["id"].as_str().unwrap().to_string();
            let edit_path = format!("/api/chat/messages/{id}");
            let (edit, reply) = tokio::join!(
                rest(&app, Method::PATCH, &edit_path, &ada, Some(json!({"content": "edited"}))),
                rest(&app, Method::POST, "/api/chat/rooms/general/messages", &grace, Some(json!({"content": "reply"})))
            );
            assert_eq!(reply.0, 201);
            if edit.0 == 200 {
                // The edit's event came before the reply.
                assert!(edit.1["event_seq"].as_i64().unwrap() < reply.1["seq"].as_i64().unwrap(), "{edit:?} {reply:?}");
            } else {
                assert_eq!(edit.0, 409, "{edit:?}");
            }
        }
    }

    async fn a_dropped_client_resumes_without_loss_or_duplicates(app: TestApp) {
        let (_, ada) = person(&app, "ada").await;
        let (_, grace) = person(&app, "grace").await;
        let mut reader = app.chat_as(&grace).await;
        connect(&mut reader, "general").await;
        let send = |n: usize| rest(&app, Method::POST, "/api/chat/rooms/general/messages", &ada, Some(json!({"content": format!("m{n}")})));
        send(1).await;
        let last = reader.message().await["seq"].as_i64().unwrap();
        drop(reader);
        for n in 2..=5 {
            send(n).await;
        }
        // An edit of a message the reader had already seen is replayed too.
        let (_, history) = rest(&app, Method::GET, "/api/chat/rooms/general/messages", &ada, None).await;
        let m1 = history["messages"][0]["id"].as_str().unwrap().to_string();
        let (status, _) = rest(&app, Method::PATCH, &format!("/api/chat/messages/{m1}"), &ada, Some(json!({"content": "m1, edited"}))).await;
        assert_eq!(status, 200);
        let mut reader = app.chat_as(&grace).await;
        reader.send(json!({"type": "connect", "room_id": "general", "after_seq": last})).await;
        let frames = reader.drain(Duration::from_millis(700)).await;
        let contents: Vec<&str> = frames.iter().filter(|f| f.get("type").is_none()).filter_map(|f| f["content"].as_str()).collect();
        assert_eq!(contents, ["m2", "m3", "m4", "m5"], "{frames:?}");
        let edits: Vec<&Value> = frames.iter().filter(|f| f["type"] == "message_edited").collect();
        assert_eq!(edits.len(), 1, "{frames:?}");
        assert_eq!((edits[0]["id"].as_str(), edits[0]["content"].as_str()), (Some(m1.as_str()), Some("m1, edited")));
        assert!(frames.iter().any(|f| f["type"] == "connected"));
        // Live again: a new message arrives once.
        send(6).await;
        assert_eq!(reader.message().await["content"], "m6");
        assert!(reader.drain(Duration::from_millis(300)).await.iter().all(|f| f["content"] != "m6"));
    }

    async fn limits_hold_rate_size_and_sockets_per_user(app: TestApp) {
        let app = TestApp::spawn_with(app.engine, &[("CHAT_MESSAGES_PER_SECOND", "1"), ("CHAT_BURST", "2"), ("CHAT_MAX_SOCKETS_PER_USER", "2")]).await;
        let (_, ada) = person(&app, "ada").await;
        let mut ws = app.chat_as(&ada).await;
        connect(&mut ws, "general").await;
        for n in 0..3 {
            ws.send(json!({"type": "message", "content": format!("fast {n}"), "room_id": "general"})).await;
        }
        let error = ws.until(|f| f["type"] == "error").await;
        assert!(error["error"].as_str().unwrap().contains("too fast"), "{error}");
        for n in 0..6 {
            ws.send(json!({"type": "message", "content": format!("faster {n}"), "room_id": "general"})).await;
        }
        assert_eq!(ws.closed().await, Some(1008), "persisting is closed with 1008");

        let mut big = app.chat_as(&ada).await;
        connect(&mut big, "general").await;
        let huge = json!({"type": "message", "content": "x".repeat(20_000), "room_id": "general"}).to_string();
        big.send_text(huge).await;
        big.closed().await; // an oversized frame ends the connection
        drop(big);
        let mut one = app.chat_as(&ada).await;
        connect(&mut one, "general").await;
        let _two = app.chat_as(&ada).await;
        let mut three = Ws::open(&app.address, "/api/chat/ws", &[("authorization", &format!("Token {ada}"))]).await.unwrap();
        assert!(three.next().await["error"].as_str().unwrap().contains("too many chat connections"));
        assert_eq!(three.closed().await, Some(1008));
        one.send(json!({"type": "message", "content": "x".repeat(4_001), "room_id": "general"})).await;
        let error = one.until(|f| f["type"] == "error").await;
        assert!(error["error"].as_str().unwrap().contains("4000"), "the rule is named: {error}");
    }

    async fn logout_password_change_and_deactivation_close_sockets(app: TestApp) {
        let (_, ada) = person(&app, "ada").await;
        let cookie = app.session_cookie("ada").await;
        let browser = [("cookie", cookie.as_str()), ("origin", "http://app.test")];
        let mut in_browser = Ws::open(&app.address, "/api/chat/ws", &browser).await.unwrap();
        in_browser.next().await;
        let mut script = app.chat_as(&ada).await;
        // Logging out of that browser closes its socket, not the script's.
        let response = api_client().post(app.url("/fn/accounts/logout")).header("cookie", &cookie).header("accept", "application/json").send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(in_browser.closed().await, Some(1008));
        script.send(json!({"type": "ping"})).await;
        assert_eq!(script.until(|f| f["type"] == "pong").await["type"], "pong");
        // Deactivation closes everything.
        let admin = app.create_admin().await;
        let id: (String,) = sqlx::query_as("SELECT id FROM users WHERE username = 'ada'").fetch_one(app.db.pool()).await.unwrap();
        let response = api_client().put(app.url(&format!("/api/users/{}", id.0))).bearer_auth(&admin).json(&json!({"active": false})).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(script.closed().await, Some(1008));
    }

    async fn archived_rooms_are_read_only_and_only_admins_manage_rooms(app: TestApp) {
        let (_, ada) = person(&app, "ada").await;
        let (status, _) = rest(&app, Method::POST, "/api/chat/rooms", &ada, Some(json!({"name": "Rust"}))).await;
        assert_eq!(status, 403);
        let admin = app.create_admin().await;
        let created = api_client().post(app.url("/api/chat/rooms")).bearer_auth(&admin).json(&json!({"name": "Rust"})).send().await.unwrap();
        assert_eq!(created.status(), 201);
        let room: Value = created.json().await.unwrap();
        assert_eq!(room["id"], "rust");
        let archived = api_client().patch(app.url("/api/chat/rooms/rust")).bearer_auth(&admin).json(&json!({"archived": true, "name": "Rust (old)"})).send().await.unwrap();
        let archived: Value = archived.json().await.unwrap();
        assert_eq!((archived["archived"].as_bool(), archived["name"].as_str()), (Some(true), Some("Rust (old)")));
        let (status, _) = rest(&app, Method::POST, "/api/chat/rooms/rust/messages", &ada, Some(json!({"content": "hi"}))).await;
        assert_eq!(status, 403);
        let (status, _) = rest(&app, Method::GET, "/api/chat/rooms/rust/messages", &ada, None).await;
        assert_eq!(status, 200, "still readable");
        let (_, rooms) = rest(&app, Method::GET, "/api/chat/rooms", &ada, None).await;
        let names: Vec<&str> = rooms.as_array().unwrap().iter().filter_map(|r| r["name"].as_str()).collect();
        assert!(names.contains(&"General") && names.contains(&"Rust (old)"), "{names:?}");
    }

    async fn history_pages_and_unread_counts(app: TestApp) {
        let (_, ada) = person(&app, "ada").await;
        let (_, grace) = person(&app, "grace").await;
        let mut ws = app.chat_as(&grace).await;
        connect(&mut ws, "general").await;
        for n in 1..=7 {
            rest(&app, Method::POST, "/api/chat/rooms/general/messages", &ada, Some(json!({"content": format!("n{n}")}))).await;
        }
        let (_, rooms) = rest(&app, Method::GET, "/api/chat/rooms", &grace, None).await;
        assert_eq!(rooms[0]["unread"], 7);
        let (_, page) = rest(&app, Method::GET, "/api/chat/rooms/general/messages?limit=3", &grace, None).await;
        let seqs: Vec<i64> = page["messages"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect();
        assert_eq!((seqs, page["has_older"].as_bool()), (vec![5, 6, 7], Some(true)));
        let (_, older) = rest(&app, Method::GET, "/api/chat/rooms/general/messages?before=5&limit=10", &grace, None).await;
        assert_eq!(older["messages"].as_array().unwrap().len(), 4);
        assert_eq!(older["has_older"], false);
        let (_, newer) = rest(&app, Method::GET, "/api/chat/rooms/general/messages?after=5", &grace, None).await;
        assert_eq!(newer["messages"].as_array().unwrap().len(), 2);
        for bad in ["?limit=0", "?limit=201", "?before=x", "?before=3&after=1"] {
            let (status, body) = rest(&app, Method::GET, &format!("/api/chat/rooms/general/messages{bad}"), &grace, None).await;
            assert_eq!(status, 400, "{bad}: {body}");
        }
        ws.send(json!({"type": "read", "room_id": "general", "seq": 5})).await;
        let unread = ws.until(|f| f["type"] == "unread").await;
        assert_eq!((unread["unread"].as_i64(), unread["last_read_seq"].as_i64()), (Some(2), Some(5)));
        let (status, _) = rest(&app, Method::GET, "/api/chat/rooms/nope/messages", &grace, None).await;
        assert_eq!(status, 404);
    }

    async fn participants_hear_of_a_new_conversation_and_others_do_not(app: TestApp) {
        let (_, ada) = person(&app, "ada").await;
        let (_, grace) = person(&app, "grace").await;
        let (_, eve) = person(&app, "eve").await;
        let mut grace_ws = app.chat_as(&grace).await;
        let mut eve_ws = app.chat_as(&eve).await;
        let room = direct(&app, &ada, "grace").await;
        let notice = grace_ws.until(|f| f["type"] == "rooms_changed").await;
        assert_eq!(notice["room_id"], room.as_str());
        eve_ws.send(json!({"type": "ping"})).await;
        let next = eve_ws.until(|f| f["type"] == "pong" || f["type"] == "rooms_changed").await;
        assert_eq!(next["type"], "pong", "a stranger hears nothing of it");
        // The private feeds are not rooms: a client cannot post, type or leave there.
        for frame in [
            json!({"type": "typing", "room_id": "@everyone"}),
            json!({"type": "disconnect", "room_id": "@everyone"}),
            json!({"type": "message", "room_id": "@everyone", "content": "hi"}),
        ] {
            eve_ws.send(frame).await;
            assert_eq!(eve_ws.until(|f| f["type"] == "error").await["error"], "Not connected to this room");
        }
        // Once Grace leaves, Ada's side of the list says nobody would read her.
        rest(&app, Method::DELETE, &format!("/api/chat/conversations/{room}"), &grace, None).await;
        let (_, rooms) = rest(&app, Method::GET, "/api/chat/rooms", &ada, None).await;
        let listed = rooms.as_array().unwrap().iter().find(|r| r["id"] == room.as_str()).cloned().unwrap();
        assert_eq!(listed["alone"], true, "{listed}");
    }

    async fn the_chat_page_works_without_javascript(app: TestApp) {
        app.create_active_user("ada", "ada@example.com", STRONG_PASSWORD).await;
        let browser = crate::helpers::new_client();
        call_with(&browser, &app.address, "accounts/login", &[("login", "ada"), ("password", STRONG_PASSWORD)]).await;
        let sent = browser
            .post(app.url("/fn/chat/send"))
            .header("accept", "text/html")
            .header("referer", "http://app.test/chat?room=general")
            .form(&[("room_id", "general"), ("content", "Posted from a plain form")])
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 302);
        let page = browser.get(app.url("/chat?room=general")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Posted from a plain form"), "the latest messages are in the first HTML");
        assert!(page.contains("General"));
        assert!(page.contains(r#"action="/fn/chat/send""#), "the composer is a plain form");
        // An empty message is refused with the rule, and the page says so.
        let refused = browser
            .post(app.url("/fn/chat/send"))
            .header("accept", "text/html")
            .header("referer", "http://app.test/chat?room=general")
            .form(&[("room_id", "general"), ("content", "   ")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 302);
        let back = refused.headers()["location"].to_str().unwrap().to_string();
        let back = back.trim_start_matches("http://app.test");
        let page = browser.get(app.url(back)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("The message is required."), "{back}");
        let anonymous = crate::helpers::new_client().get(app.url("/chat")).send().await.unwrap();
        assert_eq!(anonymous.status(), 200);
        assert!(anonymous.text().await.unwrap().contains("Log in to chat"), "signed-out visitors are invited to log in");
    }
}

#[tokio::test]
async fn two_processes_deliver_each_message_once_in_order_even_when_the_listener_is_cut() {
    crate::helpers::within_limit(async {
        let app = TestApp::spawn(crate::helpers::Engine::Postgres).await;
        let peer = app.spawn_peer().await;
        let (_, ada) = person(&app, "ada").await;
        let (_, grace) = person(&app, "grace").await;
        // Grace listens on this process; Ada writes through the other one.
        let mut reader = app.chat_as(&grace).await;
        connect(&mut reader, "general").await;
        let peer_send = |n: usize| {
            let url = format!("{}/api/chat/rooms/general/messages", peer.address);
            let token = ada.clone();
            async move {
                let response = api_client()
                    .post(url)
                    .header("authorization", format!("Token {token}"))
                    .json(&json!({"content": format!("p{n}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
            }
        };
        for n in 1..=20 {
            peer_send(n).await;
        }
        let mut got = Vec::new();
        while got.len() < 20 {
            got.push(reader.message().await["seq"].as_i64().unwrap());
        }
        assert_eq!(got, (1..=20).collect::<Vec<i64>>(), "in order, exactly once");

        // Cut this process's listening connection; messages sent meanwhile still arrive.
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .execute(app.db.pool())
        .await
        .unwrap();
        for n in 21..=40 {
            peer_send(n).await;
        }
        while got.len() < 40 {
            got.push(reader.message().await["seq"].as_i64().unwrap());
        }
        assert_eq!(got, (1..=40).collect::<Vec<i64>>(), "nothing lost across the reconnect");
        assert!(
            reader
                .drain(Duration::from_millis(800))
                .await
                .iter()
                .all(|f| f.get("seq").is_none() || f.get("type").is_some()),
            "no duplicates"
        );
    })
    .await
}
