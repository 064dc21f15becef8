//! Room fan-out without sockets: one chat frame from a member, decoded, rate-checked,
//! recorded, encoded and queued for every member, then taken from every outbox.
//!
//! Run with `cargo bench -p confab-server --features bench --bench fanout`.

use std::hint::black_box;

use confab_server::benching::RoomFixture;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn fanout(c: &mut Criterion) {
    let mut group = c.benchmark_group("chat_fanout");
    for members in [10usize, 100, 1000] {
        let mut room = RoomFixture::new(members).expect("the fixture's joins are accepted");
        group.throughput(Throughput::Elements(members as u64));
        group.bench_with_input(BenchmarkId::from_parameter(members), &members, |b, _| {
            b.iter(|| black_box(room.chat(black_box("hello everyone, how is it going?"))));
        });
    }
    group.finish();
}

criterion_group!(benches, fanout);
criterion_main!(benches);
