//! The message box: Enter sends, Shift+Enter adds a line, Enter never sends while an IME
//! composition is open; `@` pops up member names and Tab completes the word at the end.
//! Above it: who is typing, why the last message was refused, and what is still sending.

use confab_protocol::Username;
use egui::text::{CCursor, CCursorRange};
use egui::{
    Button, Color32, CompletionPopup, Event, ImeEvent, Key, KeyboardShortcut, Label, Modifiers,
    RichText, Suggestion, TextEdit, Ui,
};

use super::emoji_picker::{EmojiPicker, emoji_button, emoji_picker_ui};
use super::icons;
use crate::state::composer::{Composer, complete_last_word, completions};
use crate::state::emoji::{MAX_SUGGESTIONS, replace_shortcodes, search, shortcode_query};

/// The message box's accessible name: it shows a hint, not a label beside it.
pub const MESSAGE_BOX: &str = "Message";

/// What the user did in the composer. The view never edits the draft itself: it reports
/// the new text and the model takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposerAction {
    /// The draft now reads this (typed, completed, an emoji inserted).
    Edit(String),
    /// Send the draft (after any [`ComposerAction::Edit`] of the same frame).
    Send,
    /// The 📎 button: choose a file to attach.
    Attach,
    /// Stop answering the message shown above the box (✕ or Esc).
    CancelReply,
    /// Stop editing (✕ or Esc): the earlier draft comes back.
    CancelEdit,
    /// ↑ in an empty box: edit your last message.
    EditLast,
}

/// What the box is doing besides writing a new message, shown above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Answering a message: "bob: start of its text" (or that it is gone).
    Reply(String),
    /// Changing one of your messages.
    Edit,
}

/// Tracks IME compositions across frames: the composer must not send on the Enter that
/// confirms a composition, and egui keeps that state private to the `TextEdit`.
pub fn track_ime(was_open: bool, events: &[Event]) -> (bool, bool) {
    let mut open = was_open;
    let mut saw_ime = false;
    for event in events {
        if let Event::Ime(ime) = event {
            saw_ime = true;
            open = match ime {
                ImeEvent::Preedit { text, .. } => !text.is_empty(),
                ImeEvent::Commit(_) => false,
                _ => open,
            };
        }
    }
    (open, saw_ime)
}

/// What the composer remembers between frames (view state only).
#[derive(Debug)]
pub struct ComposerView {
    /// Whether an IME composition is open.
    pub ime_open: bool,
    /// Why files cannot be attached here (a private room), shown on the disabled button;
    /// `None`: they can.
    pub no_files: Option<&'static str>,
    /// Take the keyboard focus on the next frame: true when the chat screen opens (after
    /// joining), so a person can type at once.
    pub focus: bool,
    /// The room's limit on characters per message (from the welcome), for the live count.
    /// 0: unknown, no count.
    pub max_chars: usize,
    /// Input events after a plain Enter, held for the next frame (see [`one_enter_per_frame`]).
    pub deferred: Vec<Event>,
    /// The emoji picker beside the composer.
    pub picker: EmojiPicker,
    /// Whether the completion popup was open last frame (Esc and ↑ are then its keys).
    completing: bool,
    /// What the box is doing besides writing a new message (set by the chat screen from
    /// the model each frame).
    pub mode: Option<Mode>,
    /// Whether the box had the focus last frame: egui drops the focus on Esc before the
    /// box sees it, and Esc must still end a reply or an edit.
    was_focused: bool,
}

impl Default for ComposerView {
    fn default() -> Self {
        Self {
            ime_open: false,
            no_files: None,
            focus: true,
            max_chars: 0,
            deferred: Vec::new(),
            picker: EmojiPicker::default(),
            completing: false,
            was_focused: false,
            mode: None,
        }
    }
}

