use governor::clock::FakeRelativeClock;

use super::*;

#[test]
fn accept_errors_are_logged_at_most_once_per_interval_with_a_count() {
    let mut errors = AcceptErrors::new();
    let t0 = Instant::now();
    assert_eq!(errors.record(t0), Some(1));
    // Ten failures a second for just under the interval: all counted, none logged.
    let tick = Duration::from_millis(100);
    let mut at = t0;
    for _ in 0..49 {
        at += tick;
        assert_eq!(errors.record(at), None);
    }
    at += tick;
    assert_eq!(errors.record(at), Some(50));
    assert_eq!(errors.record(at + tick), None);
}

#[test]
fn ip_slots_are_limited_and_freed_on_drop() {
    let table = ConnectionsPerIp::new(2);
    let ip: IpAddr = [127, 0, 0, 1].into();
    let a = table.try_take(ip);
    let b = table.try_take(ip);
    assert!(a.is_some() && b.is_some());
    assert!(table.try_take(ip).is_none());
    assert!(table.try_take([127, 0, 0, 2].into()).is_some());
    drop(a);
    assert!(table.try_take(ip).is_some());
}

#[test]
fn failed_joins_block_until_the_window_ends() {
    let guard = FailedJoins::new(2, 100, Duration::from_secs(60));
    let ip: IpAddr = [10, 0, 0, 1].into();
    let t0 = Instant::now();
    guard.record(ip, t0);
    assert!(!guard.is_blocked(ip, t0));
    guard.record(ip, t0);
    assert!(guard.is_blocked(ip, t0));
    assert!(!guard.is_blocked(ip, t0 + Duration::from_secs(61)));
    guard.sweep(t0 + Duration::from_secs(61));
    guard.record(ip, t0 + Duration::from_secs(61));
    assert!(!guard.is_blocked(ip, t0 + Duration::from_secs(61)));
}

#[test]
fn failed_joins_from_many_addresses_reach_the_relay_ceiling_until_the_window_ends() {
    let guard = FailedJoins::new(2, 3, Duration::from_secs(60));
    let t0 = Instant::now();
    for last in 1..=3u8 {
        assert_eq!(guard.relay_wait(t0), None);
        guard.record([10, 0, 0, last].into(), t0);
    }
    // No single address is over its own limit, but together they are.
    assert!(!guard.is_blocked([10, 0, 0, 1].into(), t0));
    let later = t0 + Duration::from_secs(20);
    assert_eq!(guard.relay_wait(later), Some(Duration::from_secs(40)));
    assert_eq!(guard.relay_wait(t0 + Duration::from_secs(60)), None);
}

/// A rate on a fake clock, and the clock: the bucket and the strike score both read
/// it, so a test decides exactly when tokens come back and how far strikes decay.
fn fake_rate(
    per_second: u32,
    burst: u32,
    max_strikes: u32,
) -> (MessageRate<FakeRelativeClock>, FakeRelativeClock) {
    let clock = FakeRelativeClock::default();
    let rate = MessageRate::with_clock(per_second, burst, max_strikes, clock.clone());
    (rate, clock)
}

#[test]
fn rate_limit_allows_a_burst_then_refuses_then_calls_it_abuse() {
    let (mut rate, _clock) = fake_rate(1, 3, 2);
    for _ in 0..3 {
        assert_eq!(rate.check(), RateVerdict::Allowed);
    }
    assert_eq!(
        rate.check(),
        RateVerdict::Limited {
            wait: Duration::from_secs(1),
            answer: true
        }
    );
    assert_eq!(rate.check(), RateVerdict::Abusive);
}

#[test]
fn a_token_comes_back_after_the_announced_wait_and_not_before() {
    let (mut rate, clock) = fake_rate(4, 1, 100);
    assert_eq!(rate.check(), RateVerdict::Allowed);
    let RateVerdict::Limited { wait, .. } = rate.check() else {
        panic!("the burst of one is spent")
    };
    assert_eq!(wait, Duration::from_millis(250));
    clock.advance(wait - Duration::from_millis(1));
    assert!(matches!(rate.check(), RateVerdict::Limited { .. }));
    clock.advance(Duration::from_millis(1));
    assert_eq!(rate.check(), RateVerdict::Allowed);
}

