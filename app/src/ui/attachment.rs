//! An attachment in the message list: a picture as a thumbnail that keeps its aspect ratio
//! (opening larger on click, with Save), anything else as a card with its name, size and a
//! Save button.
//!
//! Views read two owners through [`Media`]: the app's decoded pictures
//! ([`crate::pictures::Pictures`]) and the model's downloads
//! ([`crate::state::FetchStatus`]). A picture in neither is asked for
//! ([`AttachmentAction::Fetch`]), so a placeholder always ends as a picture, a card, or a
//! card with Retry. What the person asks for goes out as [`AttachmentAction`]s, applied by
//! the app after drawing: the view never reaches the model or the network.

pub mod decode;
mod uploads;
mod viewer;

pub use uploads::{PROGRESS_WIDTH, attach_path_ui, uploads_ui};
pub use viewer::viewer_ui;

use confab_protocol::Attachment;
use egui::{Sense, TextureHandle, Ui, Vec2};

use crate::pictures::{Picture, Pictures};
use crate::state::words::file_size;
use crate::state::{Attachments, FetchStatus};

/// The box a thumbnail fits in; small pictures are never scaled up.
pub const THUMBNAIL: Vec2 = Vec2::new(320.0, 240.0);

/// What the person did with an attachment, or what a picture in view needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentAction {
    /// Show this picture: it is in view with nothing decoded, decoding or coming down
    /// (first drawn, evicted from the cache, or Retry after a failure).
    Fetch(Box<Attachment>),
    /// Fetch it (if needed) and save it.
    Save(Box<Attachment>),
    /// Show this picture larger.
    Open(Box<Attachment>),
}

/// What the attachment views read, and what was asked of them while drawing.
pub struct Media<'a> {
    /// The app's decoded pictures (reading one counts it as drawn, for eviction).
    pub pictures: &'a mut Pictures,
    /// The model's downloads, where they are at (`None`: none, as in a benchmark).
    pub downloads: Option<&'a Attachments>,
    /// Asked for this frame; the app applies them after drawing.
    pub actions: Vec<AttachmentAction>,
}

impl<'a> Media<'a> {
    /// Views over `pictures` and `downloads`, nothing asked yet.
    pub fn new(pictures: &'a mut Pictures, downloads: Option<&'a Attachments>) -> Self {
        Self {
            pictures,
            downloads,
            actions: Vec::new(),
        }
    }

    fn fetch_status(&self, id: &str) -> Option<FetchStatus> {
        self.downloads.and_then(|d| d.fetch_status(id))
    }
}

/// Whether the picture `id` is decoded and on the GPU: egui holds a texture of its name.
/// For tests that see the app's egui context but not its [`Pictures`] (end to end).
pub fn has_picture(ctx: &egui::Context, id: &str) -> bool {
    let name = crate::pictures::texture_name(id);
    let textures = ctx.tex_manager();
    let textures = textures.read();
    textures.allocated().any(|(_, meta)| meta.name == name)
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
pub fn attachment_ui(ui: &mut Ui, attachment: &Attachment, media: &mut Media<'_>) {
    let picture = if is_picture(attachment) {
        media.pictures.get(&attachment.id)
    } else {
        Picture::Card
    };
    let status = media.fetch_status(&attachment.id);
    // Lined up under the message's text (chat_line's 10 px left margin).
    let margin = egui::Margin {
        left: 10,
        bottom: 4,
        ..Default::default()
    };
    let action = egui::Frame::new()
        .inner_margin(margin)
        .show(ui, |ui| match (picture, status) {
            (Picture::Shown(texture), _) => thumbnail_ui(ui, attachment, &texture),
            (Picture::Card, _) => card_ui(ui, attachment),
            (Picture::Decoding, _)
            | (Picture::Missing, Some(FetchStatus::Waiting | FetchStatus::Fetching)) => {
                placeholder_ui(ui, attachment);
                None
            }
            (Picture::Missing, Some(FetchStatus::Failed)) => failed_ui(ui, attachment),
            (Picture::Missing, None) => {
                placeholder_ui(ui, attachment);
                Some(AttachmentAction::Fetch(Box::new(attachment.clone())))
            }
        })
        .inner;
    media.actions.extend(action);
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
        .then(|| AttachmentAction::Open(Box::new(a.clone())))
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
            let icon = egui::RichText::new(super::icons::FILE.to_string()).size(24.0);
            let icon = ui.add(egui::Label::new(icon).selectable(false));
            super::icons::pictured(icon, "File");
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

/// A picture that could not be fetched: its name and size, in words, and Retry.
fn failed_ui(ui: &mut Ui, a: &Attachment) -> Option<AttachmentAction> {
    let mut action = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal(|ui| {
            let icon = egui::RichText::new(super::icons::WARNING.to_string()).size(24.0);
            let icon = ui.add(egui::Label::new(icon).selectable(false));
            super::icons::pictured(icon, "Warning");
            ui.vertical(|ui| {
                ui.label(egui::RichText::new(&a.name).strong());
                ui.label(format!("{}: could not be loaded", file_size(a.size)));
            });
            let retry = ui
                .button("Retry")
                .on_hover_text("Try to load this picture again");
            if retry.clicked() {
                action = Some(AttachmentAction::Fetch(Box::new(a.clone())));
            }
        });
    });
    action
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod phone_tests;
