//! One entry of the message list: a chat bubble (yours on the right), a whisper, a
//! join/leave line, a "missed messages" marker or a notice, with a day separator above it
//! when the local date changes.

use std::collections::VecDeque;

use chrono::{DateTime, Datelike as _, Local, TimeZone as _};
use confab_protocol::{Millis, Seq, Username};
use egui::text::LayoutJob;
use egui::{Align, Color32, FontSelection, Frame, Label, Layout, Margin, RichText, Stroke, Ui};

use super::attachment::Media;
use super::chat_line::{ChatLine, Quote, chat_line_ui};
use super::icons;
use super::message_actions::{RowAction, RowLook};
use super::message_text::{message_text, readable, time_text};
use super::problem::problem_ui;
use crate::state::conversation::allowed;
use crate::state::{Entry, EntryKind};

/// Messages from the same sender closer together than this (ms) share one name header.
const GROUP_MS: Millis = 5 * 60 * 1000;

/// What every row reads besides its own entry.
#[derive(Clone, Copy)]
pub struct Rows<'a> {
    /// All entries, oldest first (a reply finds the message it answers among them).
    pub entries: &'a VecDeque<Entry>,
    /// Your name.
    pub me: &'a Username,
    /// Whether you own the room (then you may delete anyone's message).
    pub i_own: bool,
}

/// Draws entry `i` of `rows`; the entry above it decides day separators and grouping; its
/// attachment reads and asks through `media`. Returns what the person did with it.
pub fn row_ui(
    ui: &mut Ui,
    rows: Rows<'_>,
    i: usize,
    look: &mut RowLook,
    media: &mut Media<'_>,
) -> Option<RowAction> {
    let entry = &rows.entries[i];
    let prev = i.checked_sub(1).and_then(|p| rows.entries.get(p));
    let me = rows.me;
    let when = local_time(entry.ts);
    if prev.is_none_or(|p| local_time(p.ts).date_naive() != when.date_naive()) {
        day_separator(ui, &when);
    }
    let link = match &entry.kind {
        EntryKind::Chat {
            seq,
            from,
            text,
            mine,
            mentions_me,
            attachment,
            changes,
            reply_to,
        } => {
            let head = !continues_group(prev, entry);
            // A file's message text is its name, which its card or picture already shows.
            let text = match attachment {
                Some(file) if file.name == *text => "",
                _ => text.as_str(),
            };
            let line = ChatLine {
                head,
                from,
                text,
                mine: *mine,
                mention: *mentions_me,
                seq: *seq,
                key: egui::Id::unique(("confab_message", entry.id)),
                quote: reply_to.map(|answered| quote(rows.entries, i, answered)),
                changes,
                allowed: allowed(&entry.kind, rows.i_own),
            };
            let action = chat_line_ui(ui, line, &when, me, look);
            if let Some(attachment) = attachment {
                super::attachment::attachment_ui(ui, attachment, media);
            }
            return action;
        }
        EntryKind::Whisper {
            from,
            to,
            text,
            mine,
        } => {
            let header = if *mine {
                format!("{} you whispered to {to}", icons::LOCK)
            } else {
                format!("{} {from} whispered to you", icons::LOCK)
            };
            whisper_bubble(ui, *mine, &header, text, &when, me).map(RowAction::OpenLink)
        }
        EntryKind::Presence { joined, left } => {
            centered(ui, RichText::new(presence_line(joined, left)).weak(), &when);
            None
        }
        EntryKind::Gap {
            after,
            resumed_from,
        } => {
            let missed = resumed_from.saturating_sub(after + 1);
            let text = format!(
                "{} Some messages were missed while you were away ({missed} not shown).",
                icons::WARNING
            );
            centered(
                ui,
                RichText::new(text).color(ui.visuals().warn_fg_color),
                &when,
            );
            None
        }
        EntryKind::Discontinuity => {
            // The relay could not resume this session (it restarted, or too long passed).
            let text = &icons::with_words(
                icons::WARNING,
                "Reconnected, but some messages may have been missed while you were away.",
            );
            centered(
                ui,
                RichText::new(text).color(ui.visuals().warn_fg_color),
                &when,
            );
            None
        }
        EntryKind::NewRoom { from, to } => {
            let text = format!("Above: {from}, which no longer exists. Below: the new room {to}.");
            centered(ui, RichText::new(text).strong(), &when);
            None
        }
        EntryKind::Notice(text) => {
            centered(ui, RichText::new(text).italics().weak(), &when);
            None
        }
        EntryKind::Problem { text, smaller } => {
            problem_ui(ui, text, *smaller, &when).then_some(RowAction::SendSmaller(entry.id))
        }
    };
    if !matches!(entry.kind, EntryKind::Chat { .. }) {
        ui.add_space(4.0);
    }
    link
}

/// Whether `entry` carries on the group above it: a chat from the same sender, less than
/// [`GROUP_MS`] later, on the same local day. A continuation shows no name and no time.
pub fn continues_group(prev: Option<&Entry>, entry: &Entry) -> bool {
    let EntryKind::Chat { from, .. } = &entry.kind else {
        return false;
    };
    prev.is_some_and(|p| {
        matches!(&p.kind, EntryKind::Chat { from: f, .. } if f == from)
            && entry.ts.saturating_sub(p.ts) < GROUP_MS
            && local_time(p.ts).date_naive() == local_time(entry.ts).date_naive()
    })
}

