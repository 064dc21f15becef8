//! An attachment in the message list: a picture as a thumbnail that keeps its aspect ratio
//! (opening larger on click, with Save), anything else as a card with its name, size and a
//! Save button.
//!
//! The decoded pictures live in a [`Media`] cache kept in egui's memory, so a row can draw
//! one with a single hook call and no new parameters. What the person asks for (fetch,
//! save, open) is queued there as [`AttachmentAction`]s that the chat view drains after
//! drawing ([`take_actions`]): the view never reaches the model or the network.

pub mod decode;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use confab_protocol::Attachment;
use egui::{ColorImage, Id, Sense, TextureHandle, TextureOptions, Ui, Vec2};

use crate::state::words::file_size;

/// The box a thumbnail fits in; small pictures are never scaled up.
pub const THUMBNAIL: Vec2 = Vec2::new(320.0, 240.0);
/// Most bytes of decoded pixels kept as textures; the least recently drawn go first.
pub const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// What the person did with an attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentAction {
    /// Fetch its bytes to show the picture (asked for once, when first drawn).
    Fetch(Box<Attachment>),
    /// Fetch it (if needed) and save it.
    Save(Box<Attachment>),
    /// Show this picture larger.
    Open(String),
}

/// Where a picture is at.
#[derive(Clone)]
enum Picture {
    /// Asked for; a placeholder shows meanwhile.
    Fetching,
    /// On the GPU, with the frame it was last drawn in (for eviction).
    Shown(TextureHandle, u64),
    /// Not shown as a picture (not found, or not decodable): a file card instead.
    Card,
}

/// The decoded pictures and the actions of this frame.
#[derive(Default)]
pub struct Media {
    pictures: HashMap<String, Picture>,
    actions: Vec<AttachmentAction>,
    /// The picture last opened larger: the viewer's Save needs its descriptor, and
    /// [`AttachmentAction::Open`] carries only the id.
    opened: Option<Box<Attachment>>,
}

type Shared = Arc<Mutex<Media>>;

fn shared(ctx: &egui::Context) -> Shared {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Shared>(Id::unique("confab-media"))
            .clone()
    })
}

fn with_media<R>(ctx: &egui::Context, f: impl FnOnce(&mut Media) -> R) -> R {
    let media = shared(ctx);
    let mut media = media
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut media)
}

/// The actions queued while drawing this frame.
pub fn take_actions(ctx: &egui::Context) -> Vec<AttachmentAction> {
    with_media(ctx, |m| std::mem::take(&mut m.actions))
}

/// A decoded picture arrived: upload it to the GPU once and keep it (evicting the least
/// recently drawn beyond [`CACHE_BYTES`]).
pub fn store_picture(ctx: &egui::Context, id: &str, image: ColorImage) {
    let texture = ctx.load_texture(format!("attachment-{id}"), image, TextureOptions::LINEAR);
    let frame = ctx.cumulative_frame_nr();
    with_media(ctx, |m| {
        m.pictures
            .insert(id.to_owned(), Picture::Shown(texture, frame));
        evict(m, id);
    });
}

/// This attachment will not be shown as a picture: draw a card.
pub fn mark_card(ctx: &egui::Context, id: &str) {
    with_media(ctx, |m| {
        m.pictures.insert(id.to_owned(), Picture::Card);
    });
}

/// Whether the picture `id` is decoded and on the GPU (for tests).
pub fn has_picture(ctx: &egui::Context, id: &str) -> bool {
    with_media(ctx, |m| {
        matches!(m.pictures.get(id), Some(Picture::Shown(..)))
    })
}

fn evict(media: &mut Media, keep: &str) {
    let bytes = |t: &TextureHandle| t.size()[0] * t.size()[1] * 4;
    loop {
        let total: usize = media
            .pictures
            .values()
            .map(|p| match p {
                Picture::Shown(t, _) => bytes(t),
                _ => 0,
            })
            .sum();
        if total <= CACHE_BYTES {
            return;
        }
        let oldest = media
            .pictures
            .iter()
            .filter_map(|(id, p)| match p {
                Picture::Shown(_, frame) if id != keep => Some((*frame, id.clone())),
                _ => None,
            })
            .min();
        let Some((_, id)) = oldest else { return };
        // Drawn again later, it is fetched again.
        media.pictures.remove(&id);
    }
}

/// Whether a descriptor is a picture this app shows inline (by the relay's sniffed type,
/// with dimensions it may decode).
pub fn is_picture(attachment: &Attachment) -> bool {
    let sniffed = attachment.sniffed_mime.as_deref().unwrap_or_default();
    let known = matches!(
        sniffed,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    );
    let dims = attachment.width.zip(attachment.height);
    known && dims.is_some_and(|(w, h)| decode::dimensions_allowed(w, h))
}

/// The size a `width` x `height` picture is drawn at inside `fit`: aspect kept, never
/// scaled up.
pub fn fit_size(width: f32, height: f32, fit: Vec2) -> Vec2 {
    if width <= 0.0 || height <= 0.0 {
        return Vec2::splat(0.0);
    }
    let scale = (fit.x / width).min(fit.y / height).min(1.0);
    Vec2::new(width * scale, height * scale)
}

