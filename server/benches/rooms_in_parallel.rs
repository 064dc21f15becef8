//! Rooms side by side: the same number of chats into two rooms of one relay, from one
//! thread and from two threads (one per room). Rooms that never wait for each other make
//! the two-thread run take about half the time on two idle cores; a relay-wide lock makes
//! it take as long or longer.
//!
//! Run with `cargo bench -p confab-server --features bench --bench rooms_in_parallel`.

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use confab_server::benching::{RelayFixture, RoomFixture};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const MEMBERS: usize = 10;
const TEXT: &str = "hello everyone, how is it going?";

/// Sends `chats` messages into `room` and gives the room back.
fn chat_many(mut room: RoomFixture, chats: u64) -> RoomFixture {
    for _ in 0..chats {
        black_box(room.chat(black_box(TEXT)));
    }
    room
}

fn rooms_in_parallel(c: &mut Criterion) {
    let relay = RelayFixture::new(MEMBERS);
    let mut rooms = Some([
        relay.room(MEMBERS).expect("joins accepted"),
        relay.room(MEMBERS).expect("joins accepted"),
    ]);
    let mut group = c.benchmark_group("two_rooms");
    group.throughput(Throughput::Elements(2));
    for threads in [1usize, 2] {
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter_custom(|iters| {
                let [first, second] = rooms.take().expect("rooms are put back after each run");
                let start = Instant::now();
                let pair = if threads == 1 {
                    [chat_many(first, iters), chat_many(second, iters)]
                } else {
                    let other = thread::spawn(move || chat_many(second, iters));
                    let first = chat_many(first, iters);
                    [first, other.join().expect("chat thread")]
                };
                let elapsed: Duration = start.elapsed();
                rooms = Some(pair);
                elapsed
            });
        });
    }
    group.finish();
}

criterion_group!(benches, rooms_in_parallel);
criterion_main!(benches);
