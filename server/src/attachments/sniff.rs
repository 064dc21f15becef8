//! What an uploaded file is, from its bytes: its MIME type by magic numbers, and for
//! images the pixel size their header states.
//!
//! Nothing here decodes an image: `imagesize` reads a few header fields, so a hostile or
//! truncated file costs at most a short scan and yields "not known". The dimensions are
//! what the header claims (a decompression bomb may claim 65535 × 65535); clients decide
//! what to do with them.

/// What the relay found in a file's bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sniffed {
    /// The MIME type the magic numbers say, if they say one.
    pub mime: Option<String>,
    /// Pixel width and height, for images whose header states them.
    pub dimensions: Option<(u32, u32)>,
}

/// Looks at `data`'s first bytes.
pub fn sniff(data: &[u8]) -> Sniffed {
    let kind = infer::get(data);
    let mime = kind.map(|k| k.mime_type().to_owned());
    let is_image = kind.is_some_and(|k| k.matcher_type() == infer::MatcherType::Image);
    let dimensions = is_image
        .then(|| imagesize::blob_size(data).ok())
        .flatten()
        .and_then(|size| {
            Some((
                u32::try_from(size.width).ok()?,
                u32::try_from(size.height).ok()?,
            ))
        });
    Sniffed { mime, dimensions }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 PNG's signature and IHDR chunk, with `width` and `height` patched in.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
        bytes.extend_from_slice(&13u32.to_be_bytes());
        bytes.extend_from_slice(b"IHDR");
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&[8, 6, 0, 0, 0]);
        bytes
    }

    #[test]
    fn a_png_header_gives_its_type_and_size() {
        let sniffed = sniff(&png_header(640, 480));
        assert_eq!(sniffed.mime.as_deref(), Some("image/png"));
        assert_eq!(sniffed.dimensions, Some((640, 480)));
    }

    #[test]
    fn truncated_or_hostile_headers_give_what_they_can_and_never_panic() {
        let full = png_header(u32::MAX, u32::MAX);
        for len in 0..full.len() {
            let _ = sniff(&full[..len]);
        }
        let jpeg_soi_only = [0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff];
        assert_eq!(sniff(&jpeg_soi_only).dimensions, None);
        assert_eq!(sniff(b"hello").mime, None);
    }
}
