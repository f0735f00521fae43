use serde::{Deserialize, Serialize};

/// Where the server serves the machine-readable OpenAPI description.
pub const OPENAPI_PATH: &str = "/api/openapi.json";

/// Lower-case letters and digits joined by `-`: usable as an HTML id.
pub fn slug(text: &str) -> String {
    let mapped: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    mapped.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-")
}

/// Everything the API reference page shows, read off the OpenAPI description.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiReference {
    pub title: String,
    pub version: String,
    pub description: String,
    /// Where clients reach the API (the site's public URL).
    pub base_url: String,
    pub credentials: Vec<Credential>,
    pub sections: Vec<Section>,
    /// Every named body type, for the links from fields and responses.
    pub types: Vec<NamedType>,
}

/// One way to authenticate (a security scheme).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub key: String,
    /// How it is sent, e.g. `Authorization: Bearer <jwt>`.
    pub label: String,
    pub description: String,
}

/// The endpoints under one tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub name: String,
    pub description: String,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Unique and usable as an HTML id, e.g. `post-api-auth-token`.
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    /// Keys of the credentials accepted (any one will do); empty for public endpoints.
    pub credentials: Vec<String>,
    pub parameters: Vec<Field>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    /// A ready-to-run request for a terminal.
    pub curl: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub type_ref: TypeRef,
    pub fields: Vec<Field>,
    /// Pretty-printed example JSON: the type's own, or stand-ins for its fields.
    pub example: String,
}

/// A field of a body, or a path/query parameter (`location` says which).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub location: Option<String>,
    pub type_ref: TypeRef,
    pub required: bool,
    pub description: String,
}

/// A type as people read it (`string or null`, `array of ManagedUser`), and the named
/// type it refers to, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeRef {
    pub label: String,
    pub named: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub status: String,
    pub description: String,
    pub body: Option<TypeRef>,
}

/// A named schema: an object with fields, or an enumeration of values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedType {
    pub name: String,
    pub description: String,
    pub fields: Vec<Field>,
    pub values: Vec<String>,
    pub example: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_keep_only_lowercase_words() {
        assert_eq!(slug("Logging in"), "logging-in");
        assert_eq!(slug("delete /api/users/{id}"), "delete-api-users-id");
    }
}
