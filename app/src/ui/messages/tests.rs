//! The message list's cost and scrolling, in a harness with only the list: rows laid out
//! per frame are counted (not timed), with 1k and 100k messages.

use std::collections::VecDeque;

use confab_protocol::Username;
use egui::{Event, Modifiers, MouseWheelUnit, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::{MessageList, messages_ui};
use crate::state::{Entry, EntryKind};

struct List {
    list: MessageList,
    entries: VecDeque<Entry>,
    me: Username,
}

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

/// `count` one-line chats, alternating between two senders every 5 messages.
fn entries(count: u64) -> VecDeque<Entry> {
    (1..=count).map(chat).collect()
}

fn chat(i: u64) -> Entry {
    let from = if (i / 5).is_multiple_of(2) {
        name("bob")
    } else {
        name("cy")
    };
    Entry {
        id: i,
        ts: 1_700_000_000_000 + i * 1000,
        kind: EntryKind::Chat {
            reply_to: None,
            changes: Default::default(),
            seq: i,
            from,
            text: format!("line {i}"),
            mine: false,
            mentions_me: false,
            attachment: None,
        },
    }
}

fn harness(count: u64) -> Harness<'static, List> {
    let state = List {
        list: MessageList::default(),
        entries: entries(count),
        me: name("ann"),
    };
    Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([600.0, 400.0])
        .with_max_steps(24)
        .build_ui_state(
            |ui, s: &mut List| {
                egui::CentralPanel::default().show(ui, |ui| {
                    let mut pictures = crate::pictures::Pictures::default();
                    let mut media = crate::ui::attachment::Media::new(&mut pictures, None);
                    let rows = crate::ui::row::Rows {
                        entries: &s.entries,
                        me: &s.me,
                        i_own: false,
                    };
                    messages_ui(ui, &mut s.list, rows, &mut media);
                });
            },
            state,
        )
}

fn scroll_by(h: &mut Harness<'static, List>, dy: f32) {
    h.hover_at(egui::pos2(300.0, 200.0));
    h.event(Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta: vec2(0.0, dy),
        modifiers: Modifiers::NONE,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
    });
    h.run();
}

/// Rows that fit in a 400-point window, one line each (about 15 points), plus the two
/// cut at the edges: what a frame may lay out, however long the room is.
const VISIBLE_BOUND: usize = 400 / 15 + 2;

#[test]
fn a_frame_lays_out_only_the_visible_rows_with_1k_or_100k_messages() {
    let mut drawn = vec![];
    for count in [1_000, 100_000] {
        let mut h = harness(count);
        h.run();
        assert!(
            h.query_by_label(&format!("line {count}")).is_some(),
            "at the bottom"
        );
        h.step();
        let at_bottom = h.state().list.rows_drawn();
        scroll_by(&mut h, 2_000.0);
        h.step();
        let scrolled = h.state().list.rows_drawn();
        assert!(
            h.query_by_label(&format!("line {count}")).is_none(),
            "scrolled up"
        );
        for rows in [at_bottom, scrolled] {
            assert!(
                (1..=VISIBLE_BOUND).contains(&rows),
                "{count} messages: {rows} rows laid out in one frame"
            );
        }
        // Built once; frames and scrolling only read and update the running totals.
        assert_eq!(h.state().list.heights.rebuilds(), 1, "{count} messages");
        drawn.push(at_bottom);
    }
    assert_eq!(drawn[0], drawn[1], "the same work at 1k and 100k messages");
}

#[test]
fn new_messages_extend_the_running_totals_without_a_rebuild() {
    let mut h = harness(1_000);
    h.run();
    for i in 1_001..=1_050 {
        h.state_mut().entries.push_back(chat(i));
        h.state_mut().entries.pop_front();
        h.run();
    }
    assert!(
        h.query_by_label("line 1050").is_some(),
        "followed the new messages"
    );
    assert_eq!(h.state().list.heights.rebuilds(), 1);
    assert!(h.state().list.rows_drawn() <= VISIBLE_BOUND);
}

#[test]
fn a_resize_keeps_the_row_that_was_on_top_in_view() {
    let mut h = harness(2_000);
    h.run();
    scroll_by(&mut h, 3_000.0);
    scroll_by(&mut h, 3_000.0);
    let visible = |h: &Harness<'static, List>| {
        (1..=2_000u64)
            .filter(|i| h.query_by_label(&format!("line {i}")).is_some())
            .collect::<Vec<_>>()
    };
    let before = visible(&h);
    let middle = before[before.len() / 2];
    h.set_size(vec2(450.0, 400.0));
    h.run();
    let after = visible(&h);
    assert!(
        after.contains(&middle),
        "line {middle} was in the middle of {before:?}, now {after:?}"
    );
}
