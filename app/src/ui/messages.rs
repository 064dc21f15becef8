//! The message list: only the rows in view are laid out, found through running height
//! totals ([`heights::RowHeights`]) kept as messages arrive, so a frame costs O(visible rows),
//! not O(messages). Unmeasured rows are estimated; a row drawn once keeps its measured
//! height until the width or the font changes. It follows new messages only while you are
//! at the bottom, and otherwise offers an "N new messages" pill that jumps down.

mod heights;

use std::collections::VecDeque;

use confab_protocol::{Seq, Username};
use egui::{Align, Button, Rect, ScrollArea, TextStyle, Ui, UiBuilder, vec2};

use self::heights::{Layout, RowHeights};
use super::attachment::Media;
use super::message_actions::{RowAction, RowLook};
use super::row::{Rows, continues_group, row_ui};
use crate::state::{Entry, EntryKind};

/// Height assumed for a row not drawn yet: about one short bubble. Only the scroll bar's
/// size depends on it; each row's real height replaces it once the row is seen.
const ESTIMATED_ROW_HEIGHT: f32 = 52.0;

/// The pill counts unseen messages up to this many ("999+" beyond), so counting them
/// stays bounded however long you were scrolled up.
const UNSEEN_SHOWN: usize = 999;

/// What the list remembers between frames. It is view state, not model: losing it only
/// costs a re-measure.
#[derive(Debug, Default)]
pub struct MessageList {
    /// Row heights and their running totals, for the current width and font.
    heights: RowHeights,
    /// The newest entry id seen while at the bottom: newer messages count as unseen.
    seen_id: u64,
    /// Scroll to the bottom on the next frame (the pill was clicked).
    jump: bool,
    /// The row at the top of the view in the last frame (entry id, and how far into it
    /// the view began), so a resize keeps that row in place instead of a pixel offset.
    anchor: Option<(u64, f32)>,
    /// Whether the last frame ended at the bottom (a resize then stays there).
    at_bottom: bool,
    /// Rows laid out in the last frame: what a frame costs, for tests and benchmarks.
    rows_drawn: usize,
    /// What the rows' action bars share (focus, phone width, a long press).
    pub look: RowLook,
    /// Scroll to this message on the next frame (a reply's quote was clicked).
    show: Option<Seq>,
    /// A long press already opened a menu: wait for the finger to lift.
    pressed_long: bool,
}

impl MessageList {
    /// Messages (chat and whispers) newer than the last one seen at the bottom, counted up
    /// to [`UNSEEN_SHOWN`] + 1.
    pub fn unseen(&self, entries: &VecDeque<Entry>) -> usize {
        entries
            .iter()
            .rev()
            .take_while(|e| e.id > self.seen_id)
            .filter(|e| matches!(e.kind, EntryKind::Chat { .. } | EntryKind::Whisper { .. }))
            .take(UNSEEN_SHOWN + 1)
            .count()
    }

    /// Scrolls to message `seq` on the next frame and marks it, if it is still shown;
    /// returns whether it is.
    pub fn show(&mut self, seq: Seq, entries: &VecDeque<Entry>) -> bool {
        let shown = index_of(entries, seq).is_some();
        if shown {
            self.show = Some(seq);
            self.look.marked = Some(seq);
        }
        shown
    }

    /// How many rows the last frame laid out: bounded by what fits in the view, whatever
    /// the number of messages.
    pub fn rows_drawn(&self) -> usize {
        self.rows_drawn
    }
}

/// The index of chat message `seq` of the newest numbering.
fn index_of(entries: &VecDeque<Entry>, seq: Seq) -> Option<usize> {
    entries
        .iter()
        .enumerate()
        .rev()
        .take_while(|(_, e)| {
            !matches!(e.kind, EntryKind::Discontinuity | EntryKind::NewRoom { .. })
        })
        .find(|(_, e)| matches!(e.kind, EntryKind::Chat { seq: s, .. } if s == seq))
        .map(|(i, _)| i)
}

