//! Name colours: two hand-picked palettes (dark and light theme), the same hue family in
//! the same slot so a person keeps their colour when the theme changes, the light theme's
//! widget colours ([`light_visuals`]), and the colour science that checks them (WCAG
//! contrast, CIEDE2000 colour difference).
//!
//! The old colours came from a hashed hue, lightened until readable: on a dark panel that
//! pushed most hues towards the same pale yellow-white, so ann, maya and jonas looked
//! alike. Fixed palettes keep every colour saturated and apart.

use egui::Color32;

/// Names on the dark theme (Tailwind 300/400 shades), each ≥ 4.5:1 on its panel.
const DARK: [Color32; 8] = [
    Color32::from_rgb(0x60, 0xa5, 0xfa), // blue
    Color32::from_rgb(0xfb, 0x92, 0x3c), // orange
    Color32::from_rgb(0xa3, 0xe6, 0x35), // lime
    Color32::from_rgb(0xf4, 0x72, 0xb6), // pink
    Color32::from_rgb(0xc0, 0x84, 0xfc), // purple
    Color32::from_rgb(0xfd, 0xe0, 0x47), // yellow
    Color32::from_rgb(0x34, 0xd3, 0x99), // emerald
    Color32::from_rgb(0x22, 0xd3, 0xee), // cyan
];

/// Names on the light theme (Tailwind 700/800 shades), slot for slot the hues of [`DARK`].
const LIGHT: [Color32; 8] = [
    Color32::from_rgb(0x1d, 0x4e, 0xd8),
    Color32::from_rgb(0xc2, 0x41, 0x0c),
    Color32::from_rgb(0x4d, 0x7c, 0x0f),
    Color32::from_rgb(0xbe, 0x18, 0x5d),
    Color32::from_rgb(0x7e, 0x22, 0xce),
    Color32::from_rgb(0x85, 0x4d, 0x0e),
    Color32::from_rgb(0x04, 0x78, 0x57),
    Color32::from_rgb(0x0e, 0x74, 0x90),
];

/// The palette for a theme.
pub fn palette(dark_mode: bool) -> &'static [Color32] {
    if dark_mode { &DARK } else { &LIGHT }
}

