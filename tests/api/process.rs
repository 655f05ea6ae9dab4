//! The running binary as the kernel sees it.

use crate::helpers::server_binary;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// `THP_enabled` of a process, from `/proc/<pid>/status`; `None` once it has exited.
fn thp_enabled(pid: u32) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("THP_enabled:"))
        .map(|v| v.trim().to_owned())
}

#[test]
fn the_server_runs_without_transparent_huge_pages() {
    // The flag is inherited: the server starts with this process's, so this process turns it
    // on first, or a server that never switched it off would pass where it was already off.
    rustix::thread::disable_transparent_huge_pages(false).expect("THP can be allowed again");
    assert_eq!(
        thp_enabled(std::process::id()).as_deref(),
        Some("1"),
        "this kernel reports THP_enabled in /proc/<pid>/status, and it is on here"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut child = server_binary(
        dir.path(),
        &[
            ("CAMPAIGNS_LOG", "error"),
            ("CAMPAIGNS_LISTEN_ADDR", "127.0.0.1:0"),
            ("CAMPAIGNS_DEMO_EMULATOR_ADDR", "127.0.0.1:0"),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("the binary runs");
    // The switch is the first thing main does; before it, the flag is the parent's (on).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = thp_enabled(child.id());
    while seen.as_deref() != Some("0") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        seen = thp_enabled(child.id());
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen.as_deref(), Some("0"), "THP_enabled of the server");
}
