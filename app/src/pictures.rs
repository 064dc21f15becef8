//! [`Pictures`]: the app's cache of attached pictures, read by the views. It keeps what a
//! picture costs to get again: its texture on the GPU, and the encoded bytes it was decoded
//! from (so a texture evicted while scrolled away is decoded again, not downloaded again).
//!
//! Both are bounded LRUs (the `lru` crate), by bytes: what was drawn least recently goes
//! first. Where a download is at is not here: the model owns that
//! ([`crate::state::FetchStatus`]). No drawing and no decoding here either: the app
//! decodes (`files.rs`) and the views draw (`ui/attachment.rs`).

use std::collections::HashSet;

use egui::{ColorImage, TextureHandle, TextureOptions};
use lru::LruCache;

/// Most bytes of decoded pixels kept as textures (RGBA, 4 bytes a pixel): about 200
/// full-size thumbnails. Past it the least recently drawn texture is dropped; drawn again,
/// it is decoded again from [`ENCODED_BYTES`] or, if its bytes went too, fetched again.
pub const TEXTURE_BYTES: usize = 64 * 1024 * 1024;
/// Most bytes of encoded pictures kept for decoding again. Past it the least recently used
/// file is dropped (a picture of its own larger than this is not kept at all).
pub const ENCODED_BYTES: usize = 32 * 1024 * 1024;

/// What the cache has for one attachment.
#[derive(Clone, PartialEq)]
pub enum Picture {
    /// Decoded and on the GPU: draw it.
    Shown(TextureHandle),
    /// Its bytes are being decoded: a placeholder meanwhile.
    Decoding,
    /// Not shown as a picture (it did not decode): a file card.
    Card,
    /// Nothing: the model may be fetching it, or it must be asked for.
    Missing,
}

// By hand: `TextureHandle` has no `Debug`; its id says which texture it is.
impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Shown(texture) => write!(f, "Shown({:?})", texture.id()),
            Self::Decoding => f.write_str("Decoding"),
            Self::Card => f.write_str("Card"),
            Self::Missing => f.write_str("Missing"),
        }
    }
}

/// The decoded pictures and their encoded bytes, each bounded, least recently used first
/// out.
pub struct Pictures {
    textures: LruCache<String, TextureHandle>,
    /// What the textures hold, in bytes (kept at most [`TEXTURE_BYTES`]).
    texture_bytes: usize,
    encoded: LruCache<String, Vec<u8>>,
    /// What `encoded` holds, in bytes (kept at most [`ENCODED_BYTES`]).
    encoded_bytes: usize,
    /// Being decoded now (a result for an id not here is stale and dropped).
    decoding: HashSet<String>,
    /// Did not decode: shown as file cards. Only ids, so unbounded costs little, and
    /// cleared with the rest when the person leaves.
    cards: HashSet<String>,
}

impl Default for Pictures {
    fn default() -> Self {
        Self {
            textures: LruCache::unbounded(),
            texture_bytes: 0,
            encoded: LruCache::unbounded(),
            encoded_bytes: 0,
            decoding: HashSet::new(),
            cards: HashSet::new(),
        }
    }
}

impl Pictures {
    /// What there is for attachment `id`; a texture counts as drawn now (it goes to the back
    /// of the eviction line).
    pub fn get(&mut self, id: &str) -> Picture {
        if let Some(texture) = self.textures.get(id) {
            Picture::Shown(texture.clone())
        } else if self.decoding.contains(id) {
            Picture::Decoding
        } else if self.cards.contains(id) {
            Picture::Card
        } else {
            Picture::Missing
        }
    }

    /// The texture of `id`, if decoded (without counting as drawn).
    pub fn texture(&self, id: &str) -> Option<&TextureHandle> {
        self.textures.peek(id)
    }

    /// Keeps the encoded `bytes` of `id` and marks it as being decoded: the caller starts
    /// the decoding, and [`Pictures::decoded`] takes its result.
    pub fn decoding(&mut self, id: &str, bytes: &[u8]) {
        self.decoding.insert(id.to_owned());
        if bytes.len() > ENCODED_BYTES || self.encoded.contains(id) {
            return;
        }
        self.encoded.put(id.to_owned(), bytes.to_vec());
        self.encoded_bytes += bytes.len();
        while self.encoded_bytes > ENCODED_BYTES {
            let Some((_, old)) = self.encoded.pop_lru() else {
                break;
            };
            self.encoded_bytes -= old.len();
        }
    }

