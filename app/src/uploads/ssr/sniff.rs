//! What an uploaded file is, decided from its bytes: never from its name or the
//! `Content-Type` the browser sent. Only the kinds listed here are accepted; markup (HTML,
//! SVG, XML) never is, whatever it is called.

/// A kind of file the site accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Jpeg,
    Png,
    Webp,
    Gif,
    Pdf,
    Zip,
    Gzip,
    /// UTF-8 text without markup.
    Text,
}

impl FileType {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
            Self::Pdf => "application/pdf",
            Self::Zip => "application/zip",
            Self::Gzip => "application/gzip",
            Self::Text => "text/plain; charset=utf-8",
        }
    }

    /// The extension stored files of this kind get.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
            Self::Pdf => "pdf",
            Self::Zip => "zip",
            Self::Gzip => "gz",
            Self::Text => "txt",
        }
    }

    /// What people call it, for error messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Jpeg => "a JPEG image",
            Self::Png => "a PNG image",
            Self::Webp => "a WebP image",
            Self::Gif => "a GIF image",
            Self::Pdf => "a PDF document",
            Self::Zip => "a ZIP archive",
            Self::Gzip => "a gzip archive",
            Self::Text => "a text file",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, Self::Jpeg | Self::Png | Self::Webp | Self::Gif)
    }

    /// The kind a stored file's extension names (for serving it).
    pub fn from_extension(extension: &str) -> Option<Self> {
        Some(match extension {
            "jpg" => Self::Jpeg,
            "png" => Self::Png,
            "webp" => Self::Webp,
            "gif" => Self::Gif,
            "pdf" => Self::Pdf,
            "zip" => Self::Zip,
            "gz" => Self::Gzip,
            "txt" => Self::Text,
            _ => return None,
        })
    }

    /// File-name extensions people give files of this kind.
    fn name_extensions(self) -> &'static [&'static str] {
        match self {
            Self::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            Self::Png => &["png"],
            Self::Webp => &["webp"],
            Self::Gif => &["gif"],
            Self::Pdf => &["pdf"],
            Self::Zip => &["zip"],
            Self::Gzip => &["gz", "tgz"],
            Self::Text => &["txt", "text", "md", "markdown", "csv", "log"],
        }
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the file is empty")]
    Empty,
    #[error("SVG, HTML and other markup files are not accepted")]
    Markup,
    #[error("this kind of file is not accepted (images: JPEG, PNG, WebP, GIF; files: PDF, text, ZIP, gzip)")]
    Unknown,
    #[error("the name ends in .{extension} but the file is {actual}")]
    WrongExtension { extension: String, actual: &'static str },
}

/// How many leading bytes decide whether text is markup.
const MARKUP_WINDOW: usize = 1024;

/// The kind of file `bytes` holds.
pub fn sniff(bytes: &[u8]) -> Result<FileType, Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    let kind = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        FileType::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        FileType::Png
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        FileType::Webp
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        FileType::Gif
    } else if bytes.starts_with(b"%PDF-") {
        FileType::Pdf
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        FileType::Zip
    } else if bytes.starts_with(&[0x1F, 0x8B]) {
        FileType::Gzip
    } else if std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) {
        if looks_like_markup(bytes) {
            return Err(Refused::Markup);
        }
        FileType::Text
    } else {
        return Err(Refused::Unknown);
    };
    Ok(kind)
}

/// Text a browser could take for HTML, SVG or XML: what it starts with, after any byte
/// order mark and white space, or a tag anywhere near the start.
fn looks_like_markup(bytes: &[u8]) -> bool {
    let window = &bytes[..bytes.len().min(MARKUP_WINDOW)];
    let text = String::from_utf8_lossy(window).to_ascii_lowercase();
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with('<') {
        return true;
    }
    ["<svg", "<html", "<script", "<!doctype", "<?xml", "<body", "<iframe"].iter().any(|tag| text.contains(tag))
}

/// For files kept as they are (attachments): the name's extension, when it has one, must
/// fit what the bytes are, so that nobody downloads a ZIP called `report.pdf`.
pub fn check_name(name: &str, actual: FileType) -> Result<(), Refused> {
    let Some((_, extension)) = name.rsplit_once('.') else {
        return Ok(());
    };
    let extension = extension.to_ascii_lowercase();
    if actual.name_extensions().contains(&extension.as_str()) {
        Ok(())
    } else {
        Err(Refused::WrongExtension { extension, actual: actual.label() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_signatures() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Ok(FileType::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Ok(FileType::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(FileType::Webp));
        assert_eq!(sniff(b"GIF89a...."), Ok(FileType::Gif));
    }

    #[test]
    fn documents_and_archives_are_known_by_their_signatures() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Ok(FileType::Pdf));
        assert_eq!(sniff(b"PK\x03\x04...."), Ok(FileType::Zip));
        assert_eq!(sniff(b"\x1f\x8b\x08\0"), Ok(FileType::Gzip));
        assert_eq!(sniff("Notes, with ünïcode.\n".as_bytes()), Ok(FileType::Text));
    }

    #[test]
    fn markup_is_refused_whatever_it_is_called() {
        for markup in [
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "\u{feff}  <?xml version=\"1.0\"?><svg/>",
            "<!DOCTYPE html><p>hi",
            "Looks like text\n<script>alert(1)</script>",
            "<p>a paragraph</p>",
        ] {
            assert_eq!(sniff(markup.as_bytes()), Err(Refused::Markup), "{markup}");
        }
    }

    #[test]
    fn unknown_binary_and_empty_files_are_refused() {
        assert_eq!(sniff(b""), Err(Refused::Empty));
        assert_eq!(sniff(b"\x00\x01\x02\x03binary"), Err(Refused::Unknown));
        assert_eq!(sniff(b"MZ\x90\x00\x03"), Err(Refused::Unknown));
        assert_eq!(sniff(b"text with a \0 byte"), Err(Refused::Unknown));
    }

    #[test]
    fn an_attachment_name_must_fit_its_bytes() {
        assert_eq!(check_name("Report.PDF", FileType::Pdf), Ok(()));
        assert_eq!(check_name("notes", FileType::Text), Ok(()));
        assert_eq!(check_name("backup.tar.gz", FileType::Gzip), Ok(()));
        assert_eq!(
            check_name("report.pdf", FileType::Zip),
            Err(Refused::WrongExtension { extension: "pdf".into(), actual: "a ZIP archive" })
        );
        assert_eq!(
            Refused::WrongExtension { extension: "pdf".into(), actual: "a ZIP archive" }.to_string(),
            "the name ends in .pdf but the file is a ZIP archive"
        );
    }
}