#[test]
fn a_sustained_flood_is_abuse_and_only_the_first_refusal_after_each_accepted_frame_is_answered() {
    // 1 token per second, 20 strikes: a sender at 15 frames a second gains about 14
    // points a second and is cut off within two seconds, though a frame gets through
    // each second.
    let (mut rate, clock) = fake_rate(1, 1, 20);
    let mut verdicts = vec![rate.check()];
    while verdicts.last() != Some(&RateVerdict::Abusive) {
        assert!(
            verdicts.len() < 30,
            "not cut off within two seconds: {verdicts:?}"
        );
        clock.advance(Duration::from_millis(66));
        verdicts.push(rate.check());
    }
    let allowed = verdicts
        .iter()
        .filter(|v| **v == RateVerdict::Allowed)
        .count();
    assert_eq!(
        allowed, 2,
        "the burst and the token of the next second: {verdicts:?}"
    );
    for pair in verdicts.windows(2) {
        if let RateVerdict::Limited { answer, .. } = pair[1] {
            assert_eq!(answer, pair[0] == RateVerdict::Allowed, "{verdicts:?}");
        }
    }
}

#[test]
fn only_refusals_that_come_before_the_announced_wait_are_strikes() {
    let (mut patient, patient_clock) = fake_rate(1, 1, 3);
    let (mut impatient, impatient_clock) = fake_rate(1, 1, 3);
    // Sends until refused, then waits exactly as told: refused 50 times, cut off never
    // (only the very first refusal, which came with no wait announced, is a strike).
    for round in 0..50 {
        assert_eq!(patient.check(), RateVerdict::Allowed, "round {round}");
        match patient.check() {
            RateVerdict::Limited { wait, .. } => patient_clock.advance(wait),
            other => panic!("round {round}: a sender that waits as told got {other:?}"),
        }
    }
    // Retries after half the announced wait: every refusal is a strike.
    assert_eq!(impatient.check(), RateVerdict::Allowed);
    let mut verdicts = vec![impatient.check()];
    while let Some(&RateVerdict::Limited { wait, .. }) = verdicts.last() {
        assert!(verdicts.len() < 10, "never cut off: {verdicts:?}");
        impatient_clock.advance(wait / 2);
        verdicts.push(impatient.check());
    }
    assert_eq!(verdicts.last(), Some(&RateVerdict::Abusive), "{verdicts:?}");
}

#[test]
fn occasional_refusals_decay_and_never_add_up_to_abuse() {
    // Each round: one accepted frame, one refusal that is no strike (the last wait was
    // long over), and one at once after it (a strike). Without the decay, the third
    // round would reach the limit of 3.
    let rounds = |spacing: Duration| {
        let (mut rate, clock) = fake_rate(1, 1, 3);
        // The first refusal ever is a strike whatever the spacing (no wait was
        // announced before it): taken here, before the rounds.
        assert_eq!(rate.check(), RateVerdict::Allowed);
        assert!(matches!(rate.check(), RateVerdict::Limited { .. }));
        let mut scores = Vec::new();
        for _ in 0..10 {
            clock.advance(spacing);
            let mut verdict = rate.check();
            for _ in 0..2 {
                if verdict == RateVerdict::Abusive {
                    return (scores, true);
                }
                clock.advance(Duration::from_millis(1));
                verdict = rate.check();
            }
            if verdict == RateVerdict::Abusive {
                return (scores, true);
            }
            scores.push(rate.score);
        }
        (scores, false)
    };
    let (scores, abusive) = rounds(Duration::from_secs(10));
    assert!(!abusive, "{scores:?}");
    // One strike a round, forgiven by the next: the score is back at 1 every time.
    assert_eq!(scores, [1.0; 10]);
    // The same pattern a few times a second adds up: strikes do count.
    let (scores, abusive) = rounds(Duration::from_millis(300));
    assert!(abusive, "{scores:?}");
}
