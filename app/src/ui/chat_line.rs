//! One chat message in the list, Slack/Discord style: the first message of a group carries
//! the sender's name and the time; the messages after it (same sender, a few minutes apart,
//! see `row::continues_group`) are bare lines of text under it, with no name, time
//! or bubble, so a burst costs one line of height per line of text.

use chrono::{DateTime, Local};
use confab_protocol::Username;
use egui::{Frame, Margin, RichText, Stroke, Ui};

use super::message_text::{message_text, time_text};

/// Space above the first message of a group, separating it from the group before.
const GROUP_GAP: f32 = 6.0;

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
}

/// Draws `line`. Returns the address of a link the user clicked.
pub fn chat_line_ui(
    ui: &mut Ui,
    line: ChatLine<'_>,
    when: &DateTime<Local>,
    me: &Username,
) -> Option<String> {
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
    let mut clicked = None;
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
                match confab_protocol::command::action_text(line.text) {
                    // Nothing to say beyond the header (a file whose card names it).
                    None if line.text.is_empty() => {}
                    // `/me waves`: "ann waves", in the sender's words, slanted.
                    Some(action) => {
                        let text = RichText::new(format!("{} {action}", line.from)).italics();
                        ui.add(egui::Label::new(text).wrap());
                    }
                    None => clicked = message_text(ui, line.text, me),
                }
            });
        });
    if stroke != Stroke::NONE {
        let rect = frame.response.rect;
        ui.painter()
            .vline(rect.left() + 1.0, rect.y_range(), stroke);
    }
    clicked
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
