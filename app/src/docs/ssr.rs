//! Reads an OpenAPI 3 description (as JSON) into the [`ApiReference`] the docs page
//! shows: endpoints grouped by tag, their parameters, bodies and responses, and every
//! named type with its fields.

use serde_json::{Map, Value};

use super::model::{slug, ApiReference, Body, Credential, Endpoint, Field, NamedType, Response, Section, TypeRef};

/// The order operations appear in within one path.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

pub fn reference(spec: &Value) -> ApiReference {
    let doc = Doc { schemas: spec.pointer("/components/schemas").and_then(Value::as_object) };
    let mut sections: Vec<Section> = spec
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|tag| Section { name: text(tag, "name"), description: text(tag, "description"), endpoints: Vec::new() })
        .collect();
    let base_url = spec.pointer("/servers/0/url").and_then(Value::as_str).unwrap_or_default().to_string();
    for (path, item) in spec.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            let Some(operation) = item.get(method) else { continue };
            let endpoint = doc.endpoint(method, path, operation, &base_url);
            let tag = operation.pointer("/tags/0").and_then(Value::as_str).unwrap_or("Other");
            match sections.iter_mut().find(|section| section.name == tag) {
                Some(section) => section.endpoints.push(endpoint),
                None => sections.push(Section {
                    name: tag.to_string(),
                    description: String::new(),
                    endpoints: vec![endpoint],
                }),
            }
        }
    }
    sections.retain(|section| !section.endpoints.is_empty());
    let credentials = spec
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(key, scheme)| credential(key, scheme))
        .collect();
    let types = doc
        .schemas
        .into_iter()
        .flatten()
        .map(|(name, schema)| NamedType {
            name: name.clone(),
            description: text(schema, "description"),
            fields: doc.fields(schema),
            values: enum_values(schema),
            example: schema.get("example").map(pretty),
        })
        .collect();
    ApiReference {
        title: text(&spec["info"], "title"),
        version: text(&spec["info"], "version"),
        description: text(&spec["info"], "description"),
        base_url,
        credentials,
        sections,
        types,
    }
}

struct Doc<'a> {
    schemas: Option<&'a Map<String, Value>>,
}

impl Doc<'_> {
    fn endpoint(&self, method: &str, path: &str, operation: &Value, base_url: &str) -> Endpoint {
        let credentials: Vec<String> = operation
            .get("security")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .flat_map(|requirement| requirement.keys().cloned())
            .collect();
        let parameters = operation
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|parameter| Field {
                name: text(parameter, "name"),
                location: parameter.get("in").and_then(Value::as_str).map(str::to_string),
                type_ref: type_ref(parameter.get("schema").unwrap_or(&Value::Null)),
                required: parameter.get("required").and_then(Value::as_bool).unwrap_or(false),
                description: text(parameter, "description"),
            })
            .collect();
        let (body, example) = match operation.pointer("/requestBody/content/application~1json/schema") {
            Some(schema) => {
                let fields = self.fields(schema);
                let example = self.resolve(schema).get("example").cloned().unwrap_or_else(|| placeholder(&fields));
                (Some(Body { type_ref: type_ref(schema), fields, example: pretty(&example) }), Some(example))
            }
            None => (None, None),
        };
        let responses = operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(status, response)| Response {
                status: status.clone(),
                description: text(response, "description"),
                body: response.pointer("/content/application~1json/schema").map(type_ref),
            })
            .collect();
        let curl = curl(method, &format!("{base_url}{path}"), credentials.first(), example.as_ref());
        Endpoint {
            anchor: slug(&format!("{method} {path}")),
            method: method.to_uppercase(),
            path: path.to_string(),
            summary: text(operation, "summary"),
            description: text(operation, "description"),
            credentials,
            parameters,
            body,
            responses,
            curl,
        }
    }

    /// A `$ref` to a component schema, followed; anything else as it is.
    fn resolve<'v>(&'v self, schema: &'v Value) -> &'v Value {
        match (schema.get("$ref").and_then(Value::as_str), self.schemas) {
            (Some(reference), Some(schemas)) => {
                schemas.get(reference.rsplit('/').next().unwrap_or_default()).unwrap_or(&Value::Null)
            }
            _ => schema,
        }
    }

    /// An object's fields; `allOf` parts (flattened structs) contribute theirs in order.
    fn fields(&self, schema: &Value) -> Vec<Field> {
        let schema = self.resolve(schema);
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            return parts.iter().flat_map(|part| self.fields(part)).collect();
        }
        let required: Vec<&str> =
            schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, property)| Field {
                name: name.clone(),
                location: None,
                type_ref: type_ref(property),
                required: required.contains(&name.as_str()),
                description: description_of(property),
            })
            .collect()
    }
}