/// Draws the list (`rows`: the entries and who is looking); attachments read and ask
/// through `media`. Returns what the person did with a row.
pub fn messages_ui(
    ui: &mut Ui,
    list: &mut MessageList,
    rows: Rows<'_>,
    media: &mut Media<'_>,
) -> Option<RowAction> {
    let entries = rows.entries;
    list.rows_drawn = 0;
    list.look.long_press = long_press(ui, &mut list.pressed_long);
    let layout = Layout {
        width: ui.available_width(),
        font_size: TextStyle::Body.resolve(ui.style()).size,
        pixels_per_point: ui.ctx().pixels_per_point(),
    };
    let relaid = list.heights.sync(entries, layout, |_| ESTIMATED_ROW_HEIGHT);
    // After a resize, put the row that was on top back on top (unless following the end).
    let restore = relaid
        .then(|| list.anchor.filter(|_| !list.at_bottom))
        .flatten()
        .and_then(|(id, into)| {
            let row = entries.iter().position(|e| e.id == id)?;
            Some(list.heights.top(row) + into)
        });
    // A quote was clicked: its original at the top of the view, a little below the band.
    let showing = list.show.take();
    let restore = showing
        .and_then(|seq| index_of(entries, seq))
        .map(|row| (list.heights.top(row) - 24.0).max(0.0))
        .or(restore);
    let total = list.heights.total();
    let mut clicked = None;
    // Your own new message always brings you to the bottom: you just sent it, you want to
    // see it land (no "1 new message" pill for your own words).
    let sent_by_me = entries.back().is_some_and(|e| {
        e.id > list.seen_id
            && matches!(
                e.kind,
                EntryKind::Chat { mine: true, .. } | EntryKind::Whisper { mine: true, .. }
            )
    });
    let jump = std::mem::take(&mut list.jump) || (sent_by_me && showing.is_none());

    if entries.is_empty() {
        // The chat screen shows the empty room (with its invite) instead.
        return None;
    }
    // Once the list scrolls, a band on top is kept for the pinned sender, outside the
    // scrolled rows: an overlay would hide the first visible line under the name.
    let band = (total > ui.available_height()).then(|| {
        let size = vec2(ui.available_width(), PIN_HEIGHT);
        ui.allocate_exact_size(size, egui::Sense::hover()).0
    });
    let mut area = ScrollArea::vertical()
        .id_salt("messages")
        .auto_shrink(false)
        .stick_to_bottom(true);
    if let Some(offset) = restore {
        area = area.vertical_scroll_offset(offset);
    }
    let output = area.show_viewport(ui, |ui, viewport| {
        ui.set_height(total);
        let origin = ui.max_rect().min;
        let row_width = ui.max_rect().width();
        let mut remeasured = false;
        let mut sticky = None;
        let first = list.heights.row_at(viewport.min.y).unwrap_or(0);
        let mut top = list.heights.top(first);
        list.anchor = Some((entries[first].id, viewport.min.y - top));
        for i in first..entries.len() {
            if top > viewport.max.y {
                break;
            }
            let height = list.heights.height(i);
            let max_rect =
                Rect::from_min_size(origin + vec2(0.0, top), vec2(row_width, f32::MAX / 4.0));
            let row = ui.scope_builder(UiBuilder::new().max_rect(max_rect), |ui| {
                row_ui(ui, rows, i, &mut list.look, media)
            });
            list.rows_drawn += 1;
            clicked = row.inner.or(clicked.take());
            if sticky.is_none() && top + height > viewport.min.y {
                // A header cut off by less than its own height still shows the name:
                // pinning it too would draw the name twice, one over the other.
                let header_gone = top + HEADER_HEIGHT < viewport.min.y;
                sticky = Some(sticky_sender(entries, i, header_gone));
            }
            let measured = row.response.rect.height();
            if (measured - height).abs() > 0.5 {
                list.heights.set_height(i, measured);
                remeasured = true;
            }
            top += height;
        }
        if remeasured {
            ui.ctx().request_repaint();
        }
        if jump {
            ui.scroll_to_rect(
                Rect::from_min_size(origin + vec2(0.0, total - 1.0), vec2(1.0, 1.0)),
                Some(Align::BOTTOM),
            );
        }
        sticky.flatten()
    });
    if let (Some(band), Some((from, mine))) = (band, output.inner) {
        sticky_header_ui(ui, band, from, mine);
    }

    let at_bottom =
        output.state.clamped_offset().y + output.inner_rect.height() >= output.content_size.y - 2.0;
    list.at_bottom = at_bottom;
    if at_bottom && let Some(last) = entries.back() {
        list.seen_id = last.id;
    }
    let unseen = list.unseen(entries);
    if unseen > 0 && !at_bottom {
        let pill = match unseen {
            1 => "1 new message".to_owned(),
            n if n > UNSEEN_SHOWN => format!("{UNSEEN_SHOWN}+ new messages"),
            n => format!("{n} new messages"),
        };
        let button = Button::new(super::icons::with_words(super::icons::ARROW_DOWN, &pill))
            .corner_radius(14);
        let rect = Rect::from_center_size(
            output.inner_rect.center_bottom() - vec2(0.0, 24.0),
            vec2(180.0, 28.0),
        );
        if super::icons::named(ui.put(rect, button), &pill, None).clicked() {
            list.jump = true;
            ui.ctx().request_repaint();
        }
    }
    clicked
}

