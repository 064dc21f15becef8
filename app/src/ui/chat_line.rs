//! One chat message in the list, Slack/Discord style: the first message of a group carries
//! the sender's name and the time; the messages after it (same sender, a few minutes apart,
//! see `row::continues_group`) are bare lines of text under it, with no name, time
//! or bubble, so a burst costs one line of height per line of text.
//!
//! Around the text: the quote of the message it answers, "(edited)", "message deleted" in
//! place of a taken-back one, its reaction chips, and its actions (a hover bar, a focusable
//! row for the keyboard, a long press or right click for the menu).

use chrono::{DateTime, Local};
use confab_protocol::{Changes, Seq, Username};
use egui::{Frame, Margin, RichText, Stroke, Ui};

use super::message_actions::{self, RowAction, RowLook};
use super::message_text::{message_text_after, preview, time_text};
use crate::state::conversation::Allowed;

/// Space above the first message of a group, separating it from the group before.
const GROUP_GAP: f32 = 6.0;

/// A reply's quote, in parts of the message text's size.
const QUOTE_SCALE: f32 = 0.9;

/// Characters of the original shown in a reply's quote.
pub const QUOTE_CHARS: usize = 80;

/// What one chat line shows.
#[derive(Clone, Copy)]
pub struct ChatLine<'a> {
    /// The first message of its group: it shows the name and the time.
    pub head: bool,
    /// Who sent it.
    pub from: &'a Username,
    /// The message.
    pub text: &'a str,
    /// Sent by you: your name is drawn in the strong text colour with "(you)".
    pub mine: bool,
    /// It mentions you: a tinted background with an accent bar on its left.
    pub mention: bool,
    /// Its number in the room (what its actions act on).
    pub seq: Seq,
    /// Names its row across frames (see [`message_actions::About::key`]).
    pub key: egui::Id,
    /// The message it answers, if it answers one.
    pub quote: Option<Quote<'a>>,
    /// Edited, deleted, reactions.
    pub changes: &'a Changes,
    /// What you may do to it.
    pub allowed: Allowed,
}

/// The message a reply answers, as this screen knows it.
#[derive(Clone, Copy)]
pub enum Quote<'a> {
    /// Still shown above: its sender and text (empty when deleted).
    Found {
        /// Its number, to scroll to.
        seq: Seq,
        /// Who wrote it.
        from: &'a Username,
        /// Its text now.
        text: &'a str,
        /// Whether it was taken back.
        deleted: bool,
    },
    /// No longer in the kept history (or from before a restart).
    Missing,
}

/// Draws `line`. Returns what the person did with it.
pub fn chat_line_ui(
    ui: &mut Ui,
    line: ChatLine<'_>,
    when: &DateTime<Local>,
    me: &Username,
    look: &mut RowLook,
) -> Option<RowAction> {
    if line.head {
        ui.add_space(GROUP_GAP);
    }
    let visuals = ui.visuals().clone();
    let (fill, stroke) = if line.mention {
        (
            visuals.warn_fg_color.gamma_multiply(0.12),
            Stroke::new(2.0, visuals.warn_fg_color),
        )
    } else {
        (egui::Color32::TRANSPARENT, Stroke::NONE)
    };
    let mut action = None;
    let frame = Frame::new()
        .fill(fill)
        .inner_margin(Margin {
            left: 10,
            right: 8,
            top: 1,
            bottom: 1,
        })
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.spacing_mut().item_spacing.y = 1.0;
            ui.vertical(|ui| {
                if line.head {
                    ui.horizontal(|ui| {
                        header_ui(ui, line.from, line.mine);
                        ui.label(time_text(when));
                    });
                }
                if let Some(quote) = line.quote {
                    action = quote_ui(ui, quote).or(action.take());
                }
                action = body_ui(ui, &line, me).or(action.take());
                if !line.changes.reactions.is_empty() {
                    let chips = super::reactions::chips_ui(ui, line.seq, line.changes, me);
                    action = chips.or(action.take());
                }
            });
        });
    let rect = frame.response.rect;
    if stroke != Stroke::NONE {
        ui.painter()
            .vline(rect.left() + 1.0, rect.y_range(), stroke);
    }
    let about = message_actions::About {
        seq: line.seq,
        key: line.key,
        from: line.from,
        text: line.text,
        allowed: line.allowed,
    };
    message_actions::row_actions_ui(ui, rect, &about, look).or(action)
}

