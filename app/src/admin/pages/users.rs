use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use crate::{
    accounts::{components::use_auth, Role},
    admin::{
        api::{get_user_statistics, list_users, DeleteUser, SetUserActive, SetUserRole},
        model::{ManagedUser, UserFilter, MAX_SEARCH},
    },
};

const PAGE: i64 = 20;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Title text="Users"/>
        <Meta name="description" content="Manage the site's users."/>
        <Meta name="robots" content="noindex"/>
        <Suspense>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) if user.role == Role::Admin => view! { <UserAdmin/> }.into_any(),
                    Ok(Some(_)) => view! {
                        <section class="page page--narrow">
                            <h1>"Administrators only"</h1>
                            <p>"Your account cannot manage users."</p>
                        </section>
                    }.into_any(),
                    _ => view! { <leptos_router::components::Redirect path="/login?next=/admin/users"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserAdmin() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        UserFilter {
            role: q.get("role").as_deref().and_then(Role::parse),
            active: match q.get("status").as_deref() {
                Some("active") => Some(true),
                Some("inactive") => Some(false),
                _ => None,
            },
            q: q.get("q").filter(|s| !s.trim().is_empty()),
        }
    };
    let offset = move || query.read().get("offset").and_then(|o| o.parse::<i64>().ok()).unwrap_or(0).max(0);
    let set_role = ServerAction::<SetUserRole>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let changes = move || (set_role.version().get(), set_active.version().get(), delete.version().get());
    let page = Resource::new(move || (filter(), offset(), changes()), |(filter, offset, _)| list_users(filter, offset));
    let stats = Resource::new(changes, |_| get_user_statistics());
    let failure = move || {
        [set_role.value().get(), set_active.value().get()]
            .into_iter()
            .flatten()
            .find_map(|r| r.err())
            .or_else(|| delete.value().get().and_then(Result::err))
            .map(|e| e.to_string())
    };
    let link = move |new_offset: i64| {
        let q = query.read();
        let mut params = vec![format!("offset={new_offset}")];
        for key in ["q", "role", "status"] {
            if let Some(value) = q.get(key) {
                params.push(format!("{key}={}", urlencode(&value)));
            }
        }
        format!("/admin/users?{}", params.join("&"))
    };

    view! {
        <div class="admin">
            <h1>"Users"</h1>
            <Transition>
                {move || Suspend::new(async move {
                    stats.await.ok().map(|s| view! {
                        <dl class="stats" aria-label="User statistics">
                            <div><dt>"Total"</dt><dd>{s.total}</dd></div>
                            <div><dt>"Clients"</dt><dd>{s.clients}</dd></div>
                            <div><dt>"Trainers"</dt><dd>{s.trainers}</dd></div>
                            <div><dt>"Admins"</dt><dd>{s.admins}</dd></div>
                            <div><dt>"Inactive"</dt><dd>{s.inactive}</dd></div>
                            <div><dt>"Unverified"</dt><dd>{s.unverified}</dd></div>
                        </dl>
                    })
                })}
            </Transition>
            <form method="get" action="/admin/users" class="filters" role="search">
                <label>"Search" <input type="search" name="q" maxlength=MAX_SEARCH value=move || query.read().get("q").unwrap_or_default()/></label>
                <label>"Role"
                    <select name="role">
                        <option value="">"Any"</option>
                        {["client", "trainer", "admin"].map(|r| view! {
                            <option value=r selected=move || query.read().get("role").as_deref() == Some(r)>{r}</option>
                        })}
                    </select>
                </label>
                <label>"Status"
                    <select name="status">
                        <option value="">"Any"</option>
                        <option value="active" selected=move || query.read().get("status").as_deref() == Some("active")>"Active"</option>
                        <option value="inactive" selected=move || query.read().get("status").as_deref() == Some("inactive")>"Inactive"</option>
                    </select>
                </label>
                <button type="submit" class="button button--small">"Filter"</button>
            </form>
            {move || failure().map(|message| view! { <div class="alert alert--error" role="alert"><p>{message}</p></div> })}
            <Transition fallback=|| view! { <p>"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => {
                            let (total, offset_now) = (page.total, page.offset);
                            view! {
                                <p class="admin__count">{format!("{total} user{}", if total == 1 { "" } else { "s" })}</p>
                                <table class="tokens users">
                                    <thead><tr>
                                        <th scope="col">"User"</th><th scope="col">"Role"</th>
                                        <th scope="col">"Status"</th><th scope="col">"Actions"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.users.into_iter().map(|user| view! { <UserRow user set_role set_active delete/> }).collect_view()}
                                    </tbody>
                                </table>
                                <nav class="pager" aria-label="Pages">
                                    {(offset_now > 0).then(|| view! { <a href=link((offset_now - PAGE).max(0))>"← Previous"</a> })}
                                    {(offset_now + PAGE < total).then(|| view! { <a href=link(offset_now + PAGE)>"Next →"</a> })}
                                </nav>
                            }.into_any()
                        }
                        Err(error) => view! { <ListError error/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// Why the list could not be shown, with each bad filter named as the form labels it.
#[component]
fn ListError(error: crate::error::AppError) -> impl IntoView {
    let fields = error.field_errors();
    let summary = if fields.is_empty() { error.to_string() } else { "These filters cannot be used:".to_string() };
    let problems = fields
        .0
        .into_iter()
        .flat_map(|(field, messages)| {
            let label = match field.as_str() {
                "q" => "Search".to_string(),
                "role" => "Role".to_string(),
                other => other.to_string(),
            };
            messages.into_iter().map(move |message| view! { <li>{format!("{label} {message}.")}</li> })
        })
        .collect_view();
    view! {
        <div class="alert alert--error" role="alert">
            <p>{summary}</p>
            <ul>{problems}</ul>
        </div>
    }
}

#[component]
fn UserRow(
    user: ManagedUser,
    set_role: ServerAction<SetUserRole>,
    set_active: ServerAction<SetUserActive>,
    delete: ServerAction<DeleteUser>,
) -> impl IntoView {
    let role = user.profile.role;
    let active = user.active;
    let name = user.profile.username.clone();
    let (role_label, save_label) = (format!("Role of {name}"), format!("Save role of {name}"));
    let toggle_label = format!("{} {name}", if active { "Deactivate" } else { "Activate" });
    let delete_label = format!("Delete {name}");
    let (id_role, id_active, id_delete) = (user.profile.id.clone(), user.profile.id.clone(), user.profile.id.clone());
    view! {
        <tr data-user=name.clone()>
            <td>
                <strong>{name.clone()}</strong><br/>
                <span class="muted">{user.profile.email.clone()}</span>
                {(!user.email_verified).then(|| view! { <span class="badge">"unverified"</span> })}
            </td>
            <td>
                <ActionForm action=set_role attr:class="inline-form">
                    <input type="hidden" name="id" value=id_role/>
                    <select name="role" aria-label=role_label>
                        {[Role::Client, Role::Trainer, Role::Admin].map(|r| view! {
                            <option value=r.as_str() selected=r == role>{r.as_str()}</option>
                        })}
                    </select>
                    <button type="submit" class="button button--small button--ghost" aria-label=save_label>"Save"</button>
                </ActionForm>
            </td>
            <td>{if active { "active" } else { "inactive" }}</td>
            <td><div class="users__actions">
                <ActionForm action=set_active attr:class="inline-form">
                    <input type="hidden" name="id" value=id_active/>
                    <input type="hidden" name="active" value=(!active).to_string()/>
                    <button type="submit" class="button button--small button--ghost">{toggle_label}</button>
                </ActionForm>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="id" value=id_delete/>
                    <label class="confirm"><input type="checkbox" name="confirm" value="yes"/>" confirm"</label>
                    <button type="submit" class="button button--small button--danger">{delete_label}</button>
                </ActionForm>
            </div></td>
        </tr>
    }
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