/// Where a press held still for a while (a long press on a touch screen) is, on the one
/// frame it becomes long; `pressed` remembers it until the finger lifts.
fn long_press(ui: &Ui, pressed: &mut bool) -> Option<egui::Pos2> {
    /// How long a touch holds still before it opens a message's menu (s).
    const HOLD: f64 = 0.5;
    let (holding, at) = ui.input(|i| {
        let p = &i.pointer;
        if !p.primary_down() || !i.any_touches() {
            return (false, None);
        }
        let held = p.press_start_time().is_some_and(|t| i.time - t >= HOLD);
        let still = matches!((p.press_origin(), p.latest_pos()),
            (Some(a), Some(b)) if a.distance(b) < 6.0);
        (still, (held && still).then(|| p.latest_pos()).flatten())
    });
    if !holding {
        *pressed = false;
        return None;
    }
    if *pressed {
        return None;
    }
    if at.is_none() {
        // Nothing else may wake the frame while a finger rests: look again when it is long.
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs_f64(HOLD / 4.0));
        return None;
    }
    *pressed = true;
    at
}

/// The sender of the group that the topmost visible row (index `i`) belongs to, when
/// that group's header is out of sight: the row continues a group, or its own header is
/// cut off (`clipped`). `None` for non-chat rows or a fully visible header.
fn sticky_sender(entries: &VecDeque<Entry>, i: usize, clipped: bool) -> Option<(&Username, bool)> {
    let EntryKind::Chat { from, mine, .. } = &entries.get(i)?.kind else {
        return None;
    };
    let continues = continues_group(i.checked_sub(1).and_then(|p| entries.get(p)), &entries[i]);
    (continues || clipped).then_some((from, *mine))
}

/// Height of a group's header (the space above it and the name line): once this much of
/// the top row has scrolled away, its sender's name is pinned.
const HEADER_HEIGHT: f32 = 20.0;

/// Height of the band above the list where the sender of a group that began above the view
/// is pinned.
const PIN_HEIGHT: f32 = 20.0;

/// The sender's name pinned above the list (in `band`), so every visible line of a group
/// whose first message scrolled away still says who wrote it.
fn sticky_header_ui(ui: &mut Ui, band: Rect, from: &Username, mine: bool) {
    let rect = Rect::from_min_size(band.min, vec2(band.width() - 12.0, band.height()));
    let mut child = ui.new_child(
        UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::left_to_right(Align::Center)),
    );
    child
        .painter()
        .rect_filled(rect, 0.0, child.visuals().panel_fill);
    child.add_space(10.0);
    super::chat_line::header_ui(&mut child, from, mine);
}

#[cfg(test)]
mod tests;