/// How a schema reads to a person, e.g. `string or null`, `array of ManagedUser`.
fn type_ref(schema: &Value) -> TypeRef {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default().to_string();
        return TypeRef { label: name.clone(), named: Some(name) };
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(members) = schema.get(key).and_then(Value::as_array) {
            let nullable = members.iter().any(is_null_type);
            let mut inner = members.iter().filter(|member| !is_null_type(member)).map(type_ref);
            let first = inner.next().unwrap_or_default();
            let label = std::iter::once(first.label.clone()).chain(inner.map(|t| t.label)).collect::<Vec<_>>();
            let label = label.join(if key == "allOf" { " and " } else { " or " });
            return TypeRef { label: with_null(label, nullable), named: first.named };
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let label = values.iter().map(Value::to_string).collect::<Vec<_>>().join(" | ");
        return TypeRef { label, named: None };
    }
    let (kind, nullable) = match schema.get("type") {
        Some(Value::String(kind)) => (kind.as_str(), false),
        Some(Value::Array(kinds)) => (
            kinds.iter().filter_map(Value::as_str).find(|kind| *kind != "null").unwrap_or("null"),
            kinds.iter().any(|kind| kind == "null"),
        ),
        _ => ("any", false),
    };
    let nested = |key: &str, prefix: &str| {
        let inner = schema.get(key).map(type_ref).unwrap_or_else(|| TypeRef { label: "any".into(), named: None });
        TypeRef { label: format!("{prefix} {}", inner.label), named: inner.named }
    };
    let base = match kind {
        "array" => nested("items", "array of"),
        "object" if schema.get("additionalProperties").is_some_and(Value::is_object) => {
            nested("additionalProperties", "map of names to")
        }
        other => TypeRef { label: other.to_string(), named: None },
    };
    TypeRef { label: with_null(base.label, nullable), named: base.named }
}

fn with_null(label: String, nullable: bool) -> String {
    if nullable {
        format!("{label} or null")
    } else {
        label
    }
}

fn is_null_type(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

/// A property's description; an optional reference carries it inside its `oneOf`.
fn description_of(property: &Value) -> String {
    let own = text(property, "description");
    if !own.is_empty() {
        return own;
    }
    property
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|member| text(member, "description"))
        .find(|description| !description.is_empty())
        .unwrap_or_default()
}

fn enum_values(schema: &Value) -> Vec<String> {
    let values = schema.get("enum").and_then(Value::as_array).into_iter().flatten();
    values.map(|value| value.as_str().map_or_else(|| value.to_string(), str::to_string)).collect()
}

/// A body to start from when the type has no example: each required field (or, when
/// none is, every field) with a stand-in value of its type.
fn placeholder(fields: &[Field]) -> Value {
    let any_required = fields.iter().any(|field| field.required);
    let object = fields.iter().filter(|field| field.required || !any_required).map(|field| {
        let value = match field.type_ref.label.split(' ').next().unwrap_or_default() {
            "integer" | "number" => Value::from(0),
            "boolean" => Value::from(false),
            "array" => Value::Array(Vec::new()),
            _ => Value::from("…"),
        };
        (field.name.clone(), value)
    });
    Value::Object(object.collect())
}

fn credential(key: &str, scheme: &Value) -> Credential {
    let name = text(scheme, "name");
    let label = match (text(scheme, "type").as_str(), text(scheme, "in").as_str()) {
        ("http", _) => format!("Authorization: {} <token>", capitalised(&text(scheme, "scheme"))),
        ("apiKey", "header") => format!("{name} header"),
        ("apiKey", "cookie") => format!("{name} cookie"),
        (kind, place) => format!("{kind} {place} {name}").trim().to_string(),
    };
    Credential { key: key.to_string(), label, description: text(scheme, "description") }
}

