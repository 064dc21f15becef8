//! A message's actions where a person reaches for them: a bar at its top right while the
//! pointer is over it (desktop), the same bar while the message has the keyboard focus
//! (Tab reaches every message; Enter opens its menu), and its menu on a right click or a
//! long press (phones, where nothing hovers). What each does is decided by the model; this
//! only reports which was chosen ([`RowAction`]).

use confab_protocol::{Seq, Username};
use egui::{Align, Button, Id, Key, Layout, Pos2, Rect, Role, Sense, Stroke, Ui, UiBuilder};

use crate::state::MessageAction;
use crate::state::conversation::Allowed;

/// What the person did with a row of the message list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowAction {
    /// Open this link (after the usual confirmation).
    OpenLink(String),
    /// Something the model carries out.
    Message(MessageAction),
    /// Scroll to message `seq` (a reply's quote was clicked).
    JumpTo(Seq),
    /// Offer reactions for `seq`, next to `at`.
    PickReaction {
        /// Which message.
        seq: Seq,
        /// Where the picker opens.
        at: Pos2,
    },
    /// Ask before deleting `seq` (it is gone for everyone, with no undo).
    AskDelete(Seq),
    /// Open the message's menu (long press, right click, Enter on a focused message).
    OpenMenu(Seq),
    /// Send a smaller copy of a picture refused for its size (the offer's number).
    SendSmaller(u64),
}

/// The message a row's actions are about.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    /// Its number.
    pub seq: Seq,
    /// Names its row across frames (its entry's id: numbers start again after a relay
    /// restart), so the keyboard focus stays on it until the message changes.
    pub key: Id,
    /// Who wrote it.
    pub from: &'a Username,
    /// Its text (what Copy copies).
    pub text: &'a str,
    /// What you may do to it.
    pub allowed: Allowed,
}

/// What the rows' actions remember and share within and across frames (view state).
#[derive(Debug, Default, Clone)]
pub struct RowLook {
    /// Phone width: no hover bar (a touch screen has no hover); long press opens the menu.
    pub narrow: bool,
    /// The message whose bar held the keyboard focus last frame: its bar stays shown.
    pub focused: Option<Seq>,
    /// Where a long press landed this frame, if one did.
    pub long_press: Option<Pos2>,
    /// The message last scrolled to from a reply's quote: tinted, so the eye finds it.
    pub marked: Option<Seq>,
    /// The message whose bar the pointer brought up last frame: the pointer may move
    /// onto the bar (above the row) without the bar going away.
    pub hovered: Option<Seq>,
}

/// Height of the action bar.
const BAR_HEIGHT: f32 = 24.0;
/// Room kept for the bar at a row's top right (its buttons are laid out right to left).
const BAR_WIDTH: f32 = 300.0;

/// The row's focus anchor, its bar while hovered or focused, and its menu triggers.
pub fn row_actions_ui(
    ui: &mut Ui,
    rect: Rect,
    about: &About<'_>,
    look: &mut RowLook,
) -> Option<RowAction> {
    let anchor = ui.interact(rect, about.key, Sense::focusable_noninteractive());
    let name = format!(
        "Message from {}: {}",
        about.from,
        super::message_text::preview(about.text, 60)
    );
    anchor.widget_info(|| egui::WidgetInfo::labeled(Role::ListItem, true, &name));
    anchor
        .ctx
        .accesskit_node_builder(anchor.id, |node| node.set_label(name.as_str()));
    let focused = anchor.has_focus() || look.focused == Some(about.seq);
    if focused {
        let stroke = Stroke::new(1.5, ui.visuals().selection.stroke.color);
        ui.painter()
            .rect_stroke(rect, 2.0, stroke, egui::StrokeKind::Inside);
    }
    if look.marked == Some(about.seq) {
        let tint = ui.visuals().selection.bg_fill.gamma_multiply(0.25);
        ui.painter().rect_filled(rect, 2.0, tint);
    }
    let bar = Rect::from_min_max(
        egui::pos2(
            rect.right() - BAR_WIDTH - 8.0,
            rect.top() - BAR_HEIGHT + 8.0,
        ),
        egui::pos2(rect.right() - 8.0, rect.top() + 8.0),
    );
    let area = if look.hovered == Some(about.seq) {
        rect.union(bar)
    } else {
        rect
    };
    let hovered = !look.narrow && ui.rect_contains_pointer(area);
    if hovered {
        look.hovered = Some(about.seq);
    } else if look.hovered == Some(about.seq) {
        look.hovered = None;
    }
    let mut action = None;
    if anchor.has_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
        action = Some(RowAction::OpenMenu(about.seq));
    }
    let pointer = ui.input(|i| i.pointer.interact_pos());
    let right_click = ui.input(|i| i.pointer.secondary_clicked())
        && pointer.is_some_and(|p| rect.contains(p))
        && ui.rect_contains_pointer(rect);
    let long_press = look.long_press.is_some_and(|p| rect.contains(p));
    if right_click || long_press {
        look.long_press = None;
        action = Some(RowAction::OpenMenu(about.seq));
    }
    let offers = about.allowed.reply_and_react || about.allowed.delete;
    if (hovered || focused) && offers {
        let (chosen, bar_focused) = bar_ui(ui, bar, about);
        action = chosen.or(action);
        // The bar stays while the message or one of its buttons holds the focus, so Tab
        // walks from the message into its bar.
        if anchor.has_focus() || bar_focused {
            look.focused = Some(about.seq);
        } else if look.focused == Some(about.seq) {
            look.focused = None;
        }
    } else if look.focused == Some(about.seq) {
        look.focused = None;
    }
    action
}

/// The bar of buttons, laid out from the right of `bar`. Returns the chosen action and
/// whether one of its buttons has the keyboard focus.
fn bar_ui(ui: &mut Ui, bar: Rect, about: &About<'_>) -> (Option<RowAction>, bool) {
    let mut child = ui.new_child(
        UiBuilder::new()
            .max_rect(bar)
            .layout(Layout::right_to_left(Align::Center)),
    );
    let ui = &mut child;
    ui.spacing_mut().item_spacing.x = 2.0;
    ui.spacing_mut().button_padding = egui::vec2(6.0, 1.0);
    let mut action = None;
    let mut focus = false;
    let frame = egui::Frame::popup(ui.style())
        .inner_margin(egui::Margin::same(2))
        .corner_radius(6);
    frame.show(ui, |ui| {
        ui.horizontal(|ui| {
            let mut button = |ui: &mut Ui, words: &str, name: String| {
                let response = ui.add(Button::new(words).small());
                let response = super::icons::named(response, &name, None);
                focus |= response.has_focus();
                response
            };
            let allowed = about.allowed;
            if allowed.reply_and_react {
                if button(ui, "Reply", format!("Reply to {}", about.from)).clicked() {
                    action = Some(RowAction::Message(MessageAction::Reply(about.seq)));
                }
                let react = button(ui, "React", "Add a reaction".into());
                if react.clicked() {
                    action = Some(RowAction::PickReaction {
                        seq: about.seq,
                        at: react.rect.left_bottom(),
                    });
                }
            }
            if allowed.edit && button(ui, "Edit", "Edit your message".into()).clicked() {
                action = Some(RowAction::Message(MessageAction::Edit(about.seq)));
            }
            if allowed.delete && button(ui, "Delete", "Delete message".into()).clicked() {
                action = Some(RowAction::AskDelete(about.seq));
            }
            if !about.text.is_empty() && button(ui, "Copy", "Copy text".into()).clicked() {
                ui.ctx().copy_text(about.text.to_owned());
            }
        });
    });
    (action, focus)
}