/// Draws `attachment` under its message (the hook a row calls).
pub fn attachment_ui(ui: &mut Ui, attachment: &Attachment) {
    let ctx = ui.ctx().clone();
    let frame = ctx.cumulative_frame_nr();
    let state = with_media(&ctx, |m| {
        let state = m.pictures.get_mut(&attachment.id).map(|p| {
            if let Picture::Shown(_, drawn) = p {
                *drawn = frame;
            }
            p.clone()
        });
        if state.is_none() && is_picture(attachment) {
            m.pictures.insert(attachment.id.clone(), Picture::Fetching);
            m.actions
                .push(AttachmentAction::Fetch(Box::new(attachment.clone())));
        }
        state
    });
    // Lined up under the message's text (chat_line's 10 px left margin).
    let margin = egui::Margin {
        left: 10,
        bottom: 4,
        ..Default::default()
    };
    let action = egui::Frame::new()
        .inner_margin(margin)
        .show(ui, |ui| match state {
            Some(Picture::Shown(texture, _)) => thumbnail_ui(ui, attachment, &texture),
            Some(Picture::Card) => card_ui(ui, attachment),
            _ if is_picture(attachment) => {
                placeholder_ui(ui, attachment);
                None
            }
            _ => card_ui(ui, attachment),
        })
        .inner;
    if let Some(action) = action {
        with_media(&ctx, |m| {
            if matches!(action, AttachmentAction::Open(_)) {
                m.opened = Some(Box::new(attachment.clone()));
            }
            m.actions.push(action);
        });
    }
}

fn thumbnail_ui(ui: &mut Ui, a: &Attachment, texture: &TextureHandle) -> Option<AttachmentAction> {
    let [w, h] = texture.size();
    let size = fit_size(w as f32, h as f32, THUMBNAIL);
    let image = egui::Image::new((texture.id(), size))
        .corner_radius(6)
        .sense(Sense::click());
    let response = ui.add(image).on_hover_text(format!(
        "{} ({}): click to enlarge",
        a.name,
        file_size(a.size)
    ));
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Picture {}", a.name))
    });
    response
        .clicked()
        .then(|| AttachmentAction::Open(a.id.clone()))
}

fn placeholder_ui(ui: &mut Ui, a: &Attachment) {
    let (w, h) = a.width.zip(a.height).unwrap_or((4, 3));
    let size = fit_size(w as f32, h as f32, THUMBNAIL);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    ui.painter()
        .rect_filled(rect, 6.0, ui.visuals().faint_bg_color);
    ui.painter().text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        format!("Loading {}…", a.name),
        egui::FontId::proportional(13.0),
        ui.visuals().weak_text_color(),
    );
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Label, true, format!("Loading {}", a.name))
    });
}

fn card_ui(ui: &mut Ui, a: &Attachment) -> Option<AttachmentAction> {
    let mut action = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(super::icons::FILE.to_string()).size(24.0));
            ui.vertical(|ui| {
                ui.label(egui::RichText::new(&a.name).strong());
                ui.weak(file_size(a.size));
            });
            if ui.button("Save").on_hover_text("Save this file").clicked() {
                action = Some(AttachmentAction::Save(Box::new(a.clone())));
            }
        });
    });
    action
}

/// Room the viewer keeps under the picture for its bar (name, size, Save, Close) and the
/// modal's margins, so a tall picture and its bar both fit on screen.
const VIEWER_CHROME: Vec2 = Vec2::new(40.0, 84.0);

/// The larger view of picture `id` (a modal; Esc, Close or a click outside closes it),
/// with its name, size and Save. Returns `false` once it should close. Save is queued
/// like the list's actions ([`take_actions`], drained on the next frame, which it asks for).
pub fn viewer_ui(ctx: &egui::Context, id: &str) -> bool {
    let (texture, about) = with_media(ctx, |m| {
        let texture = match m.pictures.get(id) {
            Some(Picture::Shown(t, _)) => Some(t.clone()),
            _ => None,
        };
        let about = m.opened.clone().filter(|a| a.id == id);
        (texture, about)
    });
    let Some(texture) = texture else {
        return false;
    };
    let fit = (ctx.content_rect().size() * 0.9 - VIEWER_CHROME).max(Vec2::splat(64.0));
    let [w, h] = texture.size();
    let size = fit_size(w as f32, h as f32, fit);
    let mut close = false;
    let modal = egui::Modal::new(Id::unique("confab-viewer")).show(ctx, |ui| {
        // As wide as the picture, and wide enough for the bar under a small one.
        let width = size.x.max(240.0);
        ui.set_width(width);
        ui.vertical_centered(|ui| {
            ui.add(egui::Image::new((texture.id(), size)).corner_radius(4));
        });
        ui.add_space(6.0);
        let action = viewer_bar_ui(ui, about.as_deref(), &mut close);
        if let Some(action) = action {
            with_media(ctx, |m| m.actions.push(action));
            ctx.request_repaint();
        }
    });
    !(modal.should_close() || close)
}

/// Under the opened picture: its name and size, then Save and Close at the right.
fn viewer_bar_ui(
    ui: &mut Ui,
    about: Option<&Attachment>,
    close: &mut bool,
) -> Option<AttachmentAction> {
    let mut action = None;
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        if ui.button("Close").on_hover_text("Close (Esc)").clicked() {
            *close = true;
        }
        let Some(a) = about else { return };
        let save = egui::Button::new("Save").min_size(Vec2::new(64.0, 0.0));
        if ui.add(save).on_hover_text(SAVE_HINT).clicked() {
            action = Some(AttachmentAction::Save(Box::new(a.clone())));
        }
        ui.weak(file_size(a.size));
        ui.add(egui::Label::new(egui::RichText::new(&a.name).strong()).truncate());
    });
    action
}

/// What Save does, said where it is offered.
#[cfg(not(target_arch = "wasm32"))]
const SAVE_HINT: &str = "Save this picture on this computer";
/// What Save does, said where it is offered.
#[cfg(target_arch = "wasm32")]
const SAVE_HINT: &str = "Download this picture";

#[cfg(test)]
mod tests;