/// The request as a `curl` command, with the first credential the endpoint accepts
/// (a session cookie is a browser's, so it gets none) and the example body.
fn curl(method: &str, url: &str, credential: Option<&String>, example: Option<&Value>) -> String {
    let mut lines = vec![format!("curl -X {} '{url}'", method.to_uppercase())];
    match credential.map(String::as_str) {
        Some("bearer") => lines.push("-H \"Authorization: Bearer $ACCESS_TOKEN\"".into()),
        Some("token") => lines.push("-H \"Authorization: Token $API_TOKEN\"".into()),
        _ => {}
    }
    if let Some(example) = example {
        lines.push("-H 'Content-Type: application/json'".into());
        lines.push(format!("-d '{}'", example.to_string().replace('\'', "'\\''")));
    }
    lines.join(" \\\n  ")
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn text(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1", "description": "D"},
            "servers": [{"url": "https://example.com"}],
            "tags": [{"name": "Users", "description": "People"}, {"name": "Unused"}],
            "paths": {
                "/api/users/{id}": {
                    "delete": {"tags": ["Users"], "summary": "Delete", "security": [{"bearer": []}, {"token": []}],
                               "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                               "responses": {"204": {"description": "Gone"}}},
                    "put": {"tags": ["Users"], "summary": "Change",
                            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Changes"}}}},
                            "responses": {"200": {"description": "Changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Managed"}}}}}}
                },
                "/api/ping": {"post": {"summary": "Ping", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ping"}}}}, "responses": {}}},
                "/api/note": {"put": {"summary": "Note", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}}, "responses": {}}}
            },
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer", "description": "JWT"},
                    "token": {"type": "apiKey", "in": "header", "name": "Authorization"}
                },
                "schemas": {
                    "Role": {"type": "string", "enum": ["client", "admin"]},
                    "Profile": {"type": "object", "required": ["id"], "properties": {
                        "id": {"type": "string"},
                        "name": {"type": ["string", "null"], "description": "Shown name"}}},
                    "Managed": {"allOf": [{"$ref": "#/components/schemas/Profile"},
                                          {"type": "object", "required": ["active"], "properties": {"active": {"type": "boolean"}}}]},
                    "Changes": {"type": "object", "properties": {
                        "role": {"oneOf": [{"$ref": "#/components/schemas/Role", "description": "Admins only"}, {"type": "null"}]},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}},
                        "example": {"role": "admin"}},
                    "Ping": {"type": "object", "required": ["count", "note", "loud"], "properties": {
                        "count": {"type": "integer"}, "note": {"type": "string"}, "loud": {"type": "boolean"}, "extra": {"type": "string"}}},
                    "Note": {"type": "object", "properties": {"text": {"type": ["string", "null"]}, "pinned": {"type": "boolean"}}}
                }
            }
        })
    }

    fn endpoint<'a>(reference: &'a ApiReference, anchor: &str) -> &'a Endpoint {
        reference.sections.iter().flat_map(|s| &s.endpoints).find(|e| e.anchor == anchor).unwrap()
    }

    #[test]
    fn endpoints_are_grouped_by_tag_in_tag_order_with_untagged_ones_last() {
        let reference = reference(&spec());
        let names: Vec<_> = reference.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Users", "Other"]);
        let users: Vec<_> = reference.sections[0].endpoints.iter().map(|e| e.anchor.as_str()).collect();
        assert_eq!(users, ["put-api-users-id", "delete-api-users-id"]);
        assert_eq!(reference.base_url, "https://example.com");
    }

    #[test]
    fn flattened_types_list_the_fields_of_every_part() {
        let reference = reference(&spec());
        let managed = reference.types.iter().find(|t| t.name == "Managed").unwrap();
        let fields: Vec<_> =
            managed.fields.iter().map(|f| (f.name.as_str(), f.type_ref.label.as_str(), f.required)).collect();
        assert_eq!(fields, [("id", "string", true), ("name", "string or null", false), ("active", "boolean", true)]);
        assert_eq!(managed.fields[1].description, "Shown name");
    }

    #[test]
    fn optional_references_arrays_and_maps_read_as_words() {
        let reference = reference(&spec());
        let body = endpoint(&reference, "put-api-users-id").body.as_ref().unwrap();
        let labels: Vec<_> = body.fields.iter().map(|f| f.type_ref.label.as_str()).collect();
        assert_eq!(labels, ["Role or null", "array of string", "map of names to array of string"]);
        assert_eq!(body.fields[0].type_ref.named.as_deref(), Some("Role"));
        assert_eq!(body.fields[0].description, "Admins only");
        let role = reference.types.iter().find(|t| t.name == "Role").unwrap();
        assert_eq!(role.values, ["client", "admin"]);
    }

    #[test]
    fn a_body_uses_its_example_or_else_stand_ins_for_required_fields() {
        let reference = reference(&spec());
        let put = endpoint(&reference, "put-api-users-id");
        assert_eq!(
            serde_json::from_str::<Value>(&put.body.as_ref().unwrap().example).unwrap(),
            json!({"role": "admin"})
        );
        let ping = endpoint(&reference, "post-api-ping");
        let example: Value = serde_json::from_str(&ping.body.as_ref().unwrap().example).unwrap();
        assert_eq!(example, json!({"count": 0, "note": "…", "loud": false}), "only the required fields");
        let note = endpoint(&reference, "put-api-note");
        let example: Value = serde_json::from_str(&note.body.as_ref().unwrap().example).unwrap();
        assert_eq!(example, json!({"text": "…", "pinned": false}), "every field when none is required");
    }

    #[test]
    fn curl_uses_the_first_credential_and_the_example_body() {
        let reference = reference(&spec());
        let delete = endpoint(&reference, "delete-api-users-id");
        assert_eq!(delete.credentials, ["bearer", "token"]);
        assert_eq!(
            delete.curl,
            "curl -X DELETE 'https://example.com/api/users/{id}' \\\n  -H \"Authorization: Bearer $ACCESS_TOKEN\""
        );
        let put = endpoint(&reference, "put-api-users-id");
        assert!(put.curl.ends_with("-d '{\"role\":\"admin\"}'"), "{}", put.curl);
        assert_eq!(put.responses[0].body.as_ref().unwrap().named.as_deref(), Some("Managed"));
    }

    #[test]
    fn credentials_say_how_they_are_sent() {
        let reference = reference(&spec());
        let labels: Vec<_> = reference.credentials.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["Authorization: Bearer <token>", "Authorization header"]);
    }
}
