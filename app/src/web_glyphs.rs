//! Which characters the browser can draw (wasm32 only), so an emoji no font of the
//! browser's has is written as its `:shortcode:` instead of a box (see
//! `ui::message_text::readable`). egui cannot say: on the web its glyphs beyond its own
//! fonts come from eframe's Canvas 2D rasterizer, which `has_glyph` does not consult.
//!
//! The test is the one eframe's rasterizer makes: draw the character, then an unassigned
//! code point (which every browser draws as its missing-glyph box), and compare pixels.
//! Each character is tried once per page.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::JsCast as _;
use web_sys::{OffscreenCanvas, OffscreenCanvasRenderingContext2d};

/// Side of the square the probe draws in, in pixels.
const SIDE: u32 = 48;
/// The font the probe asks for: the families eframe's rasterizer draws emoji with.
const FONT: &str =
    "32px system-ui, sans-serif, \"Apple Color Emoji\", \"Segoe UI Emoji\", \"Noto Color Emoji\"";
/// An unassigned code point: no font has it, so the browser draws its box.
const MISSING: &str = "\u{0378}";

thread_local! {
    static PROBE: RefCell<Option<Probe>> = const { RefCell::new(None) };
}

struct Probe {
    context: OffscreenCanvasRenderingContext2d,
    missing: Vec<u8>,
    known: HashMap<char, bool>,
}

impl Probe {
    fn new() -> Option<Self> {
        let canvas = OffscreenCanvas::new(SIDE, SIDE).ok()?;
        let context = canvas
            .get_context("2d")
            .ok()??
            .dyn_into::<OffscreenCanvasRenderingContext2d>()
            .ok()?;
        let mut probe = Self {
            context,
            missing: Vec::new(),
            known: HashMap::new(),
        };
        probe.missing = probe.draw(MISSING)?;
        Some(probe)
    }

    fn draw(&self, text: &str) -> Option<Vec<u8>> {
        let side = f64::from(SIDE);
        self.context.clear_rect(0.0, 0.0, side, side);
        self.context.set_font(FONT);
        self.context.set_fill_style_str("white");
        self.context.fill_text(text, 4.0, side - 12.0).ok()?;
        Some(
            self.context
                .get_image_data(0.0, 0.0, side, side)
                .ok()?
                .data()
                .0,
        )
    }
}

/// Whether the browser draws `c` with some font (rather than its missing-glyph box).
/// Where the canvas cannot be made, says yes: the browser is left to do its best.
pub fn browser_draws(c: char) -> bool {
    PROBE.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Probe::new();
        }
        let Some(probe) = slot.as_mut() else {
            return true;
        };
        if let Some(&known) = probe.known.get(&c) {
            return known;
        }
        let drawn = probe
            .draw(c.encode_utf8(&mut [0; 4]))
            .is_none_or(|pixels| pixels != probe.missing);
        probe.known.insert(c, drawn);
        drawn
    })
}
