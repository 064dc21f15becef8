//! A smaller copy of a picture that is over the relay's file limit (an ordinary phone
//! photo is over 4 MiB), made on a thread of its own: read, decode within limits, scale
//! down and encode as JPEG until it fits. The frame loop never waits on it.

use std::io::{Cursor, Read as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageReader, Limits};

use super::read::name_of;
use crate::files::picked::{Picked, Read, Unread};
use crate::files::smaller::{QUALITY, could_not, first_side, jpeg_name, next_side};

/// The largest picture file read to make a copy of: a 48-megapixel phone photo is about
/// 20 MiB; anything much bigger is not a photo a chat should take on.
const MAX_SOURCE_BYTES: u64 = 64 << 20;

/// Widest or tallest picture decoded for a copy (larger: refused in words).
const MAX_SOURCE_SIDE: u32 = 12_000;

/// Most bytes the decoder may allocate: a 48-megapixel picture in RGBA, with room.
const MAX_SOURCE_ALLOC: u64 = 256 << 20;

/// Makes a smaller copy of the picture at `path` on a new thread, under `max` bytes, and
/// sends it into `tx` as a file to attach (waking egui).
pub fn spawn_smaller(path: PathBuf, max: u64, tx: Sender<Read>, ctx: egui::Context) {
    std::thread::spawn(move || {
        let _ = tx.send(smaller_copy(&path, max));
        ctx.request_repaint();
    });
}

/// The picture at `path` as a JPEG file under `max` bytes, named after it (`beach.png`
/// becomes `beach.jpg`), or why not, in words for the room.
pub fn smaller_copy(path: &Path, max: u64) -> Read {
    let name = name_of(path);
    let failed = |why: String| Unread::Failed(could_not(&name, &why));
    let file = std::fs::File::open(path).map_err(|e| failed(e.to_string()))?;
    let mut bytes = Vec::new();
    (file.take(MAX_SOURCE_BYTES + 1))
        .read_to_end(&mut bytes)
        .map_err(|e| failed(e.to_string()))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(failed("it is too large to read as a picture.".into()));
    }
    let bytes = shrink(&bytes, max).map_err(failed)?;
    Ok(Picked {
        name: jpeg_name(&name),
        mime: "image/jpeg".into(),
        bytes,
    })
}

/// Re-encodes the picture in `bytes` as a JPEG of at most `max` bytes: scaled so its
/// longest side is at most `smaller::FIRST_SIDE`, then smaller in steps until it fits.
pub fn shrink(bytes: &[u8], max: u64) -> Result<Vec<u8>, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_SIDE);
    limits.max_image_height = Some(MAX_SOURCE_SIDE);
    limits.max_alloc = Some(MAX_SOURCE_ALLOC);
    reader.limits(limits);
    let picture = reader.decode().map_err(|e| format!("{e}."))?;
    let mut side = first_side(picture.width(), picture.height());
    loop {
        let copy = encode(&picture, side)?;
        if copy.len() as u64 <= max {
            return Ok(copy);
        }
        side = next_side(side, copy.len() as u64, max)
            .ok_or("this server's file limit is too small even for a small picture.")?;
    }
}

/// `picture` scaled to fit a `side` x `side` square, as JPEG (transparent parts on black,
/// as JPEG has no transparency).
fn encode(picture: &DynamicImage, side: u32) -> Result<Vec<u8>, String> {
    let scaled = if picture.width().max(picture.height()) > side {
        picture.resize(side, side, FilterType::Triangle)
    } else {
        picture.clone()
    };
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, QUALITY);
    (scaled.to_rgb8().write_with_encoder(encoder)).map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A noisy RGB picture (noise does not compress: the hardest case for a size limit),
    /// as PNG.
    fn noisy_png(width: u32, height: u32) -> Vec<u8> {
        let mut seed = 0x2545_f491_u32;
        let picture = image::RgbImage::from_fn(width, height, |_, _| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let [r, g, b, _] = seed.to_le_bytes();
            image::Rgb([r, g, b])
        });
        let mut out = Vec::new();
        (picture.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)).expect("encodes");
        out
    }

    #[test]
    fn a_picture_over_the_limit_comes_back_as_a_jpeg_under_it_with_its_shape() {
        let png = noisy_png(1600, 1200);
        let max = 200 * 1024;
        assert!(
            png.len() as u64 > 20 * max,
            "the source is far over: {}",
            png.len()
        );
        let copy = shrink(&png, max).expect("a copy");
        assert!(copy.len() as u64 <= max, "{} bytes", copy.len());
        assert_eq!(
            image::guess_format(&copy).ok(),
            Some(image::ImageFormat::Jpeg)
        );
        let (w, h) = image::ImageReader::new(Cursor::new(&copy))
            .with_guessed_format()
            .expect("reads")
            .into_dimensions()
            .expect("dimensions");
        assert!(w < 1600 && w > 300, "scaled down, not to nothing: {w}");
        let shape = f64::from(w) / f64::from(h);
        assert!((shape - 4.0 / 3.0).abs() < 0.01, "4:3 kept: {w} x {h}");
    }

    #[test]
    fn a_smaller_copy_is_named_after_the_file_as_a_jpeg() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("beach.png");
        std::fs::write(&path, noisy_png(400, 300)).expect("written");
        let copy = smaller_copy(&path, 1 << 20).expect("a copy");
        assert_eq!(
            (copy.name.as_str(), copy.mime.as_str()),
            ("beach.jpg", "image/jpeg")
        );
        assert!(copy.bytes.len() <= 1 << 20);
    }

    #[test]
    fn a_file_that_is_not_a_picture_is_refused_in_words() {
        let why = shrink(b"just some text, not a picture", 1000).expect_err("not a picture");
        assert!(!why.is_empty());
    }
}
