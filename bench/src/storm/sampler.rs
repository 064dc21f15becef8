//! The resource watch of a storm run: every relay's and Redis's RSS and open files,
//! sampled on a fixed period, and what the samples say: the steady level before the fault,
//! the peak after it, the end, and the slope of a least-squares line (flat means no leak).
//!
//! PIDs change when a process is restarted, so the run hands the sampler a shared list of
//! labelled PIDs and updates it; the sampler never starts or signals anything.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::procstat;

/// Labelled PIDs to watch (`None` while that process is down).
pub type Targets = Arc<Mutex<Vec<(String, Option<u32>)>>>;

/// One reading.
#[derive(Debug, Clone, Copy)]
struct Point {
    /// Seconds since the run's epoch.
    t: f64,
    rss: u64,
    fds: u64,
}

/// Everything sampled so far, per label.
#[derive(Debug, Default)]
pub struct Samples {
    series: Vec<(String, Vec<Point>)>,
}

/// What the samples of one process say.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessSummary {
    /// `relay0`, `relay1`, `redis`.
    pub label: String,
    /// Readings taken.
    pub samples: usize,
    /// RSS at the last reading before the fault (or the fit window's start), bytes.
    pub steady_rss: Option<u64>,
    /// Highest RSS from the fault on, bytes.
    pub peak_rss: Option<u64>,
    /// RSS at the last reading, bytes.
    pub end_rss: Option<u64>,
    /// Open files before the fault, at the peak and at the end.
    pub steady_fds: Option<u64>,
    /// Most open files from the fault on.
    pub peak_fds: Option<u64>,
    /// Open files at the last reading.
    pub end_fds: Option<u64>,
    /// Slope of RSS over the fit window, KiB per minute.
    pub rss_slope_kib_per_min: Option<f64>,
    /// Slope of open files over the fit window, per minute.
    pub fds_slope_per_min: Option<f64>,
    /// Slope of RSS over the fit window's second half, KiB per minute: in a soak, after
    /// every room's history has filled.
    pub late_rss_slope_kib_per_min: Option<f64>,
    /// Slope of open files over the fit window's second half, per minute.
    pub late_fds_slope_per_min: Option<f64>,
}

/// Samples `targets` every `every` until the returned handle is aborted.
pub fn spawn(
    targets: Targets,
    samples: Arc<Mutex<Samples>>,
    epoch: Instant,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            let now = epoch.elapsed().as_secs_f64();
            let pids = targets
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            let mut samples = samples.lock().unwrap_or_else(PoisonError::into_inner);
            for (label, pid) in pids {
                let reading = pid.and_then(|pid| {
                    Some(Point {
                        t: now,
                        rss: procstat::rss_bytes(pid)?,
                        fds: procstat::fd_count(pid)?,
                    })
                });
                if let Some(point) = reading {
                    samples.push(&label, point);
                }
            }
        }
    })
}

impl Samples {
    fn push(&mut self, label: &str, point: Point) {
        match self.series.iter_mut().find(|(l, _)| l == label) {
            Some((_, points)) => points.push(point),
            None => self.series.push((label.to_owned(), vec![point])),
        }
    }

    /// One summary per process: `fault_at` splits steady from peak (seconds since the
    /// epoch; `None`: the whole run is steady), the slopes are fitted over `fit`, and
    /// readings after `until` (members closing) are left out.
    pub fn summarize(
        &self,
        fault_at: Option<f64>,
        fit: (f64, f64),
        until: f64,
    ) -> Vec<ProcessSummary> {
        let split = fault_at.unwrap_or(fit.0);
        self.series
            .iter()
            .map(|(label, points)| {
                let points: Vec<Point> = points.iter().filter(|p| p.t <= until).copied().collect();
                // With no fault, "steady" is the first reading once the chatting started.
                let before = match fault_at {
                    Some(_) => points.iter().rfind(|p| p.t < split),
                    None => points.iter().find(|p| p.t >= split),
                };
                let after = points.iter().filter(|p| p.t >= split);
                let window: Vec<&Point> = points
                    .iter()
                    .filter(|p| p.t >= fit.0 && p.t <= fit.1)
                    .collect();
                let middle = f64::midpoint(fit.0, fit.1);
                let late: Vec<&Point> = window.iter().copied().filter(|p| p.t >= middle).collect();
                ProcessSummary {
                    label: label.clone(),
                    samples: points.len(),
                    steady_rss: before.map(|p| p.rss),
                    peak_rss: after.clone().map(|p| p.rss).max(),
                    end_rss: points.last().map(|p| p.rss),
                    steady_fds: before.map(|p| p.fds),
                    peak_fds: after.map(|p| p.fds).max(),
                    end_fds: points.last().map(|p| p.fds),
                    rss_slope_kib_per_min: slope(&window, |p| p.rss as f64 / 1024.0)
                        .map(|s| s * 60.0),
                    fds_slope_per_min: slope(&window, |p| p.fds as f64).map(|s| s * 60.0),
                    late_rss_slope_kib_per_min: slope(&late, |p| p.rss as f64 / 1024.0)
                        .map(|s| s * 60.0),
                    late_fds_slope_per_min: slope(&late, |p| p.fds as f64).map(|s| s * 60.0),
                }
            })
            .collect()
    }
}

/// Least-squares slope of `y` against time, per second; `None` with fewer than 3 points.
fn slope(points: &[&Point], y: impl Fn(&Point) -> f64) -> Option<f64> {
    if points.len() < 3 {
        return None;
    }
    let n = points.len() as f64;
    let mean_t = points.iter().map(|p| p.t).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| y(p)).sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for p in points {
        num += (p.t - mean_t) * (y(p) - mean_y);
        den += (p.t - mean_t).powi(2);
    }
    (den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_climb_has_its_slope_and_a_flat_line_none_to_speak_of() {
        let climbing: Vec<Point> = (0..10)
            .map(|i| Point {
                t: f64::from(i),
                rss: 1024 * (100 + 2 * u64::from(i as u8)),
                fds: 7,
            })
            .collect();
        let refs: Vec<&Point> = climbing.iter().collect();
        let kib_per_s = slope(&refs, |p| p.rss as f64 / 1024.0).expect("enough points");
        assert!((kib_per_s - 2.0).abs() < 1e-9);
        assert_eq!(slope(&refs, |p| p.fds as f64), Some(0.0));
    }
}
