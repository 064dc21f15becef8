//! What opens over the chat for one message: its menu (long press, right click, Enter on
//! a focused message), the reactions to pick from, and the question before a delete.
//!
//! Delete asks first: it takes the message away for everyone in the room, and the relay
//! keeps no copy to bring back, so an undo cannot exist; one more click is the cost of
//! never losing a message to a slip of the mouse.

use confab_protocol::Seq;
use egui::{Button, Id, Modal, Pos2, RichText, Ui, vec2};

use crate::state::conversation::Allowed;
use crate::state::{EntryKind, MessageAction, Room};
use crate::ui::chat_line::QUOTE_CHARS;
use crate::ui::composer::Mode;
use crate::ui::emoji_picker::{EmojiPicker, emoji_picker_ui};
use crate::ui::message_actions::RowAction;
use crate::ui::message_text::preview;
use crate::ui::reactions::{quick_picks_ui, who_reacted};

/// What is open for one message (view state).
#[derive(Debug, Default)]
pub enum Open {
    /// Nothing.
    #[default]
    Nothing,
    /// The message's menu: every action, with words, and who reacted.
    Menu(Seq),
    /// The quick reactions, next to `at`.
    React {
        /// Which message.
        seq: Seq,
        /// Where they open.
        at: Pos2,
        /// Opened by this frame's click, which must not also close it.
        fresh: bool,
    },
    /// The whole emoji picker, to react with any emoji.
    MoreReactions {
        /// Which message.
        seq: Seq,
        /// Where it opens.
        at: Pos2,
        /// Its search and state.
        picker: EmojiPicker,
    },
    /// "Delete this message for everyone?"
    ConfirmDelete(Seq),
}

/// What the composer shows above the box: the reply target, or that an edit is under way.
pub fn composer_mode(session: &Room) -> Option<Mode> {
    let composer = &session.composer;
    if composer.editing().is_some() {
        return Some(Mode::Edit);
    }
    let seq = composer.reply_to?;
    Some(Mode::Reply(
        match session.timeline.chat(seq).map(|e| &e.kind) {
            Some(EntryKind::Chat { from, text, .. }) => {
                format!("{from}: {}", preview(text, QUOTE_CHARS))
            }
            _ => "a message no longer in the history".to_owned(),
        },
    ))
}

/// Draws what is open, if anything. Returns what was chosen.
pub fn open_ui(ui: &Ui, session: &Room, open: &mut Open, online: bool) -> Option<RowAction> {
    let seq = match open {
        Open::Nothing => return None,
        Open::Menu(seq) | Open::ConfirmDelete(seq) => *seq,
        Open::React { seq, .. } | Open::MoreReactions { seq, .. } => *seq,
    };
    // The message may have gone (deleted, trimmed) while this was open.
    let Some(entry) = session.timeline.chat(seq) else {
        *open = Open::Nothing;
        return None;
    };
    let allowed = session.allowed(&entry.kind);
    let (next, action) = match std::mem::take(open) {
        Open::Nothing => (Open::Nothing, None),
        Open::Menu(seq) => menu_ui(ui, session, seq, allowed, online),
        Open::React { seq, at, fresh } => react_ui(ui, seq, at, fresh),
        Open::MoreReactions {
            seq,
            at,
            mut picker,
        } => {
            let anchor = egui::Rect::from_min_size(at, vec2(1.0, 1.0));
            let picked = emoji_picker_ui(ui, &mut picker, anchor, false);
            let action = picked.map(|emoji| react(seq, emoji));
            let next = if picker.open {
                Open::MoreReactions { seq, at, picker }
            } else {
                Open::Nothing
            };
            (next, action)
        }
        Open::ConfirmDelete(seq) => confirm_delete_ui(ui, session, seq),
    };
    // Only what may still be done to it (a deleted message offers nothing).
    *open = match next {
        Open::ConfirmDelete(_) if !allowed.delete => Open::Nothing,
        Open::React { .. } | Open::MoreReactions { .. } if !allowed.reply_and_react => {
            Open::Nothing
        }
        next => next,
    };
    action
}

fn react(seq: Seq, emoji: &str) -> RowAction {
    RowAction::Message(MessageAction::React {
        seq,
        emoji: emoji.to_owned(),
    })
}

