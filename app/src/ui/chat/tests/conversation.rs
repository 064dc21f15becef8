//! Replies, reactions, edits, deletions and formatting on the chat screen, found by role
//! and name as a screen reader would.

use confab_protocol::{Changes, Reaction};
use egui::accesskit::Role;
use egui::{Key, PointerButton};

use super::*;
use crate::state::MessageAction;

fn with(mut msg: ChatMessage, change: impl FnOnce(&mut ChatMessage)) -> ChatMessage {
    change(&mut msg);
    msg
}

fn message(seq: u64) -> MessageAction {
    MessageAction::Reply(seq)
}

/// Points at the message whose accessible name starts with `name`.
fn hover_message(h: &mut Harness<'static, Screen>, name: &str) {
    let rect = h.get_by_label_contains(name).rect();
    h.hover_at(egui::pos2(rect.center().x, rect.bottom() - 4.0));
    h.run();
}

#[test]
fn formatting_shows_as_styles_without_its_markers() {
    let text = "**bold** and _slanted_ with `code`\n- first\n> quoted";
    let mut h = harness(vec![chat(1, "bob", text)], ConnectionState::Online);
    h.run();
    for words in ["bold", "slanted", "code", "first", "quoted"] {
        assert!(h.query_by_label(words).is_some(), "{words:?} shown");
    }
    assert!(
        h.query_by_label_contains("**").is_none() && h.query_by_label_contains("_sl").is_none(),
        "no marker is shown"
    );
}

#[test]
fn a_code_block_sits_in_a_box_with_a_copy_button() {
    let text = "try:\n```rust\nlet x = *y;\n```";
    let mut h = harness(vec![chat(1, "bob", text)], ConnectionState::Online);
    h.run();
    assert!(h.query_by_label("let x = *y;").is_some(), "as typed");
    h.get_by_label("Copy code").click();
    h.run();
    assert!(h.state().actions.is_empty(), "copying is the view's own");
}

#[test]
fn a_link_inside_bold_text_still_asks_before_opening() {
    let mut h = harness(
        vec![chat(1, "bob", "*see https://example.com/a_b_c*")],
        ConnectionState::Online,
    );
    h.run();
    let link = h.get_by_role_and_label(Role::Link, "https://example.com/a_b_c");
    link.click();
    h.run();
    assert!(h.query_by_label("Open this link?").is_some());
}

#[test]
fn a_reply_quotes_its_original_and_clicking_the_quote_marks_it() {
    let reply = with(chat(2, "ann", "agreed"), |m| m.reply_to = Some(1));
    let gone = with(chat(3, "ann", "late"), |m| m.reply_to = Some(0));
    let mut h = harness(
        vec![chat(1, "bob", "lunch at noon?"), reply, gone],
        ConnectionState::Online,
    );
    h.run();
    h.get_by_label("Replying to bob: lunch at noon?").click();
    h.run();
    assert_eq!(h.state().view.list.look.marked, Some(1));
    assert!(
        h.query_by_label("Replying to a message no longer in the history")
            .is_some()
    );
}

#[test]
fn reaction_chips_count_name_who_reacted_and_toggle_on_click() {
    let reacted = with(chat(1, "bob", "ship it"), |m| {
        m.changes.reactions = vec![Reaction {
            emoji: "👍".into(),
            names: vec![name("bob"), name("ann")],
        }];
    });
    let mut h = harness(vec![reacted], ConnectionState::Online);
    h.run();
    let chip = h.get_by_label("Reaction thumbs up, 2: bob and you");
    chip.click();
    h.run();
    assert_eq!(
        h.state().actions,
        [ChatAction::Message(MessageAction::React {
            seq: 1,
            emoji: "👍".into()
        })]
    );
}

#[test]
fn an_edited_message_says_so_and_a_deleted_one_shows_a_placeholder_in_place() {
    let edited = with(chat(1, "bob", "fixed"), |m| m.changes.edited = true);
    let deleted = with(chat(2, "bob", ""), |m| {
        m.changes = Changes {
            deleted: true,
            ..Changes::default()
        };
    });
    let mut h = harness(
        vec![edited, deleted, chat(3, "bob", "after")],
        ConnectionState::Online,
    );
    h.run();
    assert!(h.query_by_label_contains("(edited)").is_some());
    assert!(h.query_by_label("message deleted").is_some());
    let deleted = h.get_by_label("message deleted").rect();
    assert!(
        deleted.top() < h.get_by_label("after").rect().top(),
        "in its place"
    );
}

