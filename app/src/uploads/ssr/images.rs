//! The image pipeline: decode within limits (no decompression bombs), apply the camera's
//! orientation, and re-encode fresh files at a few widths, plus a 1200×630 social card
//! for covers and square sizes for avatars. Re-encoding is what strips EXIF (location,
//! camera serial) and anything smuggled after the image data. CPU-bound and blocking:
//! callers run it off the async workers.

use std::io::Cursor;

use image::{
    codecs::{jpeg::JpegEncoder, png::PngEncoder},
    imageops::FilterType,
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits, RgbImage,
};

use super::sniff::FileType;

/// Widths a post image or cover is served at (`srcset`); none wider than the original.
pub const WIDTHS: [u32; 4] = [320, 640, 1280, 1920];
/// Avatar sizes (square), for comments (small) up to the profile page.
pub const AVATAR_SIZES: [u32; 3] = [64, 128, 256];
/// The OpenGraph / Twitter card size.
pub const CARD: (u32, u32) = (1200, 630);
const JPEG_QUALITY: u8 = 82;

/// What a decode may cost. The header's dimensions are checked before any pixel is
/// decoded; the allocation limit also bounds what the decoder itself may reserve.
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    /// Width × height.
    pub max_pixels: u64,
    pub max_side: u32,
    pub max_alloc_bytes: u64,
}

impl Default for ImageLimits {
    fn default() -> Self {
        // 50 megapixels (a high-end camera's full resolution), 12,000 pixels a side.
        Self { max_pixels: 50_000_000, max_side: 12_000, max_alloc_bytes: 512 * 1024 * 1024 }
    }
}

/// What the image will be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// An image inside a post: the widths.
    Inline,
    /// A post's cover: the widths and the social card.
    Cover,
    /// A user's picture: centred squares.
    Avatar,
}

/// One encoded file.
#[derive(Debug, Clone)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub kind: FileType,
    pub bytes: Vec<u8>,
}

/// The renditions of one upload, smallest first, and the social card for a cover.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The upright original's size.
    pub width: u32,
    pub height: u32,
    pub renditions: Vec<Rendition>,
    pub card: Option<Rendition>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the file is not an image (JPEG, PNG, WebP or GIF)")]
    NotAnImage,
    #[error(
        "the image is {width}×{height} pixels; the limit is {max_side} pixels a side and {max_megapixels} megapixels"
    )]
    TooLarge { width: u32, height: u32, max_side: u32, max_megapixels: u64 },
    #[error("the image is damaged or incomplete and cannot be read")]
    Unreadable,
}

/// Decodes `bytes` (already known to be `kind`) and makes the renditions for `purpose`.
pub fn process(bytes: &[u8], kind: FileType, purpose: Purpose, limits: &ImageLimits) -> Result<Processed, ImageError> {
    let image = decode(bytes, kind, limits)?;
    let (width, height) = (image.width(), image.height());
    let transparent = has_transparency(&image);
    let (renditions, widest) = match purpose {
        Purpose::Inline | Purpose::Cover => widths(&image, transparent)?,
        Purpose::Avatar => (squares(&image, transparent)?, None),
    };
    // The card comes from the widest rendition (1920 pixels is plenty for 1200×630), not
    // from the full-size picture: a third of the cover's processing time saved.
    let card = match purpose {
        Purpose::Cover => Some(encode(&fill(widest.as_ref().unwrap_or(&image), CARD.0, CARD.1), false)?),
        _ => None,
    };
    Ok(Processed { width, height, renditions, card })
}

