//! What the book's two examples that measure (`threads_vs_tasks` and
//! `many_connections`) share, so that each example shows only its lesson:
//! running a trial in a child process with a time limit, reading what Linux
//! says about a process (`/proc`), finding Python, and writing the report as
//! Markdown tables. It is no part of any listing a reader copies.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use std::{env, fs, thread};

// ---------------------------------------------------------------------------
// A child process per trial

/// How a child process ended, and what it printed.
#[derive(Debug)]
pub struct Finished {
    /// `None` if it ran too long and was killed.
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command`, killing it after `limit`; reads its output as it comes,
/// so that a child with much to say never blocks on a full pipe.
pub fn run_bounded(mut command: Command, limit: Duration) -> io::Result<Finished> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let status = wait_at_most(&mut child, limit)?;
    Ok(Finished {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// Reads a pipe to its end on a thread of its own.
pub fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// Sends each line of a pipe, as it comes, to the receiver returned.
pub fn lines_in_background(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    thread::spawn(move || {
        if let Some(pipe) = pipe {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        }
    });
    receive
}

/// `None` if the child was still running after `limit` and was killed.
pub fn wait_at_most(child: &mut Child, limit: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            child.kill()?;
            child.wait()?;
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// "exited with status 1", "aborted (SIGABRT)", "was killed after 120 s".
pub fn describe_end(status: Option<ExitStatus>, limit: Duration) -> String {
    let Some(status) = status else {
        return format!("was killed after {} s", limit.as_secs());
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return match signal {
                6 => "aborted (SIGABRT)".into(),
                9 => "was killed (SIGKILL)".into(),
                11 => "crashed (SIGSEGV)".into(),
                other => format!("was stopped by signal {other}"),
            };
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "ended abnormally".into(),
    }
}

/// The lines of a crash report worth reading: messages, not locations
/// (Rust's `thread '...' panicked at`, Python's `File "..."` lines).
pub fn crash_messages(stderr: &str) -> Vec<String> {
    let mut messages: Vec<String> = Vec::new();
    for raw in stderr.lines() {
        let line = raw.trim();
        // Python indents the lines of a traceback that show code.
        let noise = line.is_empty()
            || raw.starts_with("  ")
            || line.starts_with("thread '")
            || line.starts_with("stack backtrace")
            || line.starts_with("note: ")
            || line.starts_with("Traceback ")
            || line.starts_with("File \"")
            || line.chars().all(|c| "^~ ".contains(c));
        if !noise && !messages.iter().any(|m| m == line) {
            messages.push(line.to_string());
        }
    }
    // Threads that fail at once write over each other's messages: the first
    // two are the readable ones.
    messages.truncate(2);
    messages
}

/// `key value` lines, as a child prints what it found.
pub fn values(text: &str) -> std::collections::BTreeMap<&str, &str> {
    text.lines()
        .filter_map(|line| line.split_once(' '))
        .collect()
}

// ---------------------------------------------------------------------------
// What Linux says about a process

/// What Linux says about a process's memory, in KiB. The last two fields
/// count the whole machine: the kernel keeps no per-process total of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Memory {
    /// `VmRSS`: the pages of the process in RAM now.
    pub resident: u64,
    /// `VmHWM`: the most `VmRSS` has ever been.
    pub peak: u64,
    /// `VmPTE`: the page tables that map the process's memory.
    pub page_tables: u64,
    /// `KernelStack` in `/proc/meminfo`: every thread has one in the kernel.
    pub kernel_stacks: u64,
    /// `SUnreclaim` in `/proc/meminfo`: kernel objects such as a thread's
    /// `task_struct` or a socket, which the kernel cannot free while in use.
    pub kernel_objects: u64,
}

impl Memory {
    /// This process's; `None` where there is no `/proc` (any system but Linux).
    pub fn now() -> Option<Memory> {
        Memory::of("self")
    }

    /// The memory of process `pid` (a number, or `self`).
    pub fn of(pid: &str) -> Option<Memory> {
        let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let machine = fs::read_to_string("/proc/meminfo").ok()?;
        Some(Memory {
            resident: kib(&status, "VmRSS:")?,
            peak: kib(&status, "VmHWM:")?,
            page_tables: kib(&status, "VmPTE:")?,
            kernel_stacks: kib(&machine, "KernelStack:")?,
            kernel_objects: kib(&machine, "SUnreclaim:")?,
        })
    }

    /// The kernel's share, which `VmRSS` does not show.
    pub fn kernel(&self) -> u64 {
        self.page_tables + self.kernel_stacks + self.kernel_objects
    }
}

/// The number after `key` in a `/proc` file, such as `VmRSS:  1234 kB`.
pub fn kib(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The memory mappings of process `pid`: the lines of `/proc/PID/maps`.
pub fn mappings(pid: &str) -> Option<usize> {
    fs::read_to_string(format!("/proc/{pid}/maps"))
        .ok()
        .map(|maps| maps.lines().count())
}

/// The open files of process `pid`: the entries of `/proc/PID/fd`.
pub fn open_files(pid: &str) -> Option<usize> {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()
        .map(|entries| entries.count())
}

/// The open sockets of process `pid`: the entries of `/proc/PID/fd` that
/// link to `socket:[...]`.
pub fn open_sockets(pid: &str) -> Option<usize> {
    let entries = fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(
        entries
            .flatten()
            .filter_map(|entry| fs::read_link(entry.path()).ok())
            .filter(|target| target.to_string_lossy().starts_with("socket:"))
            .count(),
    )
}

/// CPU time and context switches of every thread of a process so far.
/// Both are summed over the threads in `/proc/PID/task`, so threads that
/// have ended are not counted: read it while the threads that matter live.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Usage {
    /// Time on the CPU, in nanoseconds: the first field of each thread's
    /// `schedstat` (`utime` + `stime` in `stat` count in clock ticks,
    /// 10 ms steps, too coarse for a short run).
    pub cpu: Duration,
    /// `voluntary_ctxt_switches` + `nonvoluntary_ctxt_switches`.
    pub switches: u64,
}

impl Usage {
    pub fn of(pid: u32) -> Option<Usage> {
        let mut nanos = 0;
        let mut switches = 0;
        for task in fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
            let (Ok(schedstat), Ok(status)) = (
                fs::read_to_string(task.path().join("schedstat")),
                fs::read_to_string(task.path().join("status")),
            ) else {
                continue;
            };
            nanos += schedstat
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
            switches += kib(&status, "voluntary_ctxt_switches:").unwrap_or(0)
                + kib(&status, "nonvoluntary_ctxt_switches:").unwrap_or(0);
        }
        Some(Usage {
            cpu: Duration::from_nanos(nanos),
            switches,
        })
    }
}

/// `1.02 0.80 0.51, 143 threads`: the load averages over 1, 5 and 15
/// minutes, and the threads that exist on the machine, from `/proc/loadavg`.
pub fn load_average() -> String {
    let text = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let fields: Vec<&str> = text.split_whitespace().collect();
    match fields.as_slice() {
        [one, five, fifteen, entities, ..] => {
            let threads = entities.split('/').nth(1).unwrap_or("?");
            format!("{one} {five} {fifteen}, {threads} threads")
        }
        _ => "unknown".into(),
    }
}

/// The `pids.max` of this process's cgroup or the nearest ancestor that
/// sets one (systemd's `TasksMax`): every thread counts against it. `none`
/// where no cgroup above this process limits them.
pub fn cgroup_pids_max() -> String {
    let cgroups = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    // cgroup v2 (`0::/path`) or v1's pids controller (`N:pids:/path`).
    let places = cgroups.lines().filter_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        match controllers {
            "" => Some(format!("/sys/fs/cgroup{path}")),
            "pids" => Some(format!("/sys/fs/cgroup/pids{path}")),
            _ => None,
        }
    });
    let mut lowest: Option<u64> = None;
    for place in places {
        let mut dir = Some(PathBuf::from(place));
        while let Some(here) = dir {
            if let Ok(text) = fs::read_to_string(here.join("pids.max"))
                && let Ok(n) = text.trim().parse::<u64>()
            {
                lowest = Some(lowest.map_or(n, |l| l.min(n)));
            }
            dir = here.parent().map(Path::to_path_buf);
        }
    }
    lowest.map_or_else(|| "none".into(), thousands)
}

/// Limits a child process's address space to what it maps now plus `extra`
/// bytes (`RLIMIT_AS`), so that starting threads fails early: the book's
/// tests use it to run the path where a thread cannot start.
pub fn limit_address_space(extra: u64) -> io::Result<()> {
    let status = fs::read_to_string("/proc/self/status")?;
    let mapped = kib(&status, "VmSize:").ok_or_else(|| io::Error::other("no VmSize"))? * 1024;
    let limit = libc::rlimit {
        rlim_cur: mapped + extra,
        rlim_max: mapped + extra,
    };
    // SAFETY: setrlimit reads the struct we pass.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// A number from `/proc`, or "unknown" where there is none.
pub fn proc_value(path: &str) -> String {
    fs::read_to_string(path)
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .map_or_else(|| "unknown".into(), thousands)
}

/// One soft limit from `/proc/self/limits`, such as `Max processes`.
pub fn process_limit(name: &str) -> String {
    let limits = fs::read_to_string("/proc/self/limits").unwrap_or_default();
    limits
        .lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .map_or_else(
            || "unknown".into(),
            |soft| soft.parse().map_or(soft.to_string(), thousands),
        )
}

/// `Linux 6.1 x86_64, AMD EPYC, 2 cores, 23.5 GiB of memory`.
pub fn machine() -> String {
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|text| format!("Linux {}", text.trim()))
        .unwrap_or_else(|_| env::consts::OS.to_string());
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| kib(&text, "MemTotal:"))
        .map_or_else(
            || "unknown memory".into(),
            |kib| format!("{} GiB of memory", decimal(kib as f64 / 1024.0 / 1024.0, 1)),
        );
    format!(
        "{kernel} {}, {cpu}, {cores} cores, {memory}",
        env::consts::ARCH
    )
}

/// The Versions line: `rustc 1.95.0, tokio 1.54.1, Python 3.11.7` (the
/// compiler on `PATH`, the locked tokio, the Python that ran), or why Python
/// was not measured.
pub fn versions(python: &Result<Python, String>) -> String {
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| {
            let mut words = text.split_whitespace();
            Some(format!("{} {}", words.next()?, words.next()?))
        })
        .unwrap_or_else(|| "rustc (version unknown)".into());
    let python = match python {
        Ok(python) => format!("Python {}", python.version),
        Err(why) => format!("Python not measured: {why}"),
    };
    format!(
        "{rustc}, tokio {}, {python}",
        locked_version("tokio").unwrap_or("unknown")
    )
}

/// The version of `name` in the book's `Cargo.lock`.
fn locked_version(name: &'static str) -> Option<&'static str> {
    let lock = include_str!("../../../Cargo.lock");
    let key = format!("name = \"{name}\"\nversion = \"");
    let at = lock.find(&key)?;
    lock[at + key.len()..].split('"').next()
}

// ---------------------------------------------------------------------------
// Python

/// The Python that runs the Python rows.
#[derive(Clone, Debug)]
pub struct Python {
    pub executable: PathBuf,
    /// `3.12.1`
    pub version: String,
}

/// `--python PATH`, else `python3` on `PATH`, if it is Python 3.11 or later;
/// otherwise why not, for the report.
pub fn find_python(asked: Option<&Path>) -> Result<Python, String> {
    let name = asked.unwrap_or(Path::new("python3"));
    let out = Command::new(name)
        .args([
            "-I",
            "-c",
            "import sys; print(sys.version_info >= (3, 11), '.'.join(map(str, sys.version_info[:3])), sys.executable)",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("`{}` does not run: {e}", name.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.trim().splitn(3, ' ');
    match (words.next(), words.next(), words.next()) {
        (Some("True"), Some(version), Some(executable)) => Ok(Python {
            executable: PathBuf::from(executable),
            version: version.to_string(),
        }),
        (Some("False"), Some(version), _) => Err(format!(
            "`{}` is Python {version}; the Python rows need 3.11 or later (try --python PATH)",
            name.display()
        )),
        _ => Err(format!("`{}` did not say its version", name.display())),
    }
}

/// The Python program beside an example: `examples/NAME.py`.
pub fn twin(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(format!("{name}.py"))
}

// ---------------------------------------------------------------------------
// The command line

/// The options every measuring example takes.
#[derive(Debug, Default)]
pub struct Options {
    /// `--small`: few jobs, for the book's tests.
    pub small: bool,
    /// `--write FILE`: the report also goes there.
    pub write: Option<String>,
    /// `--python PATH`
    pub python: Option<PathBuf>,
    /// A number, for examples that take one.
    pub number: Option<usize>,
}

impl Options {
    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options::default();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--small" => options.small = true,
                "--write" => options.write = Some(args.next().ok_or("--write needs a file name")?),
                "--python" => {
                    options.python = Some(args.next().ok_or("--python needs a path")?.into())
                }
                other => match other.parse() {
                    Ok(number) if options.number.is_none() => options.number = Some(number),
                    _ => {
                        return Err(format!(
                            "unknown argument `{other}`; try --small, --python PATH or --write FILE"
                        ));
                    }
                },
            }
        }
        Ok(options)
    }
}

// ---------------------------------------------------------------------------
// Repeats

/// The median of the runs of one trial, and the least and most of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// `None` if no run measured it. With an even number of runs, the lower
    /// of the two middle values.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Spread> {
        let mut values: Vec<f64> = values.into_iter().collect();
        values.sort_by(f64::total_cmp);
        Some(Spread {
            median: *values.get((values.len().max(1) - 1) / 2)?,
            min: *values.first()?,
            max: *values.last()?,
        })
    }

    /// `2.80 (2.61–3.02)`, or `2.80` if every run gave the same.
    pub fn show(&self, places: usize) -> String {
        let median = decimal(self.median, places);
        let (min, max) = (decimal(self.min, places), decimal(self.max, places));
        if min == max {
            median
        } else {
            format!("{median} ({min}–{max})")
        }
    }
}

// ---------------------------------------------------------------------------
// The report

/// The report's first lines: its title, then `**Key:** value` lines.
pub fn header(title: &str, keys: &[(&str, String)]) -> String {
    let mut text = format!("{title}\n\n");
    for (i, (key, value)) in keys.iter().enumerate() {
        let end = if i + 1 < keys.len() { "\\" } else { "" };
        let _ = writeln!(text, "**{key}:** {value}{end}");
    }
    text
}

/// A Markdown table, padded so that it also reads well in a terminal; the
/// first column is left-aligned, the others right-aligned.
pub fn markdown_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let width = |column: usize| {
        rows.iter()
            .map(|row| row[column].chars().count())
            .chain([headers[column].chars().count(), 3])
            .max()
            .unwrap_or(3)
    };
    let widths: Vec<usize> = (0..headers.len()).map(width).collect();
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let pad = |text: &str, column: usize| {
        if column > 0 {
            format!("{text:>w$}", w = widths[column])
        } else {
            format!("{text:<w$}", w = widths[column])
        }
    };
    let mut table = line(headers.iter().enumerate().map(|(c, h)| pad(h, c)).collect());
    table.push_str(&line(
        widths
            .iter()
            .enumerate()
            .map(|(c, w)| {
                if c > 0 {
                    format!("{}:", "-".repeat(w - 1))
                } else {
                    "-".repeat(*w)
                }
            })
            .collect(),
    ));
    for row in rows {
        table.push_str(&line(
            row.iter().enumerate().map(|(c, t)| pad(t, c)).collect(),
        ));
    }
    table
}

/// `1,234,567`
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// `1,234.5` with `places` decimals; `-3` for negative numbers.
pub fn decimal(value: f64, places: usize) -> String {
    let text = format!("{:.places$}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole = thousands(whole.parse().unwrap_or(0));
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// `2025-06-01 14:05 UTC`, from the system clock.
pub fn utc_now() -> String {
    utc(SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()))
}

/// The date and time `seconds` after 1970-01-01 00:00 UTC.
pub fn utc(seconds: u64) -> String {
    let (days, rest) = ((seconds / 86_400) as i64, seconds % 86_400);
    // Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a date.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest / 60 % 60
    )
}

/// `2026-11-29 21:40 UTC, release build, 95 s in all`
pub fn when(began: Instant) -> String {
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    format!(
        "{}, {build} build, {:.0} s in all",
        utc_now(),
        began.elapsed().as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_in_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(decimal(1234.56, 1), "1,234.6");
        assert_eq!(decimal(0.04, 1), "0.0");
        assert_eq!(decimal(-0.04, 1), "0.0");
        assert_eq!(decimal(-1234.0, 0), "-1,234");
    }

    #[test]
    fn a_spread_is_the_median_and_the_extremes() {
        let spread = Spread::of([3.02, 2.61, 2.80]).expect("values");
        assert_eq!(spread.show(2), "2.80 (2.61–3.02)");
        assert_eq!(
            Spread::of([5.0, 5.0, 5.0]).map(|s| s.show(1)),
            Some("5.0".into())
        );
        assert_eq!(
            Spread::of([1.0, 2.0, 3.0, 4.0]).map(|s| s.median),
            Some(2.0)
        );
        assert_eq!(Spread::of([]), None);
    }

    #[test]
    fn crash_reports_keep_the_messages() {
        let stderr = "\nthread '<unnamed>' (23213) panicked at library/std/src/sys/pal/unix/stack_overflow.rs:240:13:\nfailed to set up alternative stack guard page: Cannot allocate memory (os error 12)\nstack backtrace:\nnote: Some details are omitted\nfatal runtime error: failed to initiate panic, error 5, aborting\n";
        assert_eq!(
            crash_messages(stderr),
            [
                "failed to set up alternative stack guard page: Cannot allocate memory (os error 12)",
                "fatal runtime error: failed to initiate panic, error 5, aborting"
            ]
        );
        let python = "Traceback (most recent call last):\n  File \"x.py\", line 3, in <module>\n    f()\n    ^^^\nMemoryError\n";
        assert_eq!(crash_messages(python), ["MemoryError"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_child_that_runs_too_long_is_killed() {
        let mut command = Command::new("sleep");
        command.arg("30");
        let finished = run_bounded(command, Duration::ZERO).expect("sleep runs");
        assert_eq!(finished.status, None);
        assert_eq!(
            describe_end(None, Duration::from_secs(120)),
            "was killed after 120 s"
        );
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_825_600), "2000-02-29 12:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13 UTC");
    }

    #[test]
    fn the_locked_tokio_is_found() {
        let tokio = locked_version("tokio").expect("tokio in Cargo.lock");
        assert!(
            tokio.starts_with("1.") && tokio.split('.').count() == 3,
            "{tokio}"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_can_be_read() {
        assert!(Memory::now().is_some_and(|m| m.resident > 0));
        assert!(mappings("self").is_some_and(|n| n > 10));
        assert!(open_files("self").is_some_and(|n| n >= 3));
        let before = open_sockets("self").expect("sockets");
        let _listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        assert_eq!(open_sockets("self"), Some(before + 1));
        assert!(Usage::of(std::process::id()).is_some_and(|u| u.switches > 0));
    }
}
