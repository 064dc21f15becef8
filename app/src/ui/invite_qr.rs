//! The invite as a QR code that a phone camera opens: [`invite_qr_ui`] draws the code,
//! [`invite_window_ui`] shows it with the link in words. Drawing only: the link is the one
//! the app writes (`ConfabApp::invite_link`, through `Invite::link`), never built here.
//!
//! The code is drawn as egui rectangles, dark modules on a light square with the four-module
//! quiet zone the QR standard asks for, in both themes: phone cameras look for dark on
//! light, and a dark theme's inverted code fails on many of them.

use egui::{Color32, CornerRadius, Rect, Response, Role, Sense, Ui, Vec2, WidgetInfo, pos2};
use qrcode::{Color, EcLevel, QrCode};

/// The accessible name of the code: what screen readers say and tests find it by.
pub const QR_LABEL: &str = "QR code of the invite link";

/// Light modules and quiet zone on every theme.
const LIGHT: Color32 = Color32::WHITE;
/// Dark modules on every theme.
const DARK: Color32 = Color32::BLACK;

/// Empty modules around the code, on each side (ISO/IEC 18004 asks for four).
const QUIET_ZONE: usize = 4;

/// The side of the code, in points, when there is room: an invite link gives a version 3
/// or 4 code (29 or 33 modules), so with the quiet zone a module is about 6 points, which
/// a phone camera reads from an arm's length off a desktop screen.
pub const QR_SIDE: f32 = 240.0;

/// The smallest side drawn, in points (a narrow phone window): still 4 points a module.
const MIN_SIDE: f32 = 160.0;

/// Draws `link` as a QR code, at most `side` points square (less where the space is
/// narrower), with [`QR_LABEL`] as its accessible name. Error correction level M (15%):
/// a screen has glare and moiré, not stains, and a lower level keeps the modules bigger.
pub fn invite_qr_ui(ui: &mut Ui, link: &str, side: f32) -> Response {
    let side = side.min(ui.available_width()).max(MIN_SIDE);
    let Ok(code) = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M) else {
        // Only a link longer than a QR code holds (over 2,000 bytes) gets here.
        let response = ui.label("This invite link is too long for a QR code.");
        return response;
    };
    let width = code.width();
    let modules = code.to_colors();
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
    response.widget_info(|| WidgetInfo::labeled(Role::Image, true, QR_LABEL));
    if ui.is_rect_visible(rect) {
        // Whole physical pixels per module, so the edges stay sharp; the rest of the
        // square goes to the quiet zone.
        let ppp = ui.ctx().pixels_per_point();
        let total = (width + 2 * QUIET_ZONE) as f32;
        let module = ((side * ppp / total).floor().max(1.0)) / ppp;
        let origin = rect.center() - Vec2::splat(module * width as f32 / 2.0);
        let origin = pos2(
            (origin.x * ppp).round() / ppp,
            (origin.y * ppp).round() / ppp,
        );
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, CornerRadius::same(4), LIGHT);
        // One rectangle per run of dark modules in a row: a third of the shapes.
        for (y, row) in modules.chunks(width).enumerate() {
            let mut x = 0;
            while x < width {
                if row[x] != Color::Dark {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                let min = origin + Vec2::new(start as f32, y as f32) * module;
                let size = Vec2::new((x - start) as f32, 1.0) * module;
                painter.rect_filled(Rect::from_min_size(min, size), 0.0, DARK);
            }
        }
    }
    response
}

/// What a phone will do with the code for `link`, said plainly: a page link opens in the
/// phone's browser; a `confab:` link only where the app is installed; and a link naming
/// this computer's loopback address reaches nothing from a phone at all.
pub fn camera_hint(link: &str) -> &'static str {
    let web = link.starts_with("https://") || link.starts_with("http://");
    let loopback = [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "%2F127.0.0.1",
        "%2Flocalhost",
    ]
    .iter()
    .any(|host| link.contains(host));
    match (web, loopback) {
        (_, true) => {
            "This link names this computer itself (127.0.0.1): a phone cannot reach it. \
             Invite from a relay at an address the phone can reach."
        }
        (true, false) => "Point a phone's camera at the code to open this room in its browser.",
        (false, false) => {
            "This relay serves no web page: a phone opens this code only with the Confab app \
             installed. Run the relay with its page (--web-dir) to invite phones."
        }
    }
}

/// The invite window: the code, what to do with it, and the link in words (selectable, for
/// a person who would rather type it). `open` turns false when it is closed (Close, Esc or
/// a click outside).
pub fn invite_window_ui(ui: &Ui, link: &str, open: &mut bool) {
    let modal = egui::Modal::new(egui::Id::unique("invite_qr")).show(ui.ctx(), |ui| {
        ui.set_max_width(QR_SIDE + 40.0);
        ui.heading("Invite people");
        ui.add_space(4.0);
        ui.label(camera_hint(link));
        ui.add_space(8.0);
        ui.vertical_centered(|ui| invite_qr_ui(ui, link, QR_SIDE));
        ui.add_space(8.0);
        ui.add(egui::Label::new(egui::RichText::new(link).monospace().small()).wrap());
        ui.add_space(8.0);
        if ui.button("Close").clicked() {
            *open = false;
        }
    });
    if modal.should_close() {
        *open = false;
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::*;

    const LINK: &str = "http://192.168.1.20:9001/#K7Q-X2M-HDP";

    #[test]
    fn the_hint_says_what_a_phone_can_do_with_the_link() {
        assert!(camera_hint(LINK).contains("in its browser"));
        assert!(
            camera_hint("confab://join/K7Q-X2M-HDP?relay=wss%3A%2F%2Fchat.example").contains("app")
        );
        for local in [
            "http://127.0.0.1:9001/#LOBBY",
            "confab://join/LOBBY?relay=ws%3A%2F%2F127.0.0.1%3A9001",
        ] {
            assert!(camera_hint(local).contains("cannot reach"), "{local}");
        }
    }

    #[test]
    fn the_code_is_found_by_its_label_as_an_image() {
        let mut h = Harness::builder().with_size([300.0, 300.0]).build_ui(|ui| {
            invite_qr_ui(ui, LINK, QR_SIDE);
        });
        h.run();
        h.get_by_role_and_label(Role::Image, QR_LABEL);
    }

    #[test]
    fn an_invite_link_fits_a_code_with_modules_a_camera_reads() {
        let code = QrCode::with_error_correction_level(LINK.as_bytes(), EcLevel::M)
            .expect("a short link encodes");
        let total = (code.width() + 2 * QUIET_ZONE) as f32;
        assert!(
            QR_SIDE / total >= 5.0,
            "{} modules: {} points each",
            code.width(),
            QR_SIDE / total
        );
        assert!(MIN_SIDE / total >= 3.5, "still readable at the narrowest");
    }
}
