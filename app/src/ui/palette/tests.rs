//! The palettes are readable on their theme and tell names apart.

use super::*;

/// Smallest CIEDE2000 distance allowed between two colours of one palette: well above the
/// ~2.3 of a just-noticeable difference, so two names read as two colours at a glance.
const MIN_DELTA_E: f64 = 14.0;

#[test]
fn ciede2000_matches_the_published_test_data() {
    // Pairs 1, 7 and 17 of Sharma, Wu & Dalal's table (ΔE00 to 4 decimals).
    let pairs = [
        ([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425),
        ([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669),
        ([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492),
    ];
    for (a, b, expected) in pairs {
        let got = ciede2000(a, b);
        assert!(
            (got - expected).abs() < 1e-4,
            "{a:?} {b:?}: {got} != {expected}"
        );
    }
}

#[test]
fn every_palette_colour_is_distinct_from_every_other_by_ciede2000() {
    for dark in [true, false] {
        let colors = palette(dark);
        let mut min = f64::MAX;
        for (i, a) in colors.iter().enumerate() {
            for b in &colors[i + 1..] {
                let d = ciede2000(lab(*a), lab(*b));
                assert!(
                    d >= MIN_DELTA_E,
                    "dark={dark}: {a:?} and {b:?} only {d:.1} apart"
                );
                min = min.min(d);
            }
        }
        eprintln!("dark={dark}: smallest CIEDE2000 distance {min:.1}");
    }
}

#[test]
fn every_palette_colour_has_at_least_4_5_to_1_contrast_on_its_panel() {
    for (dark, visuals) in [
        (true, egui::Visuals::dark()),
        (false, egui::Visuals::light()),
    ] {
        for color in palette(dark) {
            for background in [visuals.panel_fill, visuals.window_fill] {
                let ratio = contrast(*color, background);
                assert!(
                    ratio >= 4.5,
                    "dark={dark}: {color:?} on {background:?} is {ratio:.2}:1"
                );
            }
        }
    }
}

#[test]
fn ann_maya_and_jonas_no_longer_share_a_colour() {
    for dark in [true, false] {
        let [a, m, j] = ["ann", "maya", "jonas"].map(|n| for_name(n, dark));
        assert!(a != m && m != j && a != j, "dark={dark}: {a:?} {m:?} {j:?}");
    }
    assert_eq!(
        for_name("Ann", true),
        for_name("ann", true),
        "case does not matter"
    );
}

/// What a person reads or must find on the light theme, against the panel behind it:
/// (what, colour, least WCAG ratio). Text needs 4.5:1 (1.4.3), boundaries of fields,
/// buttons and bubbles 3:1 (1.4.11).
fn light_theme_colours() -> Vec<(&'static str, egui::Color32, f32)> {
    let v = light_visuals();
    let w = &v.widgets;
    vec![
        ("text", v.text_color(), 4.5),
        ("weak text", v.weak_text_color(), 4.5),
        ("button text", w.inactive.fg_stroke.color, 4.5),
        ("warning text", v.warn_fg_color, 4.5),
        ("error text", v.error_fg_color, 4.5),
        ("link", v.hyperlink_color, 4.5),
        ("button outline", w.inactive.bg_stroke.color, 3.0),
        ("text field outline", w.inactive.bg_stroke.color, 3.0),
        ("hovered outline", w.hovered.bg_stroke.color, 3.0),
        ("focused field outline", v.selection.stroke.color, 3.0),
        ("mention bar", v.warn_fg_color, 3.0),
        // The whisper bubble's outline (`row::whisper_bubble`).
        (
            "whisper bubble outline",
            egui::Color32::from_rgb(140, 90, 200),
            3.0,
        ),
    ]
}

#[test]
fn the_light_theme_separates_fields_buttons_and_bubbles_and_its_text_is_readable() {
    let v = light_visuals();
    let mut failures = vec![];
    for (what, colour, least) in light_theme_colours() {
        for background in [v.panel_fill, v.window_fill] {
            let ratio = contrast(colour, background);
            eprintln!("{what}: {ratio:.2}:1 (needs {least}:1)");
            if ratio < least {
                failures.push(format!("{what} {colour:?} on {background:?}: {ratio:.2}:1"));
            }
        }
    }
    // A field's text sits on the field's own (white) fill.
    let on_field = contrast(v.widgets.inactive.fg_stroke.color, v.text_edit_bg_color());
    assert!(on_field >= 4.5, "field text {on_field:.2}:1");
    assert!(failures.is_empty(), "too little contrast: {failures:#?}");
}

#[test]
fn egui_s_own_light_theme_is_what_fails_without_the_changes() {
    // Keeps the reason for `light_visuals` honest: were egui's defaults fine, it could go.
    let v = egui::Visuals::light();
    let field = contrast(v.text_edit_bg_color(), v.panel_fill);
    let button = contrast(v.widgets.inactive.weak_bg_fill, v.panel_fill);
    assert!(v.widgets.inactive.bg_stroke.is_empty());
    assert!(
        field < 3.0 && button < 3.0,
        "field {field:.2}, button {button:.2}"
    );
}

/// `fill` (premultiplied, as egui keeps colours) painted over the opaque `background`.
fn over(fill: egui::Color32, background: egui::Color32) -> egui::Color32 {
    let keep = 1.0 - f32::from(fill.a()) / 255.0;
    let mix = |f: u8, b: u8| (f32::from(f) + f32::from(b) * keep).round().min(255.0) as u8;
    egui::Color32::from_rgb(
        mix(fill.r(), background.r()),
        mix(fill.g(), background.g()),
        mix(fill.b(), background.b()),
    )
}

/// Every text colour a person reads on a theme, on every background it is drawn on:
/// (what, text, background, least WCAG ratio). Messages need 7:1 (AAA, what people read
/// most), secondary text 4.5:1 (AA).
fn text_pairs(v: &egui::Visuals) -> Vec<(&'static str, egui::Color32, egui::Color32, f32)> {
    let panel = v.panel_fill;
    // The mention band (`chat_line`) and the whisper card (`row::whisper_bubble`).
    let mention = over(v.warn_fg_color.gamma_multiply(0.12), panel);
    let whisper = over(
        egui::Color32::from_rgb(140, 90, 200).gamma_multiply(0.25),
        panel,
    );
    let (text, weak) = (v.text_color(), v.weak_text_color());
    let problem = over(crate::ui::problem::card_fill(v), panel);
    vec![
        ("message", text, panel, 7.0),
        ("error text on its card", v.error_fg_color, problem, 4.5),
        ("error text on the panel", v.error_fg_color, panel, 4.5),
        ("message on the mention band", text, mention, 7.0),
        ("message in a whisper card", text, whisper, 7.0),
        ("secondary text", weak, panel, 4.5),
        ("secondary text on the mention band", weak, mention, 4.5),
        ("secondary text in a whisper card", weak, whisper, 4.5),
        (
            "secondary text on a card",
            weak,
            over(v.faint_bg_color, panel),
            4.5,
        ),
        ("composer hint", weak, v.text_edit_bg_color(), 4.5),
        (
            "button text",
            v.widgets.inactive.fg_stroke.color,
            panel,
            4.5,
        ),
    ]
}

#[test]
fn messages_are_near_white_and_secondary_text_readable_on_both_themes() {
    let mut failures = vec![];
    for (theme, v) in [("dark", dark_visuals()), ("light", light_visuals())] {
        for (what, text, background, least) in text_pairs(&v) {
            let ratio = contrast(text, background);
            eprintln!("{theme}: {what}: {ratio:.2}:1 (needs {least}:1)");
            if ratio < least {
                failures.push(format!(
                    "{theme}: {what} {text:?} on {background:?}: {ratio:.2}:1"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "too little contrast: {failures:#?}");
}

#[test]
fn egui_s_own_dark_theme_is_what_fails_without_the_changes() {
    // Keeps the reason for `dark_visuals` honest: #5f5f5f secondary text, grey messages.
    let v = egui::Visuals::dark();
    assert!(contrast(v.weak_text_color(), v.panel_fill) < 4.5);
    assert!(contrast(v.text_color(), v.panel_fill) < 7.0);
    assert!(
        contrast(v.error_fg_color, v.panel_fill) < 4.5,
        "pure red errors"
    );
}
