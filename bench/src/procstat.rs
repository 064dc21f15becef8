//! RSS, CPU time and open files of a process, read from `/proc/PID/status`,
//! `/proc/PID/stat` and `/proc/PID/fd`.
//!
//! Linux only; every reading is `None` elsewhere or when the process is gone.

use serde::Serialize;

/// Clock ticks per second for `utime`/`stime` in `/proc/PID/stat`. Linux reports these
/// in `USER_HZ`, which is 100 on every architecture Rust targets (it is an ABI constant,
/// independent of the kernel's `CONFIG_HZ`).
const USER_HZ: f64 = 100.0;

/// One reading of a process's resource use.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProcSample {
    /// Resident set size, bytes (`VmRSS`).
    pub rss_bytes: u64,
    /// User plus system CPU time so far, seconds.
    pub cpu_seconds: f64,
}

/// Reads the current RSS and CPU time of `pid`.
pub fn sample(pid: u32) -> Option<ProcSample> {
    Some(ProcSample {
        rss_bytes: rss_bytes(pid)?,
        cpu_seconds: cpu_seconds(pid)?,
    })
}

/// `VmRSS` of `pid` in bytes.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// User plus system CPU seconds of `pid` (fields 14 and 15 of `/proc/PID/stat`).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain spaces: skip past it.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // `after_name` starts at field 3 (state), so utime (14) and stime (15) are at 11 and 12.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / USER_HZ)
}

/// Open file descriptors of `pid` (entries of `/proc/PID/fd`; needs the same user).
pub fn fd_count(pid: u32) -> Option<u64> {
    let entries = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(entries.count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_resident_set_and_cpu_time() {
        let me = std::process::id();
        let reading = sample(me).expect("/proc is readable on Linux");
        assert!(reading.rss_bytes > 0);
        assert!(reading.cpu_seconds >= 0.0);
        assert!(fd_count(me).is_some_and(|n| n > 0));
    }
}
