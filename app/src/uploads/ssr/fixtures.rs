//! Test pictures made in code, for the unit and integration tests and the benchmark:
//! no binary fixtures in the repository.

use image::{
    codecs::{jpeg::JpegEncoder, png::PngEncoder},
    ExtendedColorType, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage,
};

/// A JPEG of `width`×`height` with a gradient, so that it compresses like a photo.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]));
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode(image.as_raw(), width, height, ExtendedColorType::Rgb8)
        .unwrap();
    bytes
}

pub fn png(width: u32, height: u32, alpha: u8) -> Vec<u8> {
    let image = RgbaImage::from_pixel(width, height, Rgba([10, 120, 200, alpha]));
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes).write_image(image.as_raw(), width, height, ExtendedColorType::Rgba8).unwrap();
    bytes
}

/// Puts an EXIF APP1 segment (orientation `orientation`, and a camera make that must
/// not survive) right after the JPEG's start-of-image marker.
pub fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    // TIFF header (little endian), one IFD with two entries: Orientation, Make.
    let make = b"SecretCam\0";
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    // Orientation: tag 0x0112, SHORT, count 1, value inline.
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    // Make: tag 0x010F, ASCII, count 10, at offset 8 + 2 + 2*12 + 4 = 38.
    tiff.extend_from_slice(&0x010Fu16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&(make.len() as u32).to_le_bytes());
    tiff.extend_from_slice(&38u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(make);
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((segment.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A photo-like JPEG: smooth light plus per-pixel noise, so that it compresses (and costs
/// to decode) like a camera's picture, not like a test card.
pub fn photo(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let image = RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let noise = (seed % 24) as u32;
        let r = (x * 200 / width + noise) as u8;
        let g = (y * 180 / height + noise) as u8;
        let b = ((x + y) * 150 / (width + height) + noise) as u8;
        Rgb([r, g, b])
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 92)
        .encode(image.as_raw(), width, height, ExtendedColorType::Rgb8)
        .unwrap();
    bytes
}

/// A PNG whose header claims `width`×`height` pixels (checksum fixed) over one pixel of
/// data: a decompression bomb's shape without its cost.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bomb = png(1, 1, 255);
    bomb[16..20].copy_from_slice(&width.to_be_bytes());
    bomb[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    bomb
}
