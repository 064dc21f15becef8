//! An opened picture: full screen on a dark backdrop, as large as the window lets it be
//! (never scaled up past its own size), with its name and size, Save and Close in a bar
//! at the top. Esc, Close or a click on the backdrop closes it. On a phone this makes a
//! picture bigger than its thumbnail, which a dialog with margins did not.

use confab_protocol::Attachment;
use egui::{Color32, Id, Label, Order, RichText, Sense, Sides, Ui, Vec2};

use super::{AttachmentAction, Media, fit_size};
use crate::state::words::file_size;

/// How dark the backdrop is (alpha over the chat): the picture is the only thing to see.
const BACKDROP_ALPHA: u8 = 235;
/// The bar's height: one line of buttons with their padding.
const BAR_HEIGHT: f32 = 44.0;
/// Room kept around the picture.
const MARGIN: f32 = 8.0;
/// What Save does, said where it is offered.
const SAVE_HINT: &str = crate::platform::SAVE_HINT;

/// The size a `width` x `height` picture is drawn at in a viewer over `screen`: the room
/// under the bar, less the margins; aspect kept, never scaled up.
pub fn viewer_size(width: f32, height: f32, screen: Vec2) -> Vec2 {
    let room = screen - Vec2::new(2.0 * MARGIN, BAR_HEIGHT + 2.0 * MARGIN);
    fit_size(width, height, room.max(Vec2::splat(32.0)))
}

/// The opened picture `about` over the whole window. Save goes into `media`'s actions (the
/// next frame is asked for). Returns `false` once it should close, or when the picture
/// is not decoded.
pub fn viewer_ui(ctx: &egui::Context, about: &Attachment, media: &mut Media<'_>) -> bool {
    let Some(texture) = media.pictures.texture(&about.id).cloned() else {
        return false;
    };
    let screen = ctx.content_rect();
    let [w, h] = texture.size();
    let size = viewer_size(w as f32, h as f32, screen.size());
    let mut close = ctx.input(|i| i.key_pressed(egui::Key::Escape));
    egui::Area::new(Id::unique("confab-viewer"))
        .order(Order::Foreground)
        .fixed_pos(screen.min)
        .show(ctx, |ui| {
            // The same dark look on both themes: a picture reads best on black.
            ui.style_mut().visuals = crate::ui::palette::dark_visuals();
            let backdrop = ui.allocate_rect(screen, Sense::click());
            ui.painter()
                .rect_filled(screen, 0.0, Color32::from_black_alpha(BACKDROP_ALPHA));
            // The bar on solid black: the dimmed top bar under it must not show through
            // between the picture's name and its buttons.
            let strip =
                egui::Rect::from_min_size(screen.min, Vec2::new(screen.width(), BAR_HEIGHT));
            ui.painter().rect_filled(strip, 0.0, Color32::BLACK);
            let bar = egui::Rect::from_min_size(
                screen.min + Vec2::splat(MARGIN),
                Vec2::new(screen.width() - 2.0 * MARGIN, BAR_HEIGHT - MARGIN),
            );
            let mut bar_ui = ui.new_child(egui::UiBuilder::new().max_rect(bar));
            if let Some(action) = bar_ui_of(&mut bar_ui, about, &mut close) {
                media.actions.push(action);
                ctx.request_repaint();
            }
            let below = egui::Rect::from_min_max(
                egui::pos2(screen.left(), screen.top() + BAR_HEIGHT),
                screen.max,
            );
            let at = egui::Rect::from_center_size(below.center(), size);
            let image = egui::Image::new((texture.id(), size)).corner_radius(2);
            let picture = ui.put(at, image);
            picture.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Image, true, format!("Opened {}", about.name))
            });
            if backdrop.clicked() {
                close = true;
            }
        });
    !close
}

/// The viewer's bar: the picture's name (shortened with "…" when long) and size at the
/// left; Close and Save at the right, always on screen.
fn bar_ui_of(ui: &mut Ui, a: &Attachment, close: &mut bool) -> Option<AttachmentAction> {
    let mut action = None;
    Sides::new().shrink_left().truncate().show(
        ui,
        |ui| {
            let name = RichText::new(&a.name).strong().color(Color32::WHITE);
            ui.add(Label::new(name).truncate()).on_hover_text(&a.name);
            ui.label(RichText::new(file_size(a.size)).color(Color32::from_gray(200)));
        },
        |ui| {
            if ui.button("Close").on_hover_text("Close (Esc)").clicked() {
                *close = true;
            }
            let save = egui::Button::new("Save").min_size(Vec2::new(64.0, 0.0));
            if ui.add(save).on_hover_text(SAVE_HINT).clicked() {
                action = Some(AttachmentAction::Save(Box::new(a.clone())));
            }
        },
    );
    action
}
