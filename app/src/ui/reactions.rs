//! A message's reaction chips: each emoji with how many reacted, yours highlighted; a
//! click (or Enter) toggles your own, hovering says who reacted. And the quick picks
//! offered wherever a reaction can be added.

use confab_protocol::{Changes, Reaction, Seq, Username};
use egui::{Button, RichText, Ui};

use super::message_actions::RowAction;
use crate::state::MessageAction;

/// The reactions offered in one tap, before the full picker.
pub const QUICK: [&str; 6] = ["👍", "❤️", "😂", "😮", "😢", "🎉"];

/// The chips under message `seq`. Returns a toggled reaction.
pub fn chips_ui(ui: &mut Ui, seq: Seq, changes: &Changes, me: &Username) -> Option<RowAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        for reaction in &changes.reactions {
            let mine = reaction.names.contains(me);
            let shown = super::message_text::readable(ui, &reaction.emoji);
            let chip = Button::selectable(
                mine,
                RichText::new(format!("{shown} {}", reaction.names.len())),
            )
            .corner_radius(10);
            let response = ui.add(chip);
            let said = spoken(reaction, me);
            let response = super::icons::named(response, &said, Some(mine));
            let response = response.on_hover_ui(|ui| {
                ui.label(who_reacted(reaction, me));
            });
            if response.clicked() {
                action = Some(RowAction::Message(MessageAction::React {
                    seq,
                    emoji: reaction.emoji.clone(),
                }));
            }
        }
    });
    action
}

/// What a chip says to a screen reader (and to tests): "Reaction thumbs up, 2: bob and
/// you". The emoji's name where the table has it, else the emoji.
pub fn spoken(reaction: &Reaction, me: &Username) -> String {
    let name = crate::state::emoji::name_of(&reaction.emoji).unwrap_or(&reaction.emoji);
    format!(
        "Reaction {name}, {}: {}",
        reaction.names.len(),
        names(reaction, me)
    )
}

/// "bob, cy and you reacted with :thumbs up:".
pub fn who_reacted(reaction: &Reaction, me: &Username) -> String {
    let name = crate::state::emoji::name_of(&reaction.emoji).unwrap_or("this");
    format!("{} reacted with {name}", names(reaction, me))
}

/// "bob, cy and you" (you last, as "you").
fn names(reaction: &Reaction, me: &Username) -> String {
    let mut list: Vec<&str> = reaction
        .names
        .iter()
        .filter(|n| *n != me)
        .map(Username::as_str)
        .collect();
    if reaction.names.contains(me) {
        list.push("you");
    }
    match list.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A row of the [`QUICK`] reactions (each named for screen readers by its name). Returns
/// the emoji picked.
pub fn quick_picks_ui(ui: &mut Ui) -> Option<&'static str> {
    let mut picked = None;
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 2.0;
        for emoji in QUICK {
            let name = crate::state::emoji::name_of(emoji).unwrap_or(emoji);
            let shown = super::message_text::readable(ui, emoji);
            let button = Button::new(RichText::new(shown).size(18.0))
                .frame(false)
                .min_size(egui::vec2(32.0, 32.0));
            let response = ui.add(button).on_hover_text(name);
            if super::icons::named(response, &format!("React with {name}"), None).clicked() {
                picked = Some(emoji);
            }
        }
    });
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Username {
        Username::parse(s).expect("valid name")
    }

    #[test]
    fn who_reacted_names_others_first_and_you_last() {
        let reaction = Reaction {
            emoji: "👍".into(),
            names: vec![name("ann"), name("bob"), name("cy")],
        };
        assert_eq!(
            who_reacted(&reaction, &name("ann")),
            "bob, cy and you reacted with thumbs up"
        );
        assert_eq!(
            spoken(&reaction, &name("dee")),
            "Reaction thumbs up, 3: ann, bob and cy"
        );
    }
}
