//! The people list in a big room: only the rows in view are laid out, and scrolling
//! brings the others.

use confab_protocol::{MemberStatus, Username};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::*;

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

struct People {
    roster: Vec<RosterEntry>,
    me: Username,
    action: Option<MembersAction>,
    /// One row's height plus the spacing between rows, as the list was told.
    row_step: f32,
}

fn harness(count: usize) -> Harness<'static, People> {
    let me = name("ann");
    let roster = std::iter::once(me.clone())
        .chain((0..count).map(|i| name(&format!("member{i:04}"))))
        .map(|name| RosterEntry {
            name,
            status: MemberStatus::Online,
            owner: false,
            ignored: false,
        })
        .collect();
    Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([240.0, 400.0])
        .build_ui_state(
            |ui, p: &mut People| {
                let side = RoomSide {
                    me: &p.me,
                    my_status: MemberStatus::Online,
                    i_own: false,
                    locked: false,
                };
                p.row_step = row_height(ui) + ui.spacing().item_spacing.y;
                let done = members_ui(ui, &p.roster, side, &[], MembersLook::default());
                p.action = done.or(p.action.take());
            },
            People {
                roster,
                me,
                action: None,
                row_step: 0.0,
            },
        )
}

#[test]
fn a_room_of_a_thousand_lays_out_only_the_members_in_view() {
    let mut h = harness(1000);
    h.run_steps(2);
    let laid_out = h.query_all_by_label_contains("member").count();
    assert!(
        (10..60).contains(&laid_out),
        "{laid_out} rows laid out for a 400 px list"
    );
    assert!(h.query_by_label("member0000").is_some());
    assert!(
        h.query_by_label("member0999").is_none(),
        "far below the view"
    );
}

#[test]
fn every_member_row_is_as_high_as_the_list_was_told_so_none_overlap_or_drift() {
    let mut h = harness(30);
    h.run_steps(2);
    let step = h.state().row_step;
    let top = |h: &Harness<'static, People>, i: usize| {
        h.get_by_label(&format!("member{i:04}")).rect().min.y
    };
    for i in 0..10 {
        let gap = top(&h, i + 1) - top(&h, i);
        assert!(
            (gap - step).abs() < 0.5,
            "row {i}: {gap} apart, told {step}"
        );
    }
}

#[test]
fn clicking_a_member_of_a_big_room_mentions_them() {
    let mut h = harness(1000);
    h.run_steps(2);
    h.get_by_label("member0000").click();
    h.run_steps(2);
    assert_eq!(
        h.state().action,
        Some(MembersAction::Mention(name("member0000")))
    );
}