    /// The encoded bytes of `id`, if still kept, marking it as being decoded again: a
    /// texture was evicted and the picture is in view again.
    pub fn decode_again(&mut self, id: &str) -> Option<Vec<u8>> {
        let bytes = self.encoded.get(id)?.clone();
        self.decoding.insert(id.to_owned());
        Some(bytes)
    }

    /// A decoding finished: upload the picture to the GPU once and keep it (evicting the
    /// least recently drawn beyond [`TEXTURE_BYTES`]), or, `Err`, show a card. Results for
    /// ids no longer being decoded (the person left meanwhile) are dropped.
    pub fn decoded(&mut self, ctx: &egui::Context, id: &str, image: Result<ColorImage, String>) {
        if !self.decoding.remove(id) {
            return;
        }
        match image {
            Ok(image) => {
                let texture = ctx.load_texture(texture_name(id), image, TextureOptions::LINEAR);
                self.keep_texture(id, texture);
            }
            Err(why) => {
                log::info!("attachment {id} is shown as a file: {why}");
                self.cards.insert(id.to_owned());
            }
        }
    }

    fn keep_texture(&mut self, id: &str, texture: TextureHandle) {
        self.texture_bytes += texture_bytes(&texture);
        if let Some(old) = self.textures.put(id.to_owned(), texture) {
            self.texture_bytes -= texture_bytes(&old);
        }
        // The newest stays even alone over the budget: it is on screen now.
        while self.texture_bytes > TEXTURE_BYTES && self.textures.len() > 1 {
            let Some((_, old)) = self.textures.pop_lru() else {
                break;
            };
            self.texture_bytes -= texture_bytes(&old);
        }
    }

    /// Forgets everything (the person left): textures are freed on the GPU with their
    /// last handle, and decodings still running are dropped when they finish.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

/// The name the texture of attachment `id` is loaded under in egui.
pub fn texture_name(id: &str) -> String {
    format!("attachment-{id}")
}

fn texture_bytes(texture: &TextureHandle) -> usize {
    let [w, h] = texture.size();
    w * h * 4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(side: usize) -> ColorImage {
        ColorImage::filled([side, side], egui::Color32::RED)
    }

    #[test]
    fn a_decoded_picture_is_shown_and_an_undecodable_one_is_a_card() {
        let ctx = egui::Context::default();
        let mut p = Pictures::default();
        assert_eq!(p.get("a"), Picture::Missing);
        p.decoding("a", b"png");
        assert_eq!(p.get("a"), Picture::Decoding);
        p.decoded(&ctx, "a", Ok(image(4)));
        assert!(matches!(p.get("a"), Picture::Shown(_)));
        p.decoding("b", b"junk");
        p.decoded(&ctx, "b", Err("broken".into()));
        assert_eq!(p.get("b"), Picture::Card);
    }

    #[test]
    fn textures_past_the_budget_go_least_recently_drawn_first_and_decode_again_from_kept_bytes() {
        let ctx = egui::Context::default();
        let mut p = Pictures::default();
        // 2048 x 2048 x 4 = 16 MiB each: four fit in the budget, a fifth evicts one.
        for id in ["a", "b", "c", "d"] {
            p.decoding(id, id.as_bytes());
            p.decoded(&ctx, id, Ok(image(2048)));
        }
        assert!(matches!(p.get("a"), Picture::Shown(_)), "a drawn again");
        p.decoding("e", b"e");
        p.decoded(&ctx, "e", Ok(image(2048)));
        assert!(
            matches!(p.get("a"), Picture::Shown(_)),
            "kept: drawn lately"
        );
        assert_eq!(p.get("b"), Picture::Missing, "evicted: drawn longest ago");
        assert_eq!(p.decode_again("b"), Some(b"b".to_vec()), "no download");
        assert_eq!(p.get("b"), Picture::Decoding);
    }

    #[test]
    fn encoded_bytes_past_their_budget_are_dropped_oldest_first() {
        let mut p = Pictures::default();
        let big = vec![0; ENCODED_BYTES / 2];
        p.decoding("a", &big);
        p.decoding("b", &big);
        p.decoding("c", &big);
        assert_eq!(p.decode_again("a"), None);
        assert!(p.decode_again("c").is_some());
        p.decoding("huge", &vec![0; ENCODED_BYTES + 1]);
        assert_eq!(
            p.decode_again("huge"),
            None,
            "larger than the budget: not kept"
        );
    }

    #[test]
    fn a_decoding_that_ends_after_leaving_is_dropped() {
        let ctx = egui::Context::default();
        let mut p = Pictures::default();
        p.decoding("a", b"png");
        p.clear();
        p.decoded(&ctx, "a", Ok(image(4)));
        assert_eq!(p.get("a"), Picture::Missing);
    }
}