#[test]
fn hovering_a_message_offers_reply_and_react_and_for_your_own_edit_and_delete() {
    let mut h = harness(
        vec![chat(1, "bob", "question?"), chat(2, "ann", "my answer")],
        ConnectionState::Online,
    );
    h.run();
    hover_message(&mut h, "Message from bob");
    assert!(h.query_by_label("Edit your message").is_none(), "bob's");
    h.get_by_label("Reply to bob").click();
    h.run();
    assert_eq!(h.state().actions, [ChatAction::Message(message(1))]);
    hover_message(&mut h, "Message from ann");
    h.get_by_label("Edit your message").click();
    h.run();
    hover_message(&mut h, "Message from ann");
    h.get_by_label("Delete message").click();
    h.run();
    assert!(
        h.query_by_label("Delete this message for everyone?")
            .is_some()
    );
    h.get_by_label("Delete").click();
    h.run();
    assert_eq!(
        h.state().actions[1..],
        [
            ChatAction::Message(MessageAction::Edit(2)),
            ChatAction::Message(MessageAction::Delete(2))
        ]
    );
}

#[test]
fn the_react_button_offers_quick_picks_by_name() {
    let mut h = harness(vec![chat(1, "bob", "party?")], ConnectionState::Online);
    h.run();
    hover_message(&mut h, "Message from bob");
    h.get_by_label("Add a reaction").click();
    h.run();
    h.get_by_label("React with party popper").click();
    h.run();
    assert_eq!(
        h.state().actions,
        [ChatAction::Message(MessageAction::React {
            seq: 1,
            emoji: "🎉".into()
        })]
    );
}

#[test]
fn a_right_click_opens_the_menu_with_every_action_in_words() {
    let mut h = harness(vec![chat(1, "ann", "mine")], ConnectionState::Online);
    h.set_size(vec2(360.0, 600.0));
    h.run();
    let at = h.get_by_label_contains("Message from ann").rect().center();
    for pressed in [true, false] {
        h.event(Event::PointerButton {
            pos: at,
            button: PointerButton::Secondary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run();
    for action in ["Reply", "More reactions…", "Edit", "Delete…", "Copy text"] {
        assert!(h.query_by_label(action).is_some(), "{action:?} offered");
    }
    h.get_by_label("Reply").click();
    h.run();
    assert_eq!(h.state().actions, [ChatAction::Message(message(1))]);
}

#[test]
fn a_message_is_reachable_by_keyboard_and_enter_opens_its_menu() {
    let mut h = harness(vec![chat(1, "bob", "hello")], ConnectionState::Online);
    h.run();
    h.get_by_label_contains("Message from bob").focus();
    h.run();
    assert!(h.query_by_label("Reply to bob").is_some(), "its bar shows");
    h.key_press(Key::Enter);
    h.run();
    assert!(
        h.query_by_label("Message from bob").is_some(),
        "the menu's heading"
    );
}

#[test]
fn the_reply_target_shows_above_the_composer_and_esc_or_its_button_cancels_it() {
    let mut h = harness(vec![chat(1, "bob", "lunch?")], ConnectionState::Online);
    h.state_mut().room.composer.reply_to = Some(1);
    h.run();
    assert!(h.query_by_label("Replying to bob: lunch?").is_some());
    h.get_by_label("Cancel reply").click();
    h.run();
    h.get_by_label(crate::ui::composer::MESSAGE_BOX).focus();
    h.run();
    h.key_press(Key::Escape);
    h.run();
    let cancel = ChatAction::Message(MessageAction::CancelReply);
    assert_eq!(h.state().actions, [cancel.clone(), cancel]);
}

#[test]
fn arrow_up_in_an_empty_composer_asks_to_edit_your_last_message() {
    let mut h = harness(vec![chat(1, "ann", "mine")], ConnectionState::Online);
    h.run();
    h.get_by_label(crate::ui::composer::MESSAGE_BOX).focus();
    h.run();
    h.key_press(Key::ArrowUp);
    h.run();
    assert_eq!(
        h.state().actions,
        [ChatAction::Message(MessageAction::EditLast)]
    );
}
