//! How a smaller copy of a picture over the relay's limit is made, the same on both
//! targets (the desktop scales with the `image` crate, the browser with a canvas): the
//! sizes tried, the JPEG quality, and the copy's name. Numbers and names only: no I/O.

/// The copy's longest side to start from: sharp on any phone or laptop screen.
pub const FIRST_SIDE: u32 = 2560;

/// Below this longest side a copy is not worth sending: the limit is too small for a
/// picture (the relay takes a few KiB at most).
pub const MIN_SIDE: u32 = 320;

/// JPEG quality of the copy (0 to 100): photos look unchanged at 82, at a fifth of their
/// PNG size.
pub const QUALITY: u8 = 82;

/// The longest side to try first for a `width` x `height` picture.
pub fn first_side(width: u32, height: u32) -> u32 {
    FIRST_SIDE.min(width.max(height))
}

/// The longest side to try after a copy with longest side `side` came out at `size`
/// bytes, over `max`: a JPEG's size grows about with its pixel count, so aim just under
/// the limit, and always at least a tenth smaller. `None`: below [`MIN_SIDE`], give up.
pub fn next_side(side: u32, size: u64, max: u64) -> Option<u32> {
    let ratio = (max as f64 / size.max(1) as f64).sqrt() * 0.9;
    let next = (f64::from(side) * ratio.min(0.9)) as u32;
    (next >= MIN_SIDE).then_some(next)
}

/// The copy's name: the picture's, as a JPEG (`beach.png` becomes `beach.jpg`).
pub fn jpeg_name(name: &str) -> String {
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    format!("{stem}.jpg")
}

/// Why no copy could be made, in words for the room.
pub fn could_not(name: &str, why: &str) -> String {
    format!("Could not make a smaller copy of {name}: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_try_is_smaller_and_aims_under_the_limit() {
        assert_eq!(first_side(4032, 3024), FIRST_SIDE);
        assert_eq!(first_side(800, 600), 800, "never scaled up");
        // Four times over: about half the side (a quarter of the pixels), a little less.
        let next = next_side(2560, 4_000_000, 1_000_000).expect("worth a try");
        assert!((1100..1280).contains(&next), "{next}");
        // Just over: still a tenth smaller, so the tries end.
        let just_over = next_side(1000, 1_000_001, 1_000_000);
        assert!(
            just_over.is_some_and(|n| (890..=900).contains(&n)),
            "{just_over:?}"
        );
        assert_eq!(
            next_side(400, 10_000_000, 1000),
            None,
            "the limit is too small"
        );
    }

    #[test]
    fn the_copy_is_named_as_a_jpeg() {
        assert_eq!(jpeg_name("beach.png"), "beach.jpg");
        assert_eq!(jpeg_name("IMG_0042.JPG"), "IMG_0042.jpg");
        assert_eq!(jpeg_name("photo.tar.webp"), "photo.tar.jpg");
        assert_eq!(jpeg_name("noext"), "noext.jpg");
        assert_eq!(jpeg_name(".hidden"), ".hidden.jpg");
    }
}