/// "ann and bob joined · cy left".
pub fn presence_line(joined: &[Username], left: &[Username]) -> String {
    let list = |names: &[Username], verb: &str| match names {
        [] => None,
        [a] => Some(format!("{a} {verb}")),
        [a, b] => Some(format!("{a} and {b} {verb}")),
        [a, rest @ ..] => Some(format!("{a} and {} others {verb}", rest.len())),
    };
    [list(joined, "joined"), list(left, "left")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

pub(super) fn local_time(ts: Millis) -> DateTime<Local> {
    Local
        .timestamp_millis_opt(ts as i64)
        .single()
        .unwrap_or_default()
}

fn day_separator(ui: &mut Ui, when: &DateTime<Local>) {
    let today = Local::now().date_naive();
    let label = match today.signed_duration_since(when.date_naive()).num_days() {
        0 => "Today".to_owned(),
        1 => "Yesterday".to_owned(),
        _ if when.year() == today.year() => when.format("%A %-d %B").to_string(),
        _ => when.format("%A %-d %B %Y").to_string(),
    };
    ui.add_space(6.0);
    ui.vertical_centered(|ui| ui.label(RichText::new(label).strong().small()));
    ui.add_space(4.0);
}

/// A line of its own in the middle of the list, with its time. One label (one galley), so
/// it is centred as a whole and wraps centred on narrow windows; a wrapped row of two
/// labels would hug the left edge instead.
fn centered(ui: &mut Ui, text: RichText, when: &DateTime<Local>) {
    let said = format!("{}   {}", text.text(), when.format("%H:%M"));
    let mut job = LayoutJob::default();
    let style = ui.style().clone();
    text.append_to(&mut job, &style, FontSelection::Default, Align::Center);
    RichText::new(format!("   {}", when.format("%H:%M")))
        .weak()
        .small()
        .append_to(&mut job, &style, FontSelection::Default, Align::Center);
    ui.add_space(6.0);
    ui.vertical_centered(|ui| icons::words_label(ui, Label::new(job).wrap(), &said));
    ui.add_space(2.0);
}

/// A whisper: a tinted bubble with its own header, yours on the right, so a private line
/// never reads like one of the room's.
fn whisper_bubble(
    ui: &mut Ui,
    mine: bool,
    header: &str,
    text: &str,
    when: &DateTime<Local>,
    me: &Username,
) -> Option<String> {
    let accent = Color32::from_rgb(140, 90, 200);
    let max_width = (ui.available_width() * 0.78).max(160.0);
    let layout = if mine {
        Layout::right_to_left(Align::TOP)
    } else {
        Layout::left_to_right(Align::TOP)
    };
    let mut clicked = None;
    ui.add_space(2.0);
    ui.with_layout(layout, |ui| {
        Frame::new()
            .fill(accent.gamma_multiply(0.25))
            .stroke(Stroke::new(1.0, accent))
            .corner_radius(10)
            .inner_margin(Margin::symmetric(10, 6))
            .show(ui, |ui| {
                // Wrapped layouts claim all the width they are offered, so offer only what the
                // text needs: short whispers get snug bubbles.
                ui.set_max_width(natural_width(ui, text, Some(header)).min(max_width));
                ui.vertical(|ui| {
                    ui.horizontal(|ui| {
                        let head = Label::new(RichText::new(header).strong());
                        icons::words_label(ui, head, header);
                        ui.label(time_text(when));
                    });
                    if crate::state::private::unreadable(text) {
                        super::private_room::unreadable_ui(ui);
                    } else {
                        clicked = message_text(ui, text, me);
                    }
                });
            });
    });
    clicked
}

/// How wide `text` (each line unwrapped) and the header would be, with room for the time.
fn natural_width(ui: &Ui, text: &str, header: Option<&str>) -> f32 {
    let text = &*readable(ui, text);
    let width = |t: &str, style: egui::TextStyle| {
        let font = style.resolve(ui.style());
        ui.ctx().fonts_mut(|f| {
            f.layout_no_wrap(t.to_owned(), font, Color32::WHITE)
                .size()
                .x
        })
    };
    let body = text
        .lines()
        .map(|line| width(line, egui::TextStyle::Body))
        .fold(0.0, f32::max);
    let head = header.map_or(0.0, |h| width(h, egui::TextStyle::Body)) + 48.0;
    body.max(head) + 2.0
}

/// The message that entry `i` answers (`seq`), looked for above it in the same numbering.
fn quote(entries: &VecDeque<Entry>, i: usize, seq: Seq) -> Quote<'_> {
    let found = entries
        .range(..i)
        .rev()
        .take_while(|e| !matches!(e.kind, EntryKind::Discontinuity | EntryKind::NewRoom { .. }))
        .find_map(|e| match &e.kind {
            EntryKind::Chat {
                seq: s,
                from,
                text,
                changes,
                ..
            } if *s == seq => Some(Quote::Found {
                seq,
                from,
                text,
                deleted: changes.deleted,
            }),
            _ => None,
        });
    found.unwrap_or(Quote::Missing)
}
