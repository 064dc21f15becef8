//! What goes wrong in a storm run, and doing it to the run's own processes at the right
//! moment. Each fault marks its start and end on the [`Tally`], so members can tell what
//! they saw during and after it.

use std::io;
use std::time::Duration;

use clap::ValueEnum;
use serde::Serialize;

use super::fleet::{self, Fleet};
use super::tally::Tally;

/// The faults a run can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// Nothing goes wrong: a soak.
    None,
    /// Relay 0 is SIGKILLed and started again on the same port `--down` seconds later.
    RelayRestart,
    /// Relay 0 (of a cluster) is SIGKILLed for good; its members move to the others.
    RelayKill,
    /// Redis is SIGSTOPped for `--down` seconds, then SIGCONTed.
    RedisPause,
    /// Redis is SIGKILLed and started again, empty, `--down` seconds later.
    RedisRestart,
    /// Redis's pub/sub output buffer limit is lowered and relay 0 SIGSTOPped for `--down`
    /// seconds while the others' members keep sending: Redis drops relay 0's subscription.
    SlowSubscriber,
}

impl Fault {
    /// Whether the fault needs Redis (and so cluster mode).
    pub fn needs_redis(self) -> bool {
        matches!(
            self,
            Self::RelayKill | Self::RedisPause | Self::RedisRestart | Self::SlowSubscriber
        )
    }

    /// Prepares the fleet before any member joins (the slow subscriber's buffer limit:
    /// `limit` is Redis's `hard soft seconds` triple for the `pubsub` class).
    pub fn prepare(self, fleet: &Fleet, limit: &str) -> io::Result<()> {
        if self == Self::SlowSubscriber {
            let setting = format!("pubsub {limit}");
            let said =
                fleet.redis_cli(&["CONFIG", "SET", "client-output-buffer-limit", &setting])?;
            if !said.trim().eq_ignore_ascii_case("ok") {
                return Err(io::Error::other(format!("CONFIG SET said {said:?}")));
            }
        }
        Ok(())
    }

    /// Injects the fault: marks its start, does it, waits `down` where it has a duration,
    /// undoes it, marks its end.
    pub async fn inject(self, fleet: &mut Fleet, tally: &Tally, down: Duration) -> io::Result<()> {
        if self == Self::None {
            return Ok(());
        }
        tally.fault_started();
        match self {
            Self::None => {}
            Self::RelayRestart => {
                fleet.kill_relay(0);
                tokio::time::sleep(down).await;
                fleet.start_relay(0).await?;
            }
            Self::RelayKill => fleet.kill_relay(0),
            Self::RedisPause => {
                let pid = fleet
                    .redis_pid()
                    .ok_or_else(|| io::Error::other("no redis"))?;
                fleet::signal(pid, "STOP")?;
                tokio::time::sleep(down).await;
                fleet::signal(pid, "CONT")?;
            }
            Self::RedisRestart => {
                fleet.kill_redis();
                tokio::time::sleep(down).await;
                fleet.start_redis().await?;
            }
            Self::SlowSubscriber => {
                let pid = fleet
                    .relay_pid(0)
                    .ok_or_else(|| io::Error::other("no relay 0"))?;
                fleet::signal(pid, "STOP")?;
                tokio::time::sleep(down).await;
                fleet::signal(pid, "CONT")?;
            }
        }
        tally.fault_ended();
        Ok(())
    }
}