/// Draws the composer. `enabled` is false while disconnected: typing stays possible (the
/// draft is kept) but nothing is sent.
pub fn composer_ui(
    ui: &mut Ui,
    composer: &Composer,
    members: &[Username],
    me: &Username,
    typing_line: Option<&str>,
    enabled: bool,
    view: &mut ComposerView,
) -> Vec<ComposerAction> {
    let mode = view.mode.clone();
    let mode = mode.as_ref();
    one_enter_per_frame(ui, &mut view.deferred);
    let ime_open = &mut view.ime_open;
    let id = ui.make_persistent_id("composer");
    // The field edits a copy; a change goes back to the model as an action.
    let mut text = composer.draft.clone();
    ui.add_space(2.0);
    // At the body's size, in the secondary text colour: readable at a glance.
    let typing = typing_line.map_or_else(|| " ".to_owned(), |l| icons::with_words(icons::EDIT, l));
    let typing_label = ui.add(Label::new(RichText::new(typing).italics().weak()).selectable(false));
    icons::spoken(typing_label, typing_line.unwrap_or_default());
    if let Some(error) = &composer.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    if let Some((count, over)) = char_count(&composer.draft, view.max_chars) {
        let text = if over {
            format!("{count} too long to send")
        } else {
            count
        };
        let color = if over {
            ui.visuals().error_fg_color
        } else {
            ui.visuals().weak_text_color()
        };
        ui.colored_label(color, text);
    }
    for pending in composer.pending() {
        let preview: String = pending.text.chars().take(60).collect();
        let verb = if pending.edit.is_some() {
            "Saving"
        } else {
            "Sending"
        };
        ui.weak(format!("{verb} “{preview}”…"));
    }
    let mut actions = Vec::new();
    if let Some(mode) = mode {
        actions.extend(mode_ui(ui, mode));
    }

    let events = ui.input(|i| i.events.clone());
    let (open_after, saw_ime) = track_ime(*ime_open, &events);
    let ime_blocks_enter = *ime_open || saw_ime;
    *ime_open = open_after;

    let focused = ui.memory(|m| m.has_focus(id));
    let popup_open = view.completing || view.picker.open;
    if (focused || view.was_focused) && !popup_open {
        actions.extend(mode_keys(ui, &text, mode));
    }
    if focused
        && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Tab))
        && complete_last_word(&mut text, members, me)
    {
        move_cursor_to_end(ui, id, &text);
    }

    ui.horizontal(|ui| {
        let send_width = 64.0;
        let emoji_width = 36.0;
        let box_width = ui.available_width()
            - send_width
            - 2.0 * emoji_width
            - 3.0 * ui.spacing().item_spacing.x;
        let edit = TextEdit::multiline(&mut text)
            .hint_text(hint_for(ui, box_width))
            .desired_rows(2)
            .desired_width(box_width)
            .return_key(KeyboardShortcut::new(Modifiers::SHIFT, Key::Enter))
            .lock_focus(true);
        let output = CompletionPopup::new(id)
            .accept_keys([Key::Enter])
            .show(ui, edit, |query| {
                if let Some(code) = shortcode_query(query.word) {
                    // `:ta` offers 🎉 :tada: and friends; accepting puts in the emoji.
                    return search(code, MAX_SUGGESTIONS)
                        .into_iter()
                        .map(|p| {
                            Suggestion::new(format!("{} ", p.emoji))
                                .description(format!(":{}:", p.code))
                        })
                        .collect();
                }
                if !query.word.starts_with('@') {
                    return vec![];
                }
                completions(query.word, members, me)
                    .into_iter()
                    .map(|n| Suggestion::new(format!("{n} ")))
                    .collect()
            });
        super::accessible_name(&output.text_edit.response, MESSAGE_BOX);
        view.completing = output.is_open;
        view.was_focused = output.text_edit.response.has_focus();
        if std::mem::take(&mut view.focus) {
            // With the cursor at the end: a mention added from the people list goes on
            // being typed after the name.
            output.text_edit.response.request_focus();
            move_cursor_to_end(ui, id, &text);
        }
        let enter = output.text_edit.response.has_focus()
            && !output.is_open
            && !ime_blocks_enter
            && ui.input_mut(take_plain_enter);
        let attach = ui
            .add_enabled(
                enabled && view.no_files.is_none(),
                Button::new(RichText::new(icons::ATTACH.to_string()).size(20.0))
                    .min_size(egui::vec2(emoji_width, 36.0)),
            )
            .on_hover_text("Attach a file")
            .on_disabled_hover_text(view.no_files.unwrap_or("Attach a file"));
        if icons::named(attach, "Attach a file", None).clicked() {
            actions.push(ComposerAction::Attach);
        }
        let emoji = emoji_button(ui, &mut view.picker);
        let send = ui.add_enabled(
            enabled,
            Button::new("Send").min_size(egui::vec2(send_width, 36.0)),
        );
        if let Some(picked) = emoji_picker_ui(ui, &mut view.picker, emoji.rect, emoji.clicked()) {
            insert_at_cursor(ui, id, &mut text, picked);
            output.text_edit.response.request_focus();
        }
        if text != composer.draft && cursor_at_end(ui, id, &text) {
            // A whole `:tada:` typed out becomes 🎉 (only at the end, where the cursor
            // stays put).
            if let Some(replaced) = replace_shortcodes(&text) {
                text = replaced;
                move_cursor_to_end(ui, id, &text);
            }
        }
        if text != composer.draft {
            actions.push(ComposerAction::Edit(std::mem::take(&mut text)));
        }
        if enabled && (enter || send.clicked()) {
            actions.push(ComposerAction::Send);
            output.text_edit.response.request_focus();
        }
    });
    actions
}

/// The line above the box saying what it is doing, with ✕ to stop.
fn mode_ui(ui: &mut Ui, mode: &Mode) -> Option<ComposerAction> {
    let (words, cancel, name) = match mode {
        Mode::Reply(about) => (
            format!("Replying to {about}"),
            ComposerAction::CancelReply,
            "Cancel reply",
        ),
        Mode::Edit => (
            "Editing your message (Enter saves, Esc cancels)".to_owned(),
            ComposerAction::CancelEdit,
            "Cancel edit",
        ),
    };
    let mut action = None;
    ui.horizontal(|ui| {
        let close = ui.small_button(icons::CLOSE.to_string());
        if icons::named(close, name, None)
            .on_hover_text(name)
            .clicked()
        {
            action = Some(cancel);
        }
        let text = RichText::new(words).color(ui.visuals().strong_text_color());
        ui.add(Label::new(text).truncate());
    });
    action
}