/// Decodes within the limits and turns the picture upright.
fn decode(bytes: &[u8], kind: FileType, limits: &ImageLimits) -> Result<DynamicImage, ImageError> {
    let format = match kind {
        FileType::Jpeg => ImageFormat::Jpeg,
        FileType::Png => ImageFormat::Png,
        FileType::Webp => ImageFormat::WebP,
        FileType::Gif => ImageFormat::Gif,
        _ => return Err(ImageError::NotAnImage),
    };
    // The JPEG decoder fills a cut-off picture with grey instead of failing.
    if kind == FileType::Jpeg && !jpeg_is_complete(bytes) {
        return Err(ImageError::Unreadable);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format);
    let mut decode_limits = Limits::default();
    decode_limits.max_alloc = Some(limits.max_alloc_bytes);
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(|_| ImageError::Unreadable)?;
    let (width, height) = decoder.dimensions();
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(ImageError::TooLarge {
            width,
            height,
            max_side: limits.max_side,
            max_megapixels: limits.max_pixels / 1_000_000,
        });
    }
    if width == 0 || height == 0 {
        return Err(ImageError::Unreadable);
    }
    // A missing or unreadable orientation tag means "as stored".
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|error| match error {
        image::ImageError::Limits(_) => ImageError::TooLarge {
            width,
            height,
            max_side: limits.max_side,
            max_megapixels: limits.max_pixels / 1_000_000,
        },
        _ => ImageError::Unreadable,
    })?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Whether the JPEG's image data runs to its end-of-image marker. Segments before the
/// scan are skipped by their lengths (an EXIF thumbnail has its own markers); inside the
/// scan a 0xFF byte of data is always followed by 0x00 or a restart marker, so the first
/// marker of any other kind ends it.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut at = 2;
    // Up to the start of scan.
    loop {
        let Some(&[0xFF, marker]) = bytes.get(at..at + 2) else { return false };
        match marker {
            0xFF => at += 1,
            0xD9 => return false,
            0xDA => break,
            0x01 | 0xD0..=0xD7 => at += 2,
            _ => {
                let Some(len) = bytes.get(at + 2..at + 4) else { return false };
                at += 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
            }
        }
    }
    // Through the scans (progressive files have several) to the end-of-image marker.
    let mut at = at + 2;
    while at + 1 < bytes.len() {
        if bytes[at] == 0xFF {
            match bytes[at + 1] {
                0xD9 => return true,
                0x00 | 0xFF | 0xD0..=0xD7 => {}
                0xDA | 0xC4 | 0xDB | 0xDD => {
                    // Another scan's header (or tables between scans): skip it.
                    let Some(len) = bytes.get(at + 2..at + 4) else { return false };
                    at += 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
                    continue;
                }
                _ => return false,
            }
        }
        at += 1;
    }
    false
}

/// Whether any pixel is not fully opaque (then PNG keeps it; else JPEG is far smaller).
fn has_transparency(image: &DynamicImage) -> bool {
    image.color().has_alpha() && image.to_rgba8().pixels().any(|pixel| pixel.0[3] < 255)
}

/// The serving widths up to the original's (the original's own when it is narrower than
/// the smallest), and the widest one when it had to be scaled. Each is scaled from the
/// next larger one, so the full-size picture is read once.
fn widths(image: &DynamicImage, transparent: bool) -> Result<(Vec<Rendition>, Option<DynamicImage>), ImageError> {
    let mut targets: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < image.width()).collect();
    if targets.len() < WIDTHS.len() {
        // The original is narrower than the widest width: serve it at its own width too.
        targets.push(image.width());
    }
    let mut renditions = Vec::with_capacity(targets.len());
    let mut widest = None;
    let mut scaled: Option<DynamicImage> = None;
    for &width in targets.iter().rev() {
        let source = scaled.as_ref().unwrap_or(image);
        if width == source.width() {
            renditions.push(encode(source, transparent)?);
            continue;
        }
        let next =
            source.resize_exact(width, scaled_height(image.width(), image.height(), width), FilterType::Triangle);
        renditions.push(encode(&next, transparent)?);
        if renditions.len() == 1 {
            widest = Some(next.clone());
        }
        scaled = Some(next);
    }
    renditions.reverse();
    Ok((renditions, widest))
}