/// The text, "(edited)" after it; or "message deleted" in its place.
fn body_ui(ui: &mut Ui, line: &ChatLine<'_>, me: &Username) -> Option<RowAction> {
    if line.changes.deleted {
        let text = RichText::new("message deleted").italics().weak();
        ui.add(egui::Label::new(text));
        return None;
    }
    if crate::state::private::unreadable(line.text) {
        super::private_room::unreadable_ui(ui);
        return None;
    }
    let edited = line
        .changes
        .edited
        .then(|| RichText::new(" (edited)").weak().small());
    match confab_protocol::command::action_text(line.text) {
        // Nothing to say beyond the header (a file whose card names it).
        None if line.text.is_empty() => None,
        // `/me waves`: "ann waves", in the sender's words, slanted; under a header that
        // already names them, only "waves".
        Some(action) => {
            let said = if line.head {
                action.to_owned()
            } else {
                format!("{} {action}", line.from)
            };
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing.x = 0.0;
                ui.add(egui::Label::new(RichText::new(said).italics()).wrap());
                if let Some(edited) = edited {
                    ui.add(egui::Label::new(edited));
                }
            });
            None
        }
        None => message_text_after(ui, line.text, me, edited).map(RowAction::OpenLink),
    }
}

/// The one-line quote above a reply: the original's sender and the start of its text,
/// clickable to scroll to it; or a note that it is no longer kept.
fn quote_ui(ui: &mut Ui, quote: Quote<'_>) -> Option<RowAction> {
    let weak = ui.visuals().weak_text_color();
    let (text, seq) = match quote {
        Quote::Found {
            seq,
            from,
            text,
            deleted,
        } => {
            let said = if deleted {
                "message deleted".to_owned()
            } else {
                preview(text, QUOTE_CHARS)
            };
            (format!("{from}: {said}"), Some(seq))
        }
        Quote::Missing => (
            "Replying to a message no longer in the history".to_owned(),
            None,
        ),
    };
    let response = ui
        .horizontal(|ui| {
            ui.add_space(8.0);
            // A little under the message's size: egui's `small` (9 pt) is too small to
            // read a quote by.
            let size = egui::TextStyle::Body.resolve(ui.style()).size * QUOTE_SCALE;
            let label = egui::Label::new(RichText::new(&text).size(size).color(weak))
                .truncate()
                .selectable(false);
            match seq {
                Some(_) => ui.add(label.sense(egui::Sense::click())),
                None => ui.add(label),
            }
        })
        .inner;
    let bar = response.rect.with_min_x(response.rect.left() - 6.0);
    ui.painter()
        .vline(bar.left(), bar.y_range(), Stroke::new(2.0, weak));
    let seq = seq?;
    let response = response
        .on_hover_cursor(egui::CursorIcon::PointingHand)
        .on_hover_text("Show the message this answers");
    let response = super::icons::named(response, &format!("Replying to {text}"), None);
    response.clicked().then_some(RowAction::JumpTo(seq))
}

/// The sender's name in their colour; yours in the strong text colour, then "(you)".
pub fn header_ui(ui: &mut Ui, from: &Username, mine: bool) {
    let color = if mine {
        ui.visuals().strong_text_color()
    } else {
        super::name_color(ui, from)
    };
    ui.label(RichText::new(from.as_str()).strong().color(color));
    if mine {
        ui.weak("(you)");
    }
}