/// Esc ends a reply or an edit; ↑ in an empty box edits your last message.
fn mode_keys(ui: &mut Ui, text: &str, mode: Option<&Mode>) -> Option<ComposerAction> {
    let cancel = match mode {
        Some(Mode::Reply(_)) => Some(ComposerAction::CancelReply),
        Some(Mode::Edit) => Some(ComposerAction::CancelEdit),
        None => None,
    };
    if let Some(cancel) = cancel
        && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape))
    {
        return Some(cancel);
    }
    (text.is_empty() && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowUp)))
        .then_some(ComposerAction::EditLast)
}

/// Share of the limit from which the count shows: early enough to trim before Enter.
const COUNT_FROM: f32 = 0.8;

/// "3,210 / 4,000" once `draft` nears `max` characters, and whether it is over.
fn char_count(draft: &str, max: usize) -> Option<(String, bool)> {
    let count = draft.chars().count();
    (max > 0 && count as f32 >= max as f32 * COUNT_FROM)
        .then(|| (format!("{count} / {max}"), count > max))
}

/// Keeps this frame's input up to its first plain Enter and holds the rest in `deferred`
/// for the next frame (asking for one). Several Enters in one frame (a fast typist, a slow
/// frame, a test typing a burst) then send several messages, each with the text typed
/// before it, instead of one glued string.
fn one_enter_per_frame(ui: &Ui, deferred: &mut Vec<Event>) {
    ui.input_mut(|input| {
        let mut events = std::mem::take(deferred);
        events.append(&mut input.events);
        if let Some(first) = events.iter().position(is_plain_enter) {
            *deferred = events.split_off(first + 1);
        }
        input.events = events;
    });
    if !deferred.is_empty() {
        ui.ctx().request_repaint();
    }
}

/// An Enter press without modifiers: the key that sends.
fn is_plain_enter(event: &Event) -> bool {
    matches!(event, Event::Key { key: Key::Enter, pressed: true, modifiers, .. } if modifiers.is_none())
}

/// Removes an Enter press without modifiers. `consume_key` would also take Shift+Enter
/// (it ignores Shift for keyboard-layout reasons), which must stay a newline.
fn take_plain_enter(input: &mut egui::InputState) -> bool {
    let before = input.events.len();
    input.events.retain(|e| !is_plain_enter(e));
    input.events.len() != before
}

/// Puts `insert` where the composer's cursor is (at the end if it has none yet), and the
/// cursor after it.
fn insert_at_cursor(ui: &Ui, id: egui::Id, text: &mut String, insert: &str) {
    let state = TextEdit::load_state(ui.ctx(), id);
    let at = (state.as_ref())
        .and_then(|s| s.cursor.char_range())
        .map_or(text.chars().count(), |r| r.primary.index.into());
    let byte = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
    text.insert_str(byte, insert);
    if let Some(mut state) = state {
        let after = CCursor::new(at + insert.chars().count());
        state.cursor.set_char_range(Some(CCursorRange::one(after)));
        TextEdit::store_state(ui.ctx(), id, state);
    }
}

/// Whether the composer's cursor sits at the end of `text` (or it has none).
fn cursor_at_end(ui: &Ui, id: egui::Id, text: &str) -> bool {
    TextEdit::load_state(ui.ctx(), id)
        .and_then(|s| s.cursor.char_range())
        .is_none_or(|r| usize::from(r.primary.index) >= text.chars().count())
}

fn move_cursor_to_end(ui: &Ui, id: egui::Id, text: &str) {
    if let Some(mut state) = TextEdit::load_state(ui.ctx(), id) {
        let end = CCursor::new(text.chars().count());
        state.cursor.set_char_range(Some(CCursorRange::one(end)));
        TextEdit::store_state(ui.ctx(), id, state);
    }
}

/// The composer's hints, longest first: the whole hint where it fits on one line, the
/// gist on narrower boxes, one word on a phone (a hint that wraps reads as two messages).
const HINTS: [&str; 3] = [
    "Message (Enter to send, Shift+Enter for a new line, /w name to whisper)",
    "Message (/w name to whisper)",
    "Message",
];

/// The longest of [`HINTS`] that fits on one line in a message box `width` points wide.
fn hint_for(ui: &Ui, width: f32) -> &'static str {
    let font = egui::TextStyle::Body.resolve(ui.style());
    // The box's own margins, and a little air so the hint never touches its edge.
    let room = width - 2.0 * ui.spacing().button_padding.x - 8.0;
    let fits = |hint: &str| {
        let galley = (ui.painter()).layout_no_wrap(hint.to_owned(), font.clone(), Color32::GRAY);
        galley.size().x <= room
    };
    HINTS
        .into_iter()
        .find(|hint| fits(hint))
        .unwrap_or("Message")
}

#[cfg(test)]
mod tests;
