//! How server functions send their results: JSON, as Leptos's own `Json` does, but read
//! in the browser from text rather than from bytes.
//!
//! A resource's data arrives in the page as text and Leptos reads it with
//! `serde_json::from_str`; Leptos's `Json` reads a server function's answer with
//! `serde_json::from_slice`. serde compiles its reading code once per reader, so every
//! type that is both (a resource holding a server function's result, `AppError`) had
//! two copies of it in the wasm. Reading both from text keeps one.

use leptos::server_fn::{codec::Post, Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, de::Error as _, Serialize};

/// The result encoding of every server function (`output = crate::codec::Json`) and the
/// error encoding of `AppError`.
pub struct JsonText;

/// A server function's result, as JSON in the body of the answer to its `POST`.
pub type Json = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(value).map(Into::into)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde_json::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_go_out_as_json_and_come_back_from_text() {
        let value = vec![("a".to_string(), 1u32), ("é".to_string(), 2)];
        let bytes = <JsonText as Encodes<_>>::encode(&value).unwrap();
        assert_eq!(&bytes[..], r#"[["a",1],["é",2]]"#.as_bytes());
        let back: Vec<(String, u32)> = JsonText::decode(bytes).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn an_answer_that_is_not_text_or_not_json_is_an_error_not_a_panic() {
        let not_text = Bytes::from_static(&[b'"', 0xff, b'"']);
        assert!(<JsonText as Decodes<String>>::decode(not_text).is_err());
        let not_json = Bytes::from_static(b"{");
        assert!(<JsonText as Decodes<String>>::decode(not_json).is_err());
    }
}