/// The colour for `name` in a theme: the same in every session and on every machine.
pub fn for_name(name: &str, dark_mode: bool) -> Color32 {
    // FNV-1a of the lower-case name: stable across runs and platforms, unlike `std`'s
    // randomized hasher. Not the confusable skeleton: its tables would add ~0.3 MB to the
    // web bundle, and names in one room already differ by skeleton.
    let hash = name
        .chars()
        .flat_map(char::to_lowercase)
        .flat_map(|c| u32::from(c).to_le_bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    // FNV's multiply carries only upwards, so its low bits mix poorly: take high ones.
    let colors = palette(dark_mode);
    colors[((hash >> 40) % colors.len() as u64) as usize]
}

/// Outline of buttons and text fields at rest on the light theme: 3.4:1 on the panel.
/// egui's own light theme draws them with no outline (a white field or a gray(230) button
/// on a gray(248) panel, 1.06:1 and 1.2:1), so they hardly stand out from the background.
const LIGHT_BOUNDARY: Color32 = Color32::from_gray(135);

/// egui's light theme, with every boundary at ≥ 3:1 and every text colour at ≥ 4.5:1
/// against the panel (WCAG 2.1, 1.4.11 and 1.4.3; checked by this module's tests).
pub fn light_visuals() -> egui::Visuals {
    let mut visuals = egui::Visuals::light();
    let outline = egui::Stroke::new(1.0, LIGHT_BOUNDARY);
    // Buttons and fields at rest; hovered (gray 105) and focused outlines are darker still.
    visuals.widgets.inactive.bg_stroke = outline;
    // Message text was gray 80: 7.6:1 on the panel but 5.5:1 in a whisper card.
    visuals.widgets.noninteractive.fg_stroke.color = Color32::from_gray(35);
    // Weak text (times, "(you)", the typing line) was the text colour at 60 % alpha:
    // about 2.9:1. An opaque grey keeps it quieter than text and readable, also in a
    // whisper card (4.6:1).
    visuals.weak_text_color = Some(Color32::from_gray(85));
    // Orange-red on near-white was 2.8:1 as text (missed-messages lines) and as the
    // mention bar; amber 700 reads the same way at 4.7:1.
    visuals.warn_fg_color = Color32::from_rgb(0xb4, 0x53, 0x09);
    // Pure red text was 3.8:1; red 700.
    visuals.error_fg_color = Color32::from_rgb(0xb9, 0x1c, 0x1c);
    // Sky blue links were 2.8:1; blue 700.
    visuals.hyperlink_color = Color32::from_rgb(0x1d, 0x4e, 0xd8);
    visuals
}

/// Message text on the dark theme: near-white, 13:1 on the panel. egui's own is gray 140
/// (5.1:1), dimmer than the names above it.
const DARK_TEXT: Color32 = Color32::from_gray(225);

/// Secondary text on the dark theme (times, join and leave lines, "(you)", "away", the
/// composer hint, the typing line): 6.5:1 on the panel and above 4.5:1 on the mention band
/// and in the whisper card. egui's is the text colour faded to #5f5f5f, 2.7:1.
const DARK_WEAK_TEXT: Color32 = Color32::from_gray(160);

/// egui's dark theme with readable text: messages near-white (≥ 7:1), secondary text at
/// ≥ 4.5:1 wherever it sits (WCAG 2.1, 1.4.3; checked by this module's tests).
pub fn dark_visuals() -> egui::Visuals {
    let mut visuals = egui::Visuals::dark();
    visuals.widgets.noninteractive.fg_stroke.color = DARK_TEXT;
    visuals.weak_text_color = Some(DARK_WEAK_TEXT);
    // Pure red text was 4.3:1 on the panel, less on an error card; red 400 reads at 6:1.
    visuals.error_fg_color = DARK_ERROR;
    visuals
}

/// Errors on the dark theme (Tailwind red 400).
const DARK_ERROR: Color32 = Color32::from_rgb(0xf8, 0x71, 0x71);

/// WCAG relative luminance of an sRGB colour (0 black, 1 white).
pub fn relative_luminance(color: Color32) -> f32 {
    let linear = |c: u8| egui::ecolor::linear_f32_from_gamma_u8(c);
    0.2126 * linear(color.r()) + 0.7152 * linear(color.g()) + 0.0722 * linear(color.b())
}

/// WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white).
pub fn contrast(a: Color32, b: Color32) -> f32 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// CIE L*a*b* (D65) of an sRGB colour.
pub fn lab(color: Color32) -> [f64; 3] {
    let lin = |c: u8| f64::from(egui::ecolor::linear_f32_from_gamma_u8(c));
    let (r, g, b) = (lin(color.r()), lin(color.g()), lin(color.b()));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    [
        116.0 * f(y) - 16.0,
        500.0 * (f(x) - f(y)),
        200.0 * (f(y) - f(z)),
    ]
}

/// CIEDE2000 colour difference ΔE00 of two L*a*b* colours (Sharma, Wu & Dalal 2005).
/// About 2.3 is just noticeable side by side; above 10 colours read as different ones.
pub fn ciede2000(lab1: [f64; 3], lab2: [f64; 3]) -> f64 {
    let ([l1, a1, b1], [l2, a2, b2]) = (lab1, lab2);
    let pow7 = |c: f64| c.powi(7);
    let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
    let g = 0.5 * (1.0 - (pow7(c_bar) / (pow7(c_bar) + pow7(25.0))).sqrt());
    let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
    let hue = |b: f64, a: f64| b.atan2(a).to_degrees().rem_euclid(360.0);
    let (h1, h2) = (hue(b1, a1p), hue(b2, a2p));
    let chroma_zero = c1p * c2p == 0.0;
    let dh = match h2 - h1 {
        _ if chroma_zero => 0.0,
        d if d.abs() <= 180.0 => d,
        d if d > 180.0 => d - 360.0,
        d => d + 360.0,
    };
    let d_l = l2 - l1;
    let d_c = c2p - c1p;
    let d_h = 2.0 * (c1p * c2p).sqrt() * (dh / 2.0).to_radians().sin();
    let l_bar = (l1 + l2) / 2.0;
    let cp_bar = (c1p + c2p) / 2.0;
    let h_bar = match (h1 - h2).abs() {
        _ if chroma_zero => h1 + h2,
        d if d <= 180.0 => (h1 + h2) / 2.0,
        _ if h1 + h2 < 360.0 => (h1 + h2 + 360.0) / 2.0,
        _ => (h1 + h2 - 360.0) / 2.0,
    };
    let cos = |deg: f64| deg.to_radians().cos();
    let t =
        1.0 - 0.17 * cos(h_bar - 30.0) + 0.24 * cos(2.0 * h_bar) + 0.32 * cos(3.0 * h_bar + 6.0)
            - 0.20 * cos(4.0 * h_bar - 63.0);
    let d_theta = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
    let r_c = 2.0 * (pow7(cp_bar) / (pow7(cp_bar) + pow7(25.0))).sqrt();
    let s_l = 1.0 + 0.015 * (l_bar - 50.0).powi(2) / (20.0 + (l_bar - 50.0).powi(2)).sqrt();
    let s_c = 1.0 + 0.045 * cp_bar;
    let s_h = 1.0 + 0.015 * cp_bar * t;
    let r_t = -(2.0 * d_theta).to_radians().sin() * r_c;
    let (l, c, h) = (d_l / s_l, d_c / s_c, d_h / s_h);
    (l * l + c * c + h * h + r_t * c * h).sqrt()
}

#[cfg(test)]
mod tests;
