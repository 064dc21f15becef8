//! CPU time per frame of the chat's message list, headless (no window, no GPU): egui lays
//! out the list and tessellates it, as eframe would before handing triangles to the GPU.
//!
//! The list is given 1k, 10k and 100k entries directly. The app itself keeps at most
//! `state::timeline::MAX_ENTRIES` (2,000), so 10k and 100k measure how the view scales,
//! not a state the app can reach today.
//!
//! `message_list_frame_conversation` is the same list where every message is formatted
//! (bold, italic, code, a quote line, a list line, every tenth a fenced code block),
//! every third answers an earlier one, and each carries three reactions (one yours).
//!
//! Also: start-up to the join screen, from creating the app to its first frame drawn.
//!
//! Run with `cargo bench -p confab --bench frame`.

use std::collections::VecDeque;
use std::hint::black_box;

use confab::ConfabApp;
use confab::pictures::Pictures;
use confab::state::{Entry, EntryKind};
use confab::ui::attachment::Media;
use confab::ui::messages::{MessageList, messages_ui};
use confab::ui::row::Rows;
use confab_protocol::{Changes, Reaction, Username};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use egui::{CentralPanel, Context, Pos2, RawInput, Rect, vec2};

fn name(raw: &str) -> Username {
    Username::parse(raw).expect("valid name")
}

/// `count` chat messages from three people, of varied lengths, some wrapping.
fn entries(count: usize, me: &Username) -> VecDeque<Entry> {
    let people = [name("ann"), name("bob"), me.clone()];
    (0..count)
        .map(|i| {
            let from = people[i % people.len()].clone();
            let words = 3 + (i * 7) % 40;
            let text = (0..words)
                .map(|w| ["hello", "chat", "relay", "message", "fan-out"][w % 5])
                .collect::<Vec<_>>()
                .join(" ");
            let id = u64::try_from(i).expect("fits");
            Entry {
                id: id + 1,
                ts: 1_700_000_000_000 + id * 1000,
                kind: EntryKind::Chat {
                    seq: id + 1,
                    mine: &from == me,
                    from,
                    text,
                    mentions_me: i % 50 == 0,
                    attachment: None,
                    reply_to: None,
                    changes: Default::default(),
                },
            }
        })
        .collect()
}

/// [`entries`], each formatted, reacted to, and every third a reply.
fn conversation(count: usize, me: &Username) -> VecDeque<Entry> {
    let mut list = entries(count, me);
    for (i, entry) in list.iter_mut().enumerate() {
        if let EntryKind::Chat {
            text,
            reply_to,
            changes,
            seq,
            ..
        } = &mut entry.kind
        {
            *text = if i % 10 == 0 {
                format!("*look* at this:\n```rust\nlet x = {i};\n```")
            } else {
                format!("**{text}** _really_ with `code`\n> quoted\n- item")
            };
            if i % 3 == 1 {
                *reply_to = Some(seq.saturating_sub(2).max(1));
            }
            *changes = Changes {
                edited: i % 4 == 0,
                deleted: false,
                reactions: ["👍", "🎉", "❤️"]
                    .iter()
                    .map(|emoji| Reaction {
                        emoji: (*emoji).to_owned(),
                        names: vec![name("ann"), me.clone()],
                    })
                    .collect(),
            };
        }
    }
    list
}

fn input() -> RawInput {
    RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1024.0, 768.0))),
        ..RawInput::default()
    }
}

/// One frame: layout of the message list, then tessellation of what it drew.
fn frame(ctx: &Context, list: &mut MessageList, entries: &VecDeque<Entry>, me: &Username) {
    let output = ctx.run_ui(input(), |ui| {
        CentralPanel::default().show(ui, |ui| {
            // No attachments in these messages: nothing is read from or asked of it.
            let mut pictures = Pictures::default();
            let mut media = Media::new(&mut pictures, None);
            let rows = Rows {
                entries,
                me,
                i_own: false,
            };
            black_box(messages_ui(ui, list, rows, &mut media));
        });
    });
    black_box(ctx.tessellate(output.shapes, output.pixels_per_point));
}

fn message_list(c: &mut Criterion) {
    frames_of(c, "message_list_frame", &[1_000, 10_000, 100_000], entries);
    frames_of(
        c,
        "message_list_frame_conversation",
        &[1_000, 10_000],
        conversation,
    );
}

/// Benchmark group `group`: one frame of a list of each of `counts` entries made by `make`.
fn frames_of(
    c: &mut Criterion,
    group: &str,
    counts: &[usize],
    make: fn(usize, &Username) -> VecDeque<Entry>,
) {
    let me = name("me");
    let mut group = c.benchmark_group(group);
    for &count in counts {
        let entries = make(count, &me);
        let ctx = Context::default();
        let mut list = MessageList::default();
        // Settle: fonts load, visible rows get measured, the list sticks to the bottom.
        for _ in 0..5 {
            frame(&ctx, &mut list, &entries, &me);
        }
        group.bench_with_input(BenchmarkId::from_parameter(count), &count, |b, _| {
            b.iter(|| frame(&ctx, &mut list, &entries, &me));
        });
    }
    group.finish();
}

fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(10);
    group.bench_function("new_app_to_first_join_frame", |b| {
        b.iter(|| {
            let mut harness = egui_kittest::Harness::builder()
                .with_size(vec2(1024.0, 768.0))
                .build_eframe(|cc| ConfabApp::new(cc));
            harness.run_steps(1);
            black_box(&harness);
        });
    });
    group.finish();
}

criterion_group!(benches, message_list, startup);
criterion_main!(benches);