fn squares(image: &DynamicImage, transparent: bool) -> Result<Vec<Rendition>, ImageError> {
    let side = image.width().min(image.height());
    // The centred square, cut (not scaled) from the original.
    let mut square = image.crop_imm((image.width() - side) / 2, (image.height() - side) / 2, side, side);
    let mut renditions = Vec::with_capacity(AVATAR_SIZES.len());
    for &size in AVATAR_SIZES.iter().rev() {
        let size = size.min(side);
        if size != square.width() {
            square = square.resize_exact(size, size, FilterType::Triangle);
        }
        renditions.push(encode(&square, transparent)?);
    }
    renditions.reverse();
    renditions.dedup_by_key(|r| r.width);
    Ok(renditions)
}

fn scaled_height(width: u32, height: u32, to_width: u32) -> u32 {
    ((u64::from(height) * u64::from(to_width) + u64::from(width) / 2) / u64::from(width)).max(1) as u32
}

/// Scales to cover `width`×`height` and crops the middle.
fn fill(image: &DynamicImage, width: u32, height: u32) -> DynamicImage {
    image.resize_to_fill(width, height, FilterType::Triangle)
}

fn encode(image: &DynamicImage, transparent: bool) -> Result<Rendition, ImageError> {
    let (width, height) = (image.width(), image.height());
    let mut bytes = Vec::new();
    let kind = if transparent {
        let rgba = image.to_rgba8();
        PngEncoder::new(&mut bytes)
            .write_image(rgba.as_raw(), width, height, ExtendedColorType::Rgba8)
            .map_err(|_| ImageError::Unreadable)?;
        FileType::Png
    } else {
        let rgb: RgbImage = image.to_rgb8();
        JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
            .encode(rgb.as_raw(), width, height, ExtendedColorType::Rgb8)
            .map_err(|_| ImageError::Unreadable)?;
        FileType::Jpeg
    };
    Ok(Rendition { width, height, kind, bytes })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{jpeg, png, png_claiming, with_exif};
    use super::*;

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_photo_gets_every_width_up_to_its_own_and_a_card() {
        let out = process(&jpeg(2000, 1000), FileType::Jpeg, Purpose::Cover, &ImageLimits::default()).unwrap();
        let sizes: Vec<_> = out.renditions.iter().map(|r| (r.width, r.height)).collect();
        assert_eq!(sizes, vec![(320, 160), (640, 320), (1280, 640), (1920, 960)]);
        assert!(out.renditions.iter().all(|r| r.kind == FileType::Jpeg));
        let card = out.card.unwrap();
        assert_eq!((card.width, card.height), CARD);
        // Every output is a JPEG a decoder reads back at the size it claims.
        let back = image::load_from_memory(&card.bytes).unwrap();
        assert_eq!((back.width(), back.height()), CARD);
    }

    #[test]
    fn the_card_comes_from_the_widest_rendition_or_the_original() {
        // Narrower than 1920: the widest rendition is the original, and the card too is
        // made from it (not from a smaller rendition scaled up).
        let (renditions, widest) = widths(&image::load_from_memory(&jpeg(1000, 2000)).unwrap(), false).unwrap();
        assert_eq!(renditions.last().unwrap().width, 1000);
        assert!(widest.is_none());
        let (_, widest) = widths(&image::load_from_memory(&jpeg(3000, 1000)).unwrap(), false).unwrap();
        assert_eq!(widest.map(|w| w.width()), Some(1920));
    }

    #[test]
    fn a_small_image_is_never_scaled_up() {
        let out = process(&jpeg(500, 300), FileType::Jpeg, Purpose::Inline, &ImageLimits::default()).unwrap();
        let sizes: Vec<_> = out.renditions.iter().map(|r| (r.width, r.height)).collect();
        assert_eq!(sizes, vec![(320, 192), (500, 300)]);
        assert!(out.card.is_none());
    }

    #[test]
    fn exif_is_stripped_and_its_orientation_applied() {
        // Orientation 6: the camera was turned; the upright picture is taller than wide.
        let photo = with_exif(&jpeg(400, 200), 6);
        assert!(contains(&photo, b"SecretCam"));
        let out = process(&photo, FileType::Jpeg, Purpose::Inline, &ImageLimits::default()).unwrap();
        assert_eq!((out.width, out.height), (200, 400));
        for rendition in &out.renditions {
            assert!(!contains(&rendition.bytes, b"Exif"), "no EXIF left");
            assert!(!contains(&rendition.bytes, b"SecretCam"));
        }
    }

    #[test]
    fn transparency_is_kept_as_png_and_opaque_pngs_become_jpegs() {
        let clear = process(&png(100, 100, 128), FileType::Png, Purpose::Inline, &ImageLimits::default()).unwrap();
        assert_eq!(clear.renditions[0].kind, FileType::Png);
        let opaque = process(&png(100, 100, 255), FileType::Png, Purpose::Inline, &ImageLimits::default()).unwrap();
        assert_eq!(opaque.renditions[0].kind, FileType::Jpeg);
    }

    #[test]
    fn avatars_are_centred_squares() {
        let out = process(&jpeg(600, 300), FileType::Jpeg, Purpose::Avatar, &ImageLimits::default()).unwrap();
        let sizes: Vec<_> = out.renditions.iter().map(|r| (r.width, r.height)).collect();
        assert_eq!(sizes, vec![(64, 64), (128, 128), (256, 256)]);
    }

    #[test]
    fn huge_dimensions_are_refused_before_decoding() {
        // A PNG header claiming 60,000 × 60,000 pixels, with almost no data behind it.
        let limits = ImageLimits::default();
        let bomb = png_claiming(60_000, 60_000);
        let error = process(&bomb, FileType::Png, Purpose::Inline, &limits).unwrap_err();
        assert!(matches!(error, ImageError::TooLarge { width: 60_000, height: 60_000, .. }), "{error:?}");
        // Within the sides but over the pixel count.
        let small = ImageLimits { max_pixels: 10_000, ..limits };
        let error = process(&jpeg(200, 200), FileType::Jpeg, Purpose::Inline, &small).unwrap_err();
        assert!(matches!(error, ImageError::TooLarge { .. }));
    }

    #[test]
    fn truncated_and_mislabelled_files_are_unreadable() {
        let whole = jpeg(300, 300);
        for cut in [&whole[..whole.len() / 3], &whole[..whole.len() - 2], &whole[..100]] {
            assert_eq!(
                process(cut, FileType::Jpeg, Purpose::Inline, &ImageLimits::default()).unwrap_err(),
                ImageError::Unreadable
            );
        }
        // Still complete with an EXIF segment (which may hold a thumbnail's markers).
        assert!(process(&with_exif(&whole, 1), FileType::Jpeg, Purpose::Inline, &ImageLimits::default()).is_ok());
        let png = png(50, 50, 255);
        assert_eq!(
            process(&png[..png.len() - 20], FileType::Png, Purpose::Inline, &ImageLimits::default()).unwrap_err(),
            ImageError::Unreadable
        );
        assert_eq!(
            process(b"%PDF-1.4", FileType::Pdf, Purpose::Inline, &ImageLimits::default()).unwrap_err(),
            ImageError::NotAnImage
        );
    }

    #[test]
    fn anything_after_the_image_data_is_dropped() {
        // A polyglot: a valid JPEG with an HTML page (or a ZIP) appended.
        let mut polyglot = jpeg(200, 100);
        polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>PK\x03\x04");
        let out = process(&polyglot, FileType::Jpeg, Purpose::Inline, &ImageLimits::default()).unwrap();
        for rendition in &out.renditions {
            assert!(!contains(&rendition.bytes, b"<script>"));
            assert!(!contains(&rendition.bytes, b"PK\x03\x04"));
        }
    }
}
