//! Turning an attachment's bytes into pixels, safely: [`header_allows`] reads the size
//! from the header before anything is allocated; then natively the `image` crate decodes
//! within `image::Limits`, and on the web the browser's own decoder does (platform/web/files.rs).
//! No egui textures here (see the parent module) and no threads (the app decides where
//! this runs).

#[cfg(not(target_arch = "wasm32"))]
use std::io::Cursor;

#[cfg(not(target_arch = "wasm32"))]
use egui::ColorImage;
#[cfg(not(target_arch = "wasm32"))]
use image::{ImageFormat, ImageReader, Limits};

/// Widest or tallest picture decoded; larger ones are shown as a file card.
pub const MAX_SIDE: u32 = 8192;
/// Most bytes the decoder may allocate (RGBA pixels plus its own buffers).
pub const MAX_ALLOC: u64 = 64 * 1024 * 1024;

/// Whether a picture of `width` x `height` (as a header claims) may be decoded at all.
pub fn dimensions_allowed(width: u32, height: u32) -> bool {
    width > 0
        && height > 0
        && width <= MAX_SIDE
        && height <= MAX_SIDE
        && u64::from(width) * u64::from(height) * 4 <= MAX_ALLOC
}

/// Whether `bytes` start like a PNG, JPEG, GIF or WebP whose header claims a size that
/// [`dimensions_allowed`]; its width and height if so. Reads the header only: the gate
/// before any decoder runs, the `image` crate's natively and the browser's on the web.
pub fn header_allows(bytes: &[u8]) -> Result<(u32, u32), String> {
    use imagesize::ImageType;
    let kind = imagesize::image_type(bytes).map_err(|e| e.to_string())?;
    if !matches!(
        kind,
        ImageType::Png | ImageType::Jpeg | ImageType::Gif | ImageType::Webp
    ) {
        return Err(format!("not a picture this app shows ({kind:?})"));
    }
    let size = imagesize::blob_size(bytes).map_err(|e| e.to_string())?;
    let side = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let (width, height) = (side(size.width), side(size.height));
    if !dimensions_allowed(width, height) {
        return Err(format!("{width} x {height} is too large to show"));
    }
    Ok((width, height))
}

/// Decodes PNG, JPEG, GIF (first frame) or WebP into RGBA pixels, once [`header_allows`]
/// has passed it, within `image::Limits`. Anything else, a header claiming too many
/// pixels, data that ends early or breaks the format: `Err`, in words.
#[cfg(not(target_arch = "wasm32"))]
pub fn decode(bytes: &[u8]) -> Result<ColorImage, String> {
    header_allows(bytes)?;
    let format = image::guess_format(bytes).map_err(|e| e.to_string())?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let rgba = reader.decode().map_err(|e| e.to_string())?.into_rgba8();
    let size = [rgba.width() as usize, rgba.height() as usize];
    Ok(ColorImage::from_rgba_unmultiplied(size, rgba.as_raw()))
}

/// Encodes pasted pixels as PNG, to upload them as a file (native: the browser hands the
/// page a pasted picture's file, see platform/web/files.rs).
#[cfg(not(target_arch = "wasm32"))]
pub fn encode_png(image: &ColorImage) -> Option<Vec<u8>> {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let buffer = image::RgbaImage::from_raw(w as u32, h as u32, rgba)?;
    let mut out = Cursor::new(Vec::new());
    buffer.write_to(&mut out, ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG signature and IHDR chunk claiming `width` x `height`, and nothing after it.
    pub fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(b"IHDR");
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        let crc = crc32(&ihdr);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc.to_be_bytes());
        png
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_header_claiming_a_hundred_thousand_pixels_a_side_is_refused_without_allocating() {
        assert!(decode(&png_header(100_000, 100_000)).is_err());
        assert!(!dimensions_allowed(100_000, 100_000));
        assert!(!dimensions_allowed(u32::MAX, u32::MAX));
    }

    #[test]
    fn the_header_check_passes_what_the_decoders_would_show_and_nothing_larger() {
        let png = encode_png(&ColorImage::filled([40, 30], egui::Color32::RED)).expect("png");
        assert_eq!(header_allows(&png), Ok((40, 30)));
        assert_eq!(header_allows(&png_header(8192, 2048)), Ok((8192, 2048)));
        for (w, h) in [(100_000, 100_000), (8193, 1), (8192, 8192), (0, 10)] {
            assert!(header_allows(&png_header(w, h)).is_err(), "{w} x {h}");
        }
        assert!(header_allows(b"hello").is_err());
        assert!(
            header_allows(b"BM\x3a\0\0\0").is_err(),
            "a BMP is not shown inline"
        );
    }

    #[test]
    fn truncated_and_garbage_data_is_an_error_not_a_panic() {
        let png = encode_png(&ColorImage::filled([40, 30], egui::Color32::RED)).expect("png");
        assert_eq!(decode(&png).expect("whole file decodes").size, [40, 30]);
        for cut in [8, 33, png.len() / 2] {
            assert!(decode(&png[..cut]).is_err(), "cut at {cut}");
        }
        assert!(decode(b"hello").is_err());
        assert!(decode(&png_header(16, 16)).is_err());
    }
}
