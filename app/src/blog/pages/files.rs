//! The editor's cover, attachments and images. Every button is a submit button of the
//! editor form aimed at the `post_files` server function, so without JavaScript it posts
//! the whole form and the post is saved with the change; hydrated, the buttons upload
//! just the file and change the form in place, and files dropped on the text box are
//! uploaded and linked where they fall.

use leptos::{html, prelude::*, server_fn::ServerFn};

use crate::{
    accounts::components::error_list,
    blog::api::PostFiles,
    error::AppError,
    uploads::{human_size, Upload, UploadKind},
};

/// What the editor's file section changes: the form's cover and attachments, and the text
/// images are linked into.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // Used by the browser only.
#[derive(Clone, Copy)]
pub struct FileFields {
    pub cover: RwSignal<Option<Upload>>,
    pub attachments: RwSignal<Vec<Upload>>,
    pub body: RwSignal<String>,
    pub body_ref: NodeRef<html::Textarea>,
    /// The last refused upload (or the one a form posted without JavaScript left).
    pub error: RwSignal<Option<AppError>>,
    /// The last refused save, which names a cover or attachment it could not use.
    pub save_error: Signal<Option<AppError>>,
    /// Called after every change, so the unsaved-changes guard knows.
    pub changed: Callback<()>,
}

const IMAGE_TYPES: &str = "image/jpeg,image/png,image/webp,image/gif";

/// The server function's path, where the buttons post without JavaScript.
fn files_path() -> &'static str {
    <PostFiles as ServerFn>::PATH
}

impl FileFields {
    fn field_errors(self, names: &'static [&'static str]) -> Signal<Vec<String>> {
        Signal::derive(move || {
            [self.error.get(), self.save_error.get()]
                .iter()
                .flatten()
                .flat_map(|e| names.iter().flat_map(|name| e.field_errors().get(name).to_vec()))
                .collect()
        })
    }

    /// Puts an uploaded file where it belongs.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // Used by the browser only.
    fn place(self, kind: UploadKind, upload: Upload) {
        match kind {
            UploadKind::Cover => self.cover.set(Some(upload)),
            UploadKind::Image => self.insert_text(&upload.markdown()),
            _ => self.attachments.update(|list| list.push(upload)),
        }
        self.changed.run(());
    }

    /// Inserts `markdown` at the text box's cursor (at the end when it has none), on lines
    /// of its own.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // Used by the browser only.
    fn insert_text(self, markdown: &str) {
        let text = self.body.get_untracked();
        let area = self.body_ref.get_untracked();
        let at = area
            .as_ref()
            .and_then(|a| a.selection_start().ok().flatten())
            .map_or(text.len(), |units| utf16_to_byte(&text, units as usize));
        let (before, after) = text.split_at(at);
        let before = before.trim_end_matches(' ');
        let lead = if before.is_empty() || before.ends_with("\n\n") {
            ""
        } else if before.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        let tail = if after.starts_with("\n\n") {
            ""
        } else if after.starts_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        let updated = format!("{before}{lead}{markdown}{tail}{after}");
        if let Some(area) = area {
            area.set_value(&updated);
        }
        self.body.set(updated);
    }
}

/// The byte index of a UTF-16 offset (the browser's cursor) in `text`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // Used by the browser only.
fn utf16_to_byte(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (index, c) in text.char_indices() {
        if seen >= units {
            return index;
        }
        seen += c.len_utf16();
    }
    text.len()
}

/// Uploads one file through the server function, as the hydrated editor does.
#[cfg(feature = "hydrate")]
async fn send(kind: UploadKind, file: web_sys::File) -> Result<Option<Upload>, AppError> {
    let failed = |_| AppError::Internal;
    let form = web_sys::FormData::new().map_err(failed)?;
    form.append_with_str("file_action", kind.as_str()).map_err(failed)?;
    form.append_with_blob_and_filename(&format!("{}_file", kind.as_str()), &file, &file.name()).map_err(failed)?;
    super::super::api::post_files(form.into()).await
}

/// Uploads `file` as `kind` and places it; errors go to the section's alert.
#[cfg(feature = "hydrate")]
fn upload(fields: FileFields, busy: RwSignal<u32>, kind: UploadKind, file: web_sys::File) {
    busy.update(|n| *n += 1);
    leptos::task::spawn_local(async move {
        match send(kind, file).await {
            Ok(Some(upload)) => {
                fields.error.set(None);
                fields.place(kind, upload);
            }
            Ok(None) => {}
            Err(error) => fields.error.set(Some(error)),
        }
        busy.update(|n| *n = n.saturating_sub(1));
    });
}

/// The click on an upload button: hydrated, the chosen file is uploaded in place.
fn upload_button(
    fields: FileFields,
    busy: RwSignal<u32>,
    kind: UploadKind,
    input: NodeRef<html::Input>,
) -> impl Fn(leptos::ev::MouseEvent) + Copy {
    move |ev| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            let Some(file) = input.get_untracked().and_then(|i| i.files()).and_then(|files| files.get(0)) else {
                let mut errors = crate::accounts::validation::FieldErrors::new();
                errors.add("file", "is missing: choose a file first");
                fields.error.set(Some(AppError::invalid(errors)));
                return;
            };
            if let Some(input) = input.get_untracked() {
                input.set_value("");
            }
            upload(fields, busy, kind, file);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, fields, busy, kind, input);
    }
}

