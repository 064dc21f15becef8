//! A long name keeps the row's status words and its ··· menu on screen, in the desktop's
//! side panel and in the phone's sheet.

use confab_protocol::{MemberStatus, Username};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::*;

const LONG: &str = "Priyanka Ramaswamy-Oduya";

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

/// A roster of you and Priyanka (away), drawn `width` points wide: as a side panel, or
/// as the phone's sheet when `sheet`.
fn harness(width: f32, sheet: bool) -> Harness<'static, Option<MembersAction>> {
    let roster = vec![
        RosterEntry {
            name: name("ann"),
            status: MemberStatus::Online,
            owner: true,
            ignored: false,
        },
        RosterEntry {
            name: name(LONG),
            status: MemberStatus::Away,
            owner: false,
            ignored: false,
        },
    ];
    let me = name("ann");
    Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([width, 400.0])
        .build_ui_state(
            move |ui, action: &mut Option<MembersAction>| {
                let side = RoomSide {
                    me: &me,
                    my_status: MemberStatus::Online,
                    i_own: true,
                    locked: false,
                };
                let look = MembersLook {
                    closable: sheet,
                    stale: false,
                };
                let done = if sheet {
                    people_sheet(ui, (&roster, side), &[], look, 60.0).action
                } else {
                    members_ui(ui, &roster, side, &[], look)
                };
                *action = done.or(action.take());
            },
            None,
        )
}

fn assert_menu_and_status_on_screen(h: &Harness<'static, Option<MembersAction>>, width: f32) {
    let menu = h.get_by_label(&format!("Member actions for {LONG}")).rect();
    let away = h.get_by_label("away").rect();
    assert!(
        menu.right() <= width && menu.left() >= 0.0,
        "··· at {menu:?}"
    );
    assert!(
        away.right() <= menu.left(),
        "away {away:?} beside ··· {menu:?}"
    );
}

#[test]
fn in_a_narrow_side_panel_a_long_name_gives_way_to_its_status_and_menu() {
    let mut h = harness(180.0, false);
    h.run_steps(2);
    assert_menu_and_status_on_screen(&h, 180.0);
}

#[test]
fn in_the_phone_sheet_a_long_name_keeps_its_menu_and_the_menu_works() {
    let mut h = harness(360.0, true);
    h.run_steps(2);
    assert_menu_and_status_on_screen(&h, 360.0);
    h.get_by_label(&format!("Member actions for {LONG}"))
        .click();
    h.run_steps(2);
    h.get_by_label("Mention").click();
    h.run_steps(2);
    assert_eq!(*h.state(), Some(MembersAction::Mention(name(LONG))));
}

#[test]
fn status_words_line_up_in_one_column_whatever_the_name() {
    let mut h = harness(320.0, false);
    h.run_steps(2);
    // The owner mark of a short name ends where the status of a long one does: both sit
    // against the row's end (your own row has no menu, so it ends further right).
    let away = h.get_by_label("away").rect();
    let menu = h.get_by_label(&format!("Member actions for {LONG}")).rect();
    assert!(
        (menu.right() - 320.0).abs() < 16.0,
        "the menu at the end: {menu:?}"
    );
    assert!(
        menu.left() - away.right() < 12.0,
        "status next to it: {away:?}"
    );
}
