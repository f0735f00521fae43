//! `/docs/api`: the JSON API for people. Rendered on the server from the same OpenAPI
//! description `/api/openapi.json` serves, so it cannot drift from the code.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use super::{
    api::get_api_reference,
    model::{
        slug, ApiReference, Body, Credential, Endpoint, Field, NamedType, Response, Section, TypeRef, OPENAPI_PATH,
    },
};

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let reference = Resource::new(|| (), |_| get_api_reference());
    view! {
        <Title text="API reference"/>
        <Meta
            name="description"
            content="The JSON API: log in with API tokens or JWTs, manage your account and users."
        />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match reference.await {
                    Ok(reference) => view! { <Reference reference/> }.into_any(),
                    Err(error) => view! {
                        <div class="alert alert--error"><p>{error.to_string()}</p></div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Reference(reference: ApiReference) -> impl IntoView {
    let ApiReference { title, version, description, base_url, credentials, sections, types } = reference;
    let contents = sections
        .iter()
        .map(|section| {
            let links = section
                .endpoints
                .iter()
                .map(|endpoint| {
                    view! {
                        <li>
                            <a href=format!("#{}", endpoint.anchor)>
                                <MethodBadge method=endpoint.method.clone()/>
                                <code>{endpoint.path.clone()}</code>
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <li>
                    <a href=format!("#{}", slug(&section.name))>{section.name.clone()}</a>
                    <ul>{links}</ul>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="api-docs">
            <nav class="api-docs__toc" aria-label="API contents">
                <ul>
                    <li><a href="#authentication">"Authentication"</a></li>
                    {contents}
                    <li><a href="#types">"Types"</a></li>
                </ul>
            </nav>
            <div class="api-docs__body">
                <header class="api-docs__header">
                    <h1>{title}</h1>
                    <p class="api-docs__meta">
                        "Version " {version} " · Base URL " <code>{base_url}</code> " · "
                        <a href=OPENAPI_PATH rel="alternate" type="application/json">"OpenAPI 3 description (JSON)"</a>
                    </p>
                    <Prose text=description/>
                </header>
                <Credentials credentials/>
                {sections.into_iter().map(|section| view! { <SectionView section/> }).collect_view()}
                <section class="api-docs__section" id="types" aria-labelledby="types-title">
                    <h2 id="types-title">"Types"</h2>
                    {types.into_iter().map(|named| view! { <TypeView named/> }).collect_view()}
                </section>
            </div>
        </div>
    }
}

#[component]
fn Credentials(credentials: Vec<Credential>) -> impl IntoView {
    view! {
        <section class="api-docs__section" id="authentication" aria-labelledby="authentication-title">
            <h2 id="authentication-title">"Authentication"</h2>
            <p>
                "Protected endpoints accept any one of these credentials. Get an API token or a JWT pair \
                 from the endpoints under “Logging in”, or create a named API token on your "
                <a href="/account">"account page"</a> "."
            </p>
            <dl class="api-docs__credentials">
                {credentials
                    .into_iter()
                    .map(|credential| view! {
                        <dt><strong>{credential_name(&credential.key)}</strong> " — " <code>{credential.label}</code></dt>
                        <dd><Prose text=credential.description/></dd>
                    })
                    .collect_view()}
            </dl>
        </section>
    }
}

#[component]
fn SectionView(section: Section) -> impl IntoView {
    let anchor = slug(&section.name);
    let title_id = format!("{anchor}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="api-docs__section" id=anchor aria-labelledby=labelled_by>
            <h2 id=title_id>{section.name}</h2>
            <Prose text=section.description/>
            {section.endpoints.into_iter().map(|endpoint| view! { <EndpointView endpoint/> }).collect_view()}
        </section>
    }
}

#[component]
fn EndpointView(endpoint: Endpoint) -> impl IntoView {
    let Endpoint { anchor, method, path, summary, description, credentials, parameters, body, responses, curl } =
        endpoint;
    let access = if credentials.is_empty() {
        "None: anyone may call it.".to_string()
    } else {
        let names: Vec<_> = credentials.iter().map(|key| credential_name(key)).collect();
        format!("{}.", join_or(&names))
    };
    view! {
        <article class="endpoint panel" id=anchor.clone() aria-labelledby=format!("{anchor}-title")>
            <h3 class="endpoint__title" id=format!("{anchor}-title")>
                <MethodBadge method/>
                <code class="endpoint__path">{path}</code>
            </h3>
            <p class="endpoint__summary">{summary}</p>
            <Prose text=description/>
            <p class="endpoint__access"><strong>"Credentials: "</strong>{access}</p>
            {(!parameters.is_empty()).then(|| view! {
                <h4>"Parameters"</h4>
                <FieldTable fields=parameters with_location=true/>
            })}
            {body.map(|body| view! { <BodyView body/> })}
            <h4>"Responses"</h4>
            <ResponseTable responses/>
            <details class="endpoint__example">
                <summary>"Example request"</summary>
                <pre><code>{curl}</code></pre>
            </details>
        </article>
    }
}

#[component]
fn BodyView(body: Body) -> impl IntoView {
    view! {
        <h4>"Request body " <TypeLink type_ref=body.type_ref/></h4>
        <FieldTable fields=body.fields with_location=false/>
        <pre class="code-block"><code>{body.example}</code></pre>
    }
}

#[component]
fn FieldTable(fields: Vec<Field>, with_location: bool) -> impl IntoView {
    if fields.is_empty() {
        return view! { <p class="muted">"No fields."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="field-table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        {with_location.then(|| view! { <th scope="col">"In"</th> })}
                        <th scope="col">"Type"</th>
                        <th scope="col">"Description"</th>
                    </tr>
                </thead>
                <tbody>
                    {fields
                        .into_iter()
                        .map(|field| view! {
                            <tr>
                                <td>
                                    <code>{field.name}</code>
                                    {field.required.then(|| view! { <span class="field-table__required">" required"</span> })}
                                </td>
                                {with_location.then(|| view! { <td>{field.location.unwrap_or_default()}</td> })}
                                <td><TypeLink type_ref=field.type_ref/></td>
                                <td><Prose text=field.description/></td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn ResponseTable(responses: Vec<Response>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="field-table">
                <thead>
                    <tr>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Meaning"</th>
                        <th scope="col">"Body"</th>
                    </tr>
                </thead>
                <tbody>
                    {responses
                        .into_iter()
                        .map(|response| {
                            let class = format!("status status--{}", response.status.chars().next().unwrap_or('0'));
                            view! {
                                <tr>
                                    <td><span class=class>{response.status}</span></td>
                                    <td><Prose text=response.description/></td>
                                    <td>{match response.body {
                                        Some(type_ref) => view! { <TypeLink type_ref/> }.into_any(),
                                        None => view! { <span class="muted">"none"</span> }.into_any(),
                                    }}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn TypeView(named: NamedType) -> impl IntoView {
    let NamedType { name, description, fields, values, example } = named;
    let values = (!values.is_empty()).then(|| {
        view! {
            <p>
                "One of: "
                {values
                    .into_iter()
                    .enumerate()
                    .map(|(i, value)| view! { {(i > 0).then_some(", ")} <code>{value}</code> })
                    .collect_view()}
            </p>
        }
    });
    let fields = (!fields.is_empty()).then(|| view! { <FieldTable fields with_location=false/> });
    let anchor = type_anchor(&name);
    view! {
        <article class="api-type" id=anchor>
            <h3><code>{name}</code></h3>
            <Prose text=description/>
            {values}
            {fields}
            {example.map(|example| view! { <pre class="code-block"><code>{example}</code></pre> })}
        </article>
    }
}

/// A type, linked to its entry under "Types" when it is a named one.
#[component]
fn TypeLink(type_ref: TypeRef) -> impl IntoView {
    match type_ref.named {
        Some(name) => view! { <a href=format!("#{}", type_anchor(&name))><code>{type_ref.label}</code></a> }.into_any(),
        None => view! { <code>{type_ref.label}</code> }.into_any(),
    }
}

#[component]
fn MethodBadge(method: String) -> impl IntoView {
    let class = format!("method method--{}", method.to_lowercase());
    view! { <span class=class>{method}</span> }
}

/// Description text from doc comments: blank lines separate paragraphs, single line
/// breaks are wrapping, and `backticks` mark code.
#[component]
fn Prose(text: String) -> impl IntoView {
    text.split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .map(|paragraph| {
            let paragraph = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
            let parts = paragraph
                .split('`')
                .enumerate()
                .map(|(i, part)| {
                    if i % 2 == 1 {
                        view! { <code>{part.to_string()}</code> }.into_any()
                    } else {
                        part.to_string().into_any()
                    }
                })
                .collect_view();
            view! { <p>{parts}</p> }
        })
        .collect_view()
}

fn credential_name(key: &str) -> String {
    match key {
        "bearer" => "JWT access token".into(),
        "token" => "API token".into(),
        "session" => "Session cookie".into(),
        other => other.to_string(),
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn type_anchor(name: &str) -> String {
    format!("type-{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_lists_read_as_a_sentence() {
        assert_eq!(join_or(&["A".into()]), "A");
        assert_eq!(join_or(&["A".into(), "B".into(), "C".into()]), "A, B or C");
    }
}