/// Dropping files on the text box: images are linked where they fall, other files
/// attached.
pub fn on_drop(fields: FileFields, busy: RwSignal<u32>) -> impl Fn(leptos::ev::DragEvent) + Copy {
    move |ev| {
        #[cfg(feature = "hydrate")]
        {
            let Some(files) = ev.data_transfer().and_then(|t| t.files()).filter(|f| f.length() > 0) else { return };
            ev.prevent_default();
            for index in 0..files.length() {
                if let Some(file) = files.get(index) {
                    let kind =
                        if file.type_().starts_with("image/") { UploadKind::Image } else { UploadKind::Attachment };
                    upload(fields, busy, kind, file);
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, fields, busy);
    }
}

/// The click on a remove button: hydrated, the form changes in place.
fn removing(fields: FileFields, remove: impl Fn() + 'static) -> impl Fn(leptos::ev::MouseEvent) {
    move |ev| {
        ev.prevent_default();
        remove();
        fields.changed.run(());
    }
}

/// A file input with its upload button: `<kind>_file`, posted as `file_action=<kind>`.
#[component]
fn FilePick(
    fields: FileFields,
    busy: RwSignal<u32>,
    kind: UploadKind,
    label: Signal<&'static str>,
    button: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    let id = format!("{}-file", kind.as_str());
    let accept = (kind != UploadKind::Attachment).then_some(IMAGE_TYPES);
    view! {
        <div class="editor__file-pick">
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field__hint">{hint}</p> })}
            <input id=id type="file" name=format!("{}_file", kind.as_str()) accept=accept node_ref=input/>
            <FileButton action=kind.as_str().into() on_click=upload_button(fields, busy, kind, input)>{button}</FileButton>
        </div>
    }
}

/// A submit button of the editor form that, without JavaScript, posts the whole form to
/// the file server function.
#[component]
fn FileButton(
    action: String,
    #[prop(optional)] class: &'static str,
    on_click: impl Fn(leptos::ev::MouseEvent) + 'static,
    children: Children,
) -> impl IntoView {
    view! {
        <button type="submit" name="file_action" value=action formaction=files_path() formmethod="post"
            formenctype="multipart/form-data" formnovalidate=true class=format!("button button--small {class}")
            on:click=on_click>
            {children()}
        </button>
    }
}

#[component]
pub fn EditorFiles(fields: FileFields, busy: RwSignal<u32>) -> impl IntoView {
    let cover_id = move || fields.cover.with(|c| c.as_ref().map(|c| c.id.clone()).unwrap_or_default());
    let attachment_ids =
        move || fields.attachments.with(|list| list.iter().map(|a| a.id.as_str()).collect::<Vec<_>>().join(","));
    view! {
        <section class="editor__files" id="files" aria-labelledby="files-title">
            <h2 id="files-title" class="editor__files-title">"Cover and files"</h2>
            <input type="hidden" name="cover" prop:value=cover_id value=cover_id()/>
            <input type="hidden" name="attachments" prop:value=attachment_ids value=attachment_ids()/>
            {move || fields.error.get().filter(|e| e.field_errors().is_empty()).map(|e| view! {
                <div class="alert alert--error" role="alert"><p>{e.to_string()}</p></div>
            })}
            {error_list(fields.field_errors(&["file", "name", "file_action"]), "File", "post-file-errors".into())}
            <p class="muted" aria-live="polite">{move || (busy.get() > 0).then_some("Uploading…")}</p>
            <div class="editor__file-group">
                <h3>"Cover image"</h3>
                {move || match fields.cover.get() {
                    Some(cover) => {
                        let thumb = cover.renditions.first().cloned();
                        view! {
                            <figure class="editor__cover">
                                {thumb.map(|t| view! { <img src=t.url width=t.width height=t.height alt=""/> })}
                                <figcaption>{cover.name.clone()}</figcaption>
                            </figure>
                            <FileButton action="remove_cover".into() class="button--ghost"
                                on_click=removing(fields, move || fields.cover.set(None))>"Remove cover"</FileButton>
                        }.into_any()
                    }
                    None => view! {
                        <p class="muted">"No cover yet. It heads the post and is the picture shown when the post is shared."</p>
                    }.into_any(),
                }}
                {error_list(fields.field_errors(&["cover"]), "Cover", "post-cover-errors".into())}
                <FilePick fields busy kind=UploadKind::Cover button="Upload cover"
                    label=Signal::derive(move || if fields.cover.with(Option::is_some) { "Replace the cover" } else { "Choose a cover" })/>
            </div>
            <div class="editor__file-group">
                <h3>"Attachments"</h3>
                <ul class="editor__attachments">
                    {move || fields.attachments.get().into_iter().map(|file| {
                        let id = file.id.clone();
                        view! {
                            <li>
                                <a href=file.url.clone() download>{file.name.clone()}</a>
                                <span class="muted">{human_size(file.size_bytes.max(0) as u64)}</span>
                                <FileButton action=format!("remove_attachment:{id}") class="button--ghost"
                                    on_click=removing(fields, move || fields.attachments.update(|list| list.retain(|a| a.id != id)))>
                                    "Remove" <span class="visually-hidden">{format!(" {}", file.name)}</span>
                                </FileButton>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {error_list(fields.field_errors(&["attachments"]), "Attachments", "post-attachments-errors".into())}
                <FilePick fields busy kind=UploadKind::Attachment button="Attach file" label=Signal::stored("Attach a file")
                    hint="PDF, text, ZIP or gzip files, or images; up to 10 per post."/>
            </div>
            <div class="editor__file-group">
                <h3>"Images in the text"</h3>
                <FilePick fields busy kind=UploadKind::Image button="Insert image" label=Signal::stored("Add an image")
                    hint="It is linked at the cursor (at the end without JavaScript); you can also drop images on the text box."/>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::utf16_to_byte;

    #[test]
    fn browser_cursor_offsets_become_byte_offsets() {
        assert_eq!(utf16_to_byte("abc", 1), 1);
        assert_eq!(utf16_to_byte("é😀x", 3), "é😀".len());
        assert_eq!(utf16_to_byte("ab", 9), 2);
    }
}
