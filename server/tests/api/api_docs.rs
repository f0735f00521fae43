//! `/api/openapi.json` and `/docs/api`: the description covers the whole API, matches
//! what the router serves, resolves, and its examples work; the page shows all of it.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

/// Everything the API offers (issue 4, the blog's RealWorld API of issue 9 and the
/// chat of issue 10, the uploads of issue 12), which the description must list.
const API: [(&str, &str); 58] = [
    ("POST", "/api/auth/token"),
    ("DELETE", "/api/auth/token"),
    ("POST", "/api/auth/generate-token"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/validate-token"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/register"),
    ("PUT", "/api/auth/update-password"),
    ("PUT", "/api/auth/update-info"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/users"),
    ("GET", "/api/users"),
    ("GET", "/api/users/role/{role}"),
    ("GET", "/api/users/statistics"),
    ("GET", "/api/users/{id}"),
    ("PUT", "/api/users/{id}"),
    ("DELETE", "/api/users/{id}"),
    ("POST", "/conduit/api/users"),
    ("POST", "/conduit/api/users/login"),
    ("GET", "/conduit/api/user"),
    ("PUT", "/conduit/api/user"),
    ("GET", "/conduit/api/profiles/{username}"),
    ("POST", "/conduit/api/profiles/{username}/follow"),
    ("DELETE", "/conduit/api/profiles/{username}/follow"),
    ("GET", "/conduit/api/articles"),
    ("POST", "/conduit/api/articles"),
    ("GET", "/conduit/api/articles/feed"),
    ("GET", "/conduit/api/articles/bookmarks"),
    ("GET", "/conduit/api/articles/drafts"),
    ("GET", "/conduit/api/articles/search"),
    ("GET", "/conduit/api/articles/{slug}"),
    ("PUT", "/conduit/api/articles/{slug}"),
    ("DELETE", "/conduit/api/articles/{slug}"),
    ("POST", "/conduit/api/articles/{slug}/favorite"),
    ("DELETE", "/conduit/api/articles/{slug}/favorite"),
    ("POST", "/conduit/api/articles/{slug}/bookmark"),
    ("DELETE", "/conduit/api/articles/{slug}/bookmark"),
    ("GET", "/conduit/api/articles/{slug}/comments"),
    ("POST", "/conduit/api/articles/{slug}/comments"),
    ("DELETE", "/conduit/api/articles/{slug}/comments/{id}"),
    ("GET", "/conduit/api/tags"),
    ("GET", "/api/chat/ws"),
    ("GET", "/api/chat/rooms"),
    ("POST", "/api/chat/rooms"),
    ("PATCH", "/api/chat/rooms/{room_id}"),
    ("GET", "/api/chat/rooms/{room_id}/messages"),
    ("POST", "/api/chat/rooms/{room_id}/messages"),
    ("GET", "/api/chat/conversations"),
    ("POST", "/api/chat/conversations"),
    ("DELETE", "/api/chat/conversations/{room_id}"),
    ("POST", "/api/chat/conversations/{room_id}/leave"),
    ("PATCH", "/api/chat/messages/{id}"),
    ("DELETE", "/api/chat/messages/{id}"),
    ("POST", "/api/chat/ticket"),
    ("POST", "/api/uploads"),
    ("GET", "/api/uploads"),
    ("DELETE", "/api/uploads/{id}"),
    // Listed here so the count is exact: the description does not describe itself.
    ("GET", "/api/openapi.json"),
];

/// Every `$ref` in `value`, with where it was found.
fn references(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "$ref" {
                    found.push((at.to_string(), inner.as_str().unwrap_or_default().to_string()));
                } else {
                    references(inner, &format!("{at}/{key}"), found);
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                references(inner, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_description_is_openapi_3_and_lists_every_api_route() {
    let app = TestApp::spawn(crate::helpers::Engine::Sqlite).await;
    let spec = app.openapi().await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."), "{}", spec["openapi"]);
    assert_eq!(spec["info"]["title"], "Commonplace API");
    assert_eq!(spec["servers"][0]["url"], app.vars["PUBLIC_URL"].as_str(), "the server is the public URL");
    let described: Vec<(String, String)> =
        app.api_operations().await.into_iter().map(|op| (op.method.to_string(), op.path)).collect();
    for (method, path) in API.iter().filter(|(_, path)| *path != "/api/openapi.json") {
        assert!(described.contains(&(method.to_string(), path.to_string())), "{method} {path} is not described");
    }
    assert_eq!(described.len(), API.len() - 1, "described but not in the issue's list: {described:?}");
}

#[tokio::test]
async fn every_described_operation_is_served_and_answers_only_documented_statuses() {
    let app = TestApp::spawn(crate::helpers::Engine::Sqlite).await;
    let client = crate::helpers::api_client();
    for op in app.api_operations().await {
        // Anonymous and with an empty body: each route refuses with its own error.
        let mut request = client.request(op.method.clone(), app.url(&op.path_with("admin")));
        if op.operation.get("requestBody").is_some() {
            request = request.json(&json!({}));
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16().to_string();
        let text = response.text().await.unwrap();
        let label = format!("{} {}", op.method, op.path);
        assert!(op.operation["responses"].get(&status).is_some(), "{label} answered {status}, not documented: {text}");
        if status.starts_with('2') {
            continue; // public reads answer anonymously
        }
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{label}: not JSON: {text}"));
        if op.path.starts_with("/conduit/api") {
            // The RealWorld spec's own error shape.
            assert!(body["errors"].as_object().is_some_and(|e| !e.is_empty()), "{label}: {body}");
            assert_ne!(body["errors"]["path"][0], "not found", "{label} is described but not routed");
        } else {
            assert_ne!(body["message"], "There is no such API endpoint.", "{label} is described but not routed");
            assert_eq!(body["error"], true, "{label}: {body}");
        }
    }
    // And what is not described is not served.
    let response = client.get(app.url("/api/auth/whoami")).send().await.unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn every_reference_and_credential_in_the_description_resolves() {
    let app = TestApp::spawn(crate::helpers::Engine::Sqlite).await;
    let spec = app.openapi().await;
    let mut found = Vec::new();
    references(&spec, "", &mut found);
    assert!(found.len() > 20, "{found:?}");
    for (at, reference) in found {
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("{at}: external reference {reference}"));
        assert!(spec.pointer(pointer).is_some(), "{at}: {reference} does not resolve");
    }
    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    let mut names: Vec<_> = schemes.keys().collect();
    names.sort();
    assert_eq!(names, ["bearer", "session", "token"]);
    for op in app.api_operations().await {
        let label = format!("{} {}", op.method, op.path);
        assert!(!op.operation["summary"].as_str().unwrap_or_default().is_empty(), "{label} has no summary");
        for requirement in op.operation["security"].as_array().into_iter().flatten() {
            for key in requirement.as_object().unwrap().keys() {
                assert!(schemes.contains_key(key), "{label}: unknown credential {key}");
            }
        }
    }
}

#[tokio::test]
async fn the_documented_examples_are_accepted() {
    let app = TestApp::spawn(crate::helpers::Engine::Sqlite).await;
    let spec = app.openapi().await;
    let example = |name: &str| spec["components"]["schemas"][name]["example"].clone();
    let client = crate::helpers::api_client();

    let registered = client.post(app.url("/api/auth/register")).json(&example("Register")).send().await.unwrap();
    assert_eq!(registered.status(), 200, "{}", registered.text().await.unwrap());

    let admin = app.create_admin().await;
    let created = client
        .request(Method::POST, app.url("/api/users"))
        .bearer_auth(&admin)
        .json(&example("CreateUser"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let changed = client
        .request(Method::PUT, app.url(&format!("/api/users/{}", created["id"].as_str().unwrap())))
        .bearer_auth(&admin)
        .json(&example("UserChanges"))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap());

    // The created user can log in with the token examples' shapes.
    let user = example("CreateUser");
    let pair = client
        .post(app.url("/api/auth/generate-token"))
        .json(&json!({"username": user["username"], "password": user["password"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(pair.status(), 200);
}

#[tokio::test]
async fn the_docs_page_shows_every_endpoint_and_type_without_javascript() {
    let app = TestApp::spawn(crate::helpers::Engine::Sqlite).await;
    let response = app.get("/docs/api").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>API reference · Commonplace</title>"), "{html}");
    assert!(html.contains(r#"href="/api/openapi.json""#));
    for op in app.api_operations().await {
        let anchor = app::docs::model::slug(&format!("{} {}", op.method, op.path));
        assert!(html.contains(&format!(r#"id="{anchor}""#)), "no section for {} {}", op.method, op.path);
        assert!(html.contains(&format!("<code class=\"endpoint__path\">{}</code>", op.path)), "{}", op.path);
    }
    let spec = app.openapi().await;
    for name in spec["components"]["schemas"].as_object().unwrap().keys() {
        assert!(html.contains(&format!(r#"id="type-{name}""#)), "type {name} is not shown");
    }
    for text in ["Authentication", "JWT access token", "API token", "Session cookie", "Example request"] {
        assert!(html.contains(text), "{text}");
    }
    assert!(!html.contains("Loading…"), "the content is rendered on the server");
}