/// The quick reactions and "More…", next to the bar's React button.
fn react_ui(ui: &Ui, seq: Seq, at: Pos2, fresh: bool) -> (Open, Option<RowAction>) {
    let mut action = None;
    let mut more = false;
    let area = egui::Area::new(Id::unique("confab_react_picks"))
        .order(egui::Order::Foreground)
        .fixed_pos(at)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    action = quick_picks_ui(ui).map(|emoji| react(seq, emoji));
                    let button = ui.add(Button::new("More…").small());
                    more = crate::ui::icons::named(button, "More reactions", None).clicked();
                });
            });
        });
    if more {
        let mut picker = EmojiPicker::default();
        picker.open();
        return (Open::MoreReactions { seq, at, picker }, None);
    }
    let escape = ui.input(|i| i.key_pressed(egui::Key::Escape));
    let elsewhere = !fresh && area.response.clicked_elsewhere();
    let next = if action.is_some() || escape || elsewhere {
        Open::Nothing
    } else {
        Open::React {
            seq,
            at,
            fresh: false,
        }
    };
    (next, action)
}

/// Every action on one message, with words, as a sheet (a long press on a phone, a right
/// click, Enter on a focused message); and who reacted with what.
fn menu_ui(
    ui: &Ui,
    session: &Room,
    seq: Seq,
    allowed: Allowed,
    online: bool,
) -> (Open, Option<RowAction>) {
    let Some(EntryKind::Chat {
        from,
        text,
        changes,
        ..
    }) = session.timeline.chat(seq).map(|e| &e.kind)
    else {
        return (Open::Nothing, None);
    };
    let mut action = None;
    let mut next = Open::Menu(seq);
    let mut close = false;
    let modal = Modal::new(Id::unique("confab_message_menu")).show(ui.ctx(), |ui| {
        ui.set_max_width(360.0);
        ui.heading(format!("Message from {from}"));
        if !text.is_empty() {
            ui.add(egui::Label::new(RichText::new(preview(text, 120)).weak()).wrap());
        }
        ui.add_space(6.0);
        if allowed.reply_and_react && online {
            action = quick_picks_ui(ui).map(|emoji| react(seq, emoji));
        }
        let wide = |ui: &mut Ui, words: &str| {
            ui.add_sized(vec2(ui.available_width(), 28.0), Button::new(words))
                .clicked()
        };
        if allowed.reply_and_react {
            if wide(ui, "Reply") {
                action = Some(RowAction::Message(MessageAction::Reply(seq)));
            }
            if online && wide(ui, "More reactions…") {
                let mut picker = EmojiPicker::default();
                picker.open();
                let at = ui.ctx().content_rect().center_bottom() - vec2(0.0, 80.0);
                next = Open::MoreReactions { seq, at, picker };
            }
        }
        if allowed.edit && wide(ui, "Edit") {
            action = Some(RowAction::Message(MessageAction::Edit(seq)));
        }
        if allowed.delete && online && wide(ui, "Delete…") {
            next = Open::ConfirmDelete(seq);
        }
        if !text.is_empty() && wide(ui, "Copy text") {
            ui.ctx().copy_text(text.clone());
            close = true;
        }
        for reaction in &changes.reactions {
            let shown = crate::ui::message_text::readable(ui, &reaction.emoji);
            let who = who_reacted(reaction, &session.me);
            ui.add(egui::Label::new(format!("{shown}  {who}")).wrap());
        }
        ui.add_space(4.0);
        close |= wide(ui, "Close");
    });
    if action.is_some() || close || modal.should_close() {
        next = Open::Nothing;
    }
    (next, action)
}

/// Asks before taking a message back for everyone.
fn confirm_delete_ui(ui: &Ui, session: &Room, seq: Seq) -> (Open, Option<RowAction>) {
    let Some(EntryKind::Chat { from, text, .. }) = session.timeline.chat(seq).map(|e| &e.kind)
    else {
        return (Open::Nothing, None);
    };
    let mut action = None;
    let mut close = false;
    let modal = Modal::new(Id::unique("confab_confirm_delete")).show(ui.ctx(), |ui| {
        ui.set_max_width(360.0);
        ui.heading("Delete this message for everyone?");
        ui.add_space(4.0);
        let said = format!("{from}: {}", preview(text, 120));
        ui.add(egui::Label::new(RichText::new(said).weak()).wrap());
        ui.add(
            egui::Label::new("It disappears for everyone in the room, and cannot be brought back.")
                .wrap(),
        );
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let delete = Button::new(RichText::new("Delete").color(ui.visuals().error_fg_color));
            if ui.add(delete).clicked() {
                action = Some(RowAction::Message(MessageAction::Delete(seq)));
            }
            close = ui.button("Cancel").clicked();
        });
    });
    let next = if action.is_some() || close || modal.should_close() {
        Open::Nothing
    } else {
        Open::ConfirmDelete(seq)
    };
    (next, action)
}
