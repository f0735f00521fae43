//! A multipart form as a server function receives it (the editor's file buttons, the
//! account's picture): read whole, each file held to the upload limit as it arrives.

use std::collections::HashMap;

use crate::{accounts::validation::FieldErrors, error::AppError, uploads::human_size};

/// A file sent in the form.
#[derive(Debug, Clone, Default)]
pub struct SentFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A multipart form as read: text fields and files by field name.
#[derive(Debug, Default)]
pub struct MultipartForm {
    pub fields: HashMap<String, String>,
    pub files: HashMap<String, SentFile>,
}

impl MultipartForm {
    /// The file sent as `field`; `None` when the form had no file chosen there.
    pub fn take_file(&mut self, field: &str) -> Option<SentFile> {
        self.files.remove(field).filter(|file| !(file.name.is_empty() && file.bytes.is_empty()))
    }

    /// A text field, empty when absent.
    pub fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// The refusal when a form names no file.
pub fn no_file() -> AppError {
    let mut errors = FieldErrors::new();
    errors.add("file", "is missing: choose a file first");
    AppError::invalid(errors)
}

fn unreadable() -> AppError {
    let mut errors = FieldErrors::new();
    errors.add("file", "could not be read completely; send it again");
    AppError::invalid(errors)
}

/// Reads the whole form; a file over `max_bytes` is refused as soon as it is.
pub async fn read_form(mut form: multer::Multipart<'static>, max_bytes: usize) -> Result<MultipartForm, AppError> {
    let mut out = MultipartForm::default();
    while let Some(mut field) = form.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                    if bytes.len() + chunk.len() > max_bytes {
                        let mut errors = FieldErrors::new();
                        errors.add("file", format!("must be at most {}", human_size(max_bytes as u64)));
                        return Err(AppError::invalid(errors));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                out.files.insert(name, SentFile { name: file_name, bytes });
            }
            None => {
                let text = field.text().await.map_err(|_| unreadable())?;
                out.fields.insert(name, text);
            }
        }
    }
    Ok(out)
}
