// Course section: What, Why & Threads vs Asyncio.
//
// Python idea it mirrors: many jobs that each `await release.wait()` on an
// `asyncio.Event`, against the same jobs as `threading.Thread`s that each
// call `release.wait()` on a `threading.Event`. How many can wait at once,
// how fast do they start and finish, and what does each one cost?
//
// Every trial runs in a child process of its own (this program, started
// again with a hidden `--trial` argument), so that its peak memory is its
// own, and so that a trial that kills its process ends up as a row in the
// table instead of ending the program.
//
// Run it with `cargo run --release --example threads_vs_tasks`; `-- --small`
// runs every trial with few jobs, as the book's tests do. `./measure.sh`
// writes the book's table with `-- --write book/src/measured/threads_vs_tasks.md`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
extern crate tokio;

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::mem::size_of_val;
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use std::{env, fs, thread};

use tokio::sync::{mpsc as async_mpsc, watch};

/// How long one trial may run before it is killed.
const TRIAL_LIMIT: Duration = Duration::from_secs(120);

/// The first line of the output, and of the book's copy of it.
const TITLE: &str = "*Measured by `cargo run --release --example threads_vs_tasks -- --write book/src/measured/threads_vs_tasks.md`, which `./measure.sh` runs.*";

// ANCHOR: tasks
/// One tokio task per job. Each says it is waiting, then waits on a `watch`
/// channel: `await release.wait()` on an `asyncio.Event`.
async fn tasks_waiting(jobs: usize, probe: &mut Probe) {
    let (release, released) = watch::channel(false);
    let (ready, mut all_ready) = async_mpsc::unbounded_channel();
    let mut tasks = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        let mut released = released.clone();
        let ready = ready.clone();
        let job = async move {
            let _ = ready.send(());
            let _ = released.wait_for(|set| *set).await;
        };
        probe.future_bytes = Some(size_of_val(&job));
        tasks.push(tokio::spawn(job));
    }
    let mut waiting = 0;
    while waiting < jobs && all_ready.recv().await.is_some() {
        waiting += 1;
    }
    // None should have finished: each one waits for the release.
    let finished = tasks.iter().filter(|task| task.is_finished()).count();
    probe.all_waiting(waiting, finished);

    release.send_replace(true);
    let mut joined = 0;
    for task in tasks {
        if task.await.is_ok() {
            joined += 1;
        }
    }
    probe.all_joined(joined);
}
// ANCHOR_END: tasks

// ANCHOR: threads
/// `threading.Event`: a flag, and a condition variable to wait for it.
#[derive(Default)]
struct Event {
    set: Mutex<bool>,
    changed: Condvar,
}

impl Event {
    fn wait(&self) {
        let mut set = self.set.lock().unwrap_or_else(PoisonError::into_inner);
        while !*set {
            set = self
                .changed
                .wait(set)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn set(&self) {
        *self.set.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.changed.notify_all();
    }
}

/// One OS thread per job, each waiting on the same event. Stops spawning at
/// the first thread the system refuses.
fn threads_waiting(jobs: usize, stack_size: Option<usize>, probe: &mut Probe) {
    let release = Arc::new(Event::default());
    let (ready, all_ready) = mpsc::channel();
    let mut threads = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        let release = Arc::clone(&release);
        let ready = ready.clone();
        let mut builder = thread::Builder::new();
        if let Some(bytes) = stack_size {
            builder = builder.stack_size(bytes);
        }
        let spawned = builder.spawn(move || {
            let _ = ready.send(());
            release.wait();
        });
        match spawned {
            Ok(thread) => {
                threads.push(thread);
                probe.started(threads.len());
            }
            Err(error) => {
                probe.spawn_failed(threads.len(), &error);
                break;
            }
        }
    }
    let waiting = all_ready.iter().take(threads.len()).count();
    // None should have finished: each one waits for the release.
    let finished = threads.iter().filter(|thread| thread.is_finished()).count();
    probe.all_waiting(waiting, finished);

    release.set();
    let joined = threads
        .into_iter()
        .map(thread::JoinHandle::join)
        .filter(Result::is_ok)
        .count();
    probe.all_joined(joined);
}
// ANCHOR_END: threads

/// What Linux says about this process's memory, in KiB. The last two fields
/// count the whole machine: the kernel keeps no per-process total of them.
#[derive(Clone, Copy, Debug)]
struct Memory {
    /// `VmRSS`: the pages of this process in RAM now.
    resident: u64,
    /// `VmHWM`: the most `VmRSS` has ever been.
    peak: u64,
    /// `VmPTE`: the page tables that map this process's memory.
    page_tables: u64,
    /// `KernelStack` in `/proc/meminfo`: every thread has one in the kernel.
    kernel_stacks: u64,
    /// `SUnreclaim` in `/proc/meminfo`: kernel objects such as a thread's
    /// `task_struct`, which the kernel cannot free while they are in use.
    kernel_objects: u64,
}

impl Memory {
    /// `None` where there is no `/proc` (any system but Linux).
    fn now() -> Option<Memory> {
        let status = fs::read_to_string("/proc/self/status").ok()?;
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
    fn kernel(&self) -> u64 {
        self.page_tables + self.kernel_stacks + self.kernel_objects
    }
}

/// The number after `key` in a `/proc` file, such as `VmRSS:  1234 kB`.
fn kib(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// What one trial found. A child process prints it as `key value` lines and
/// the parent reads them back; whatever a crashed child printed still counts.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    waiting: Option<usize>,
    start: Option<Duration>,
    joined: Option<usize>,
    join: Option<Duration>,
    peak_kib: Option<u64>,
    resident_per_job: Option<u64>,
    kernel_per_job: Option<i64>,
    future_bytes: Option<usize>,
    /// Jobs that had ended before the release: none, if each one waited.
    finished_early: Option<usize>,
    /// The last count of started threads the child reported.
    started: Option<usize>,
    spawn_failed: Option<(usize, String)>,
}

/// Takes the timings and the memory readings of one trial.
struct Probe {
    clock: Instant,
    before: Option<Memory>,
    future_bytes: Option<usize>,
    outcome: Outcome,
}

impl Probe {
    fn start() -> Probe {
        let before = Memory::now();
        Probe {
            clock: Instant::now(),
            before,
            future_bytes: None,
            outcome: Outcome::default(),
        }
    }

    /// Every tenth thread, printed at once: if the process dies, the parent
    /// still knows how far it got.
    fn started(&mut self, threads: usize) {
        if threads % 10 == 0 {
            println!("started {threads}");
        }
    }

    /// Printed at once too.
    fn spawn_failed(&mut self, started: usize, error: &io::Error) {
        println!("spawn_failed {started} {error}");
        self.outcome.spawn_failed = Some((started, error.to_string()));
    }

    fn all_waiting(&mut self, waiting: usize, finished: usize) {
        self.outcome.start = Some(self.clock.elapsed());
        self.outcome.waiting = Some(waiting);
        self.outcome.finished_early = Some(finished);
        self.outcome.future_bytes = self.future_bytes;
        if let (Some(before), Some(now)) = (self.before, Memory::now()) {
            let jobs = waiting.max(1) as u64;
            self.outcome.resident_per_job =
                Some(now.peak.saturating_sub(before.resident) * 1024 / jobs);
            let kernel = now.kernel() as i64 - before.kernel() as i64;
            self.outcome.kernel_per_job = Some(kernel * 1024 / jobs as i64);
        }
        self.clock = Instant::now();
    }

    fn all_joined(&mut self, joined: usize) {
        self.outcome.join = Some(self.clock.elapsed());
        self.outcome.joined = Some(joined);
        self.outcome.peak_kib = Memory::now().map(|memory| memory.peak);
    }
}

impl Outcome {
    fn to_lines(&self) -> String {
        let mut lines = String::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                lines.push_str(&format!("{key} {value}\n"));
            }
        };
        put("waiting", self.waiting.map(|n| n.to_string()));
        put("start_ns", self.start.map(|d| d.as_nanos().to_string()));
        put("joined", self.joined.map(|n| n.to_string()));
        put("join_ns", self.join.map(|d| d.as_nanos().to_string()));
        put("peak_kib", self.peak_kib.map(|n| n.to_string()));
        put(
            "resident_per_job",
            self.resident_per_job.map(|n| n.to_string()),
        );
        put("kernel_per_job", self.kernel_per_job.map(|n| n.to_string()));
        put("future_bytes", self.future_bytes.map(|n| n.to_string()));
        put("finished_early", self.finished_early.map(|n| n.to_string()));
        lines
    }

    fn from_lines(text: &str) -> Outcome {
        let values: BTreeMap<&str, &str> = text
            .lines()
            .filter_map(|line| line.split_once(' '))
            .collect();
        let number = |key: &str| values.get(key).and_then(|v| v.parse::<u64>().ok());
        let nanos = |key: &str| number(key).map(Duration::from_nanos);
        Outcome {
            waiting: number("waiting").map(|n| n as usize),
            start: nanos("start_ns"),
            joined: number("joined").map(|n| n as usize),
            join: nanos("join_ns"),
            peak_kib: number("peak_kib"),
            resident_per_job: number("resident_per_job"),
            kernel_per_job: values.get("kernel_per_job").and_then(|v| v.parse().ok()),
            future_bytes: number("future_bytes").map(|n| n as usize),
            finished_early: number("finished_early").map(|n| n as usize),
            started: number("started").map(|n| n as usize),
            spawn_failed: values.get("spawn_failed").and_then(|rest| {
                let (started, error) = rest.split_once(' ')?;
                Some((started.parse().ok()?, error.to_string()))
            }),
        }
    }
}

/// The child's side: `--trial tasks JOBS` or `--trial threads JOBS [STACK]`.
fn run_trial(args: &[String]) -> Result<(), String> {
    let number = |at: usize| -> Result<Option<usize>, String> {
        args.get(at)
            .map(|arg| arg.parse().map_err(|_| format!("not a number: `{arg}`")))
            .transpose()
    };
    let jobs = number(1)?.ok_or("--trial needs a number of jobs")?;
    let probe = match args.first().map(String::as_str) {
        Some("tasks") => {
            // tokio's default runtime: one worker thread per core. They
            // exist before the probe takes its first reading.
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            let mut probe = Probe::start();
            runtime.block_on(tasks_waiting(jobs, &mut probe));
            probe
        }
        Some("threads") => {
            let stack_size = number(2)?;
            let mut probe = Probe::start();
            threads_waiting(jobs, stack_size, &mut probe);
            probe
        }
        _ => return Err(format!("unknown trial: {args:?}")),
    };
    print!("{}", probe.outcome.to_lines());
    Ok(())
}

/// One row of the table.
struct Trial {
    label: &'static str,
    jobs: usize,
    /// The child's arguments after `--trial`.
    args: Vec<String>,
}

impl Trial {
    fn tasks(jobs: usize) -> Trial {
        Trial {
            label: "tokio tasks",
            jobs,
            args: vec!["tasks".into(), jobs.to_string()],
        }
    }

    fn threads(label: &'static str, jobs: usize, stack_size: Option<usize>) -> Trial {
        let mut args = vec!["threads".into(), jobs.to_string()];
        args.extend(stack_size.map(|bytes| bytes.to_string()));
        Trial { label, jobs, args }
    }
}

/// Most threads a trial "until one fails" starts: far above the 16,000 or
/// so where Linux's default `vm.max_map_count` stops them, not so many that
/// a machine without that limit runs out of memory.
const THREAD_CAP: usize = 20_000;

fn trials(small: bool) -> Vec<Trial> {
    let (tasks, threads, cap) = if small {
        (vec![10, 100, 1_000, 10_000], vec![10, 100], 200)
    } else {
        (
            vec![1_000, 10_000, 100_000, 1_000_000],
            vec![1_000, 10_000],
            THREAD_CAP,
        )
    };
    let small_stacks = Some(64 * 1024);
    let most = threads.last().copied().unwrap_or(0);
    let mut trials: Vec<Trial> = tasks.into_iter().map(Trial::tasks).collect();
    for jobs in threads {
        trials.push(Trial::threads("threads", jobs, None));
    }
    trials.push(Trial::threads(
        "threads with 64 KiB stacks",
        most,
        small_stacks,
    ));
    trials.push(Trial::threads("threads, until one fails", cap, None));
    trials.push(Trial::threads(
        "threads with 64 KiB stacks, until one fails",
        cap,
        small_stacks,
    ));
    trials
}

/// How a child process ended, and what it printed.
struct Finished {
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

/// Runs `command`, killing it after `limit`; reads its output as it comes,
/// so that a child with much to say never blocks on a full pipe.
fn run_bounded(mut command: Command, limit: Duration) -> io::Result<Finished> {
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

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// `None` if the child was still running after `limit` and was killed.
fn wait_at_most(child: &mut Child, limit: Duration) -> io::Result<Option<ExitStatus>> {
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
fn describe_end(status: Option<ExitStatus>, limit: Duration) -> String {
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

/// The lines of a crash report worth reading: messages, not locations.
fn crash_messages(stderr: &str) -> Vec<String> {
    let mut messages: Vec<String> = Vec::new();
    for line in stderr.lines().map(str::trim) {
        let noise = line.is_empty()
            || line.starts_with("thread '")
            || line.starts_with("stack backtrace")
            || line.starts_with("note: ");
        if !noise && !messages.iter().any(|m| m == line) {
            messages.push(line.to_string());
        }
    }
    // Threads that fail at once write over each other's messages: the first
    // two are the readable ones.
    messages.truncate(2);
    messages
}

/// One finished trial, ready for the table.
struct Row {
    trial: Trial,
    outcome: Outcome,
    /// Why the trial stopped early, if it did.
    problem: Option<String>,
}

fn run(trial: Trial) -> io::Result<Row> {
    let mut command = Command::new(env::current_exe()?);
    command
        .arg("--trial")
        .args(&trial.args)
        .env("RUST_BACKTRACE", "0");
    let finished = run_bounded(command, TRIAL_LIMIT)?;
    Ok(row(trial, &finished))
}

/// The row for a trial whose child process has ended, however it ended.
fn row(trial: Trial, finished: &Finished) -> Row {
    let outcome = Outcome::from_lines(&finished.stdout);
    let mut problems = Vec::new();
    if let Some(early) = outcome.finished_early.filter(|&n| n > 0) {
        problems.push(format!(
            "{} jobs ended before the release",
            thousands(early as u64)
        ));
    }
    if let Some((started, error)) = &outcome.spawn_failed {
        problems.push(format!(
            "starting thread {} failed: `{error}`",
            thousands(*started as u64 + 1)
        ));
    }
    if !finished.status.is_some_and(|status| status.success()) {
        let mut problem = format!("the process {}", describe_end(finished.status, TRIAL_LIMIT));
        if let (None, Some(started)) = (&outcome.spawn_failed, outcome.started) {
            problem.push_str(&format!(
                " after it had started at least {} threads",
                thousands(started as u64)
            ));
        }
        let messages = crash_messages(&finished.stderr);
        if !messages.is_empty() {
            let quoted: Vec<String> = messages.iter().map(|m| format!("`{m}`")).collect();
            problem.push_str(&format!(": {}", quoted.join(", ")));
        }
        problems.push(problem);
    }

    let problem = (!problems.is_empty()).then(|| problems.join("; then "));
    Row {
        trial,
        outcome,
        problem,
    }
}

const HEADERS: [&str; 8] = [
    "Run as",
    "Jobs",
    "Waiting at once",
    "Start all (ms)",
    "Join all (ms)",
    "Peak RSS (MB)",
    "RSS per job (bytes)",
    "Kernel per job (bytes)",
];

fn table_row(row: &Row) -> Vec<String> {
    let o = &row.outcome;
    let dash = || "—".to_string();
    let all_joined = o.joined.is_some() && o.joined == o.waiting;
    vec![
        row.trial.label.to_string(),
        thousands(row.trial.jobs as u64),
        o.waiting.map_or_else(dash, |n| thousands(n as u64)),
        o.start.map_or_else(dash, millis),
        o.join.filter(|_| all_joined).map_or_else(dash, millis),
        o.peak_kib
            .map_or_else(dash, |kib| decimal(kib as f64 / 1024.0, 1)),
        o.resident_per_job.map_or_else(dash, thousands),
        o.kernel_per_job.map_or_else(dash, |n| {
            let sign = if n < 0 { "-" } else { "" };
            format!("{sign}{}", thousands(n.unsigned_abs()))
        }),
    ]
}

fn report(rows: &[Row], machine: &str, limits: &str, measured: &str) -> String {
    let mut text = format!("{TITLE}\n\n");
    text.push_str(&format!("**Machine:** {machine}\\\n"));
    text.push_str(&format!("**Limits:** {limits}\\\n"));
    text.push_str(&format!("**Measured:** {measured}\\\n"));
    let memory = if Memory::now().is_some() {
        "peak RSS is `VmHWM` in `/proc/self/status`; RSS per job is `VmHWM` while all jobs wait, less `VmRSS` before the first one, per job; the kernel's share is `VmPTE` (this process's page tables) plus `KernelStack` and `SUnreclaim` in `/proc/meminfo`, which count the whole machine"
    } else {
        "not measured: it is read from `/proc`, which only Linux has"
    };
    text.push_str(&format!("**Memory:** {memory}\n\n"));
    let cells: Vec<Vec<String>> = rows.iter().map(table_row).collect();
    text.push_str(&markdown_table(
        &HEADERS,
        &cells,
        &[false, true, true, true, true, true, true, true],
    ));
    if let Some(bytes) = rows.iter().find_map(|row| row.outcome.future_bytes) {
        text.push_str(&format!(
            "\n**Task future:** {bytes} bytes, the `size_of_val` of the `async move` block each task runs.\n"
        ));
    }
    let problems: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let problem = row.problem.as_ref()?;
            Some(format!(
                "- {} ({} jobs): {problem}.\n",
                row.trial.label,
                thousands(row.trial.jobs as u64)
            ))
        })
        .collect();
    if !problems.is_empty() {
        text.push('\n');
        text.push_str(&problems.concat());
    }
    text
}

/// A Markdown table, padded so that it also reads well in a terminal.
fn markdown_table(headers: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
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
        if right[column] {
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
                if right[c] {
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
fn thousands(n: u64) -> String {
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

/// `1,234.5` with `places` decimals.
fn decimal(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole = thousands(whole.parse().unwrap_or(0));
    if fraction.is_empty() {
        whole
    } else {
        format!("{whole}.{fraction}")
    }
}

fn millis(duration: Duration) -> String {
    decimal(duration.as_secs_f64() * 1000.0, 1)
}

/// A value from `/proc`, or "unknown" where there is none.
fn proc_value(path: &str) -> String {
    fs::read_to_string(path)
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .map_or_else(|| "unknown".into(), thousands)
}

/// One limit from `/proc/self/limits`, such as `Max processes`.
fn process_limit(name: &str) -> String {
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

fn machine() -> String {
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

fn limits() -> String {
    format!(
        "kernel.threads-max {}, kernel.pid_max {}, vm.max_map_count {}, max user processes {}",
        proc_value("/proc/sys/kernel/threads-max"),
        proc_value("/proc/sys/kernel/pid_max"),
        proc_value("/proc/sys/vm/max_map_count"),
        process_limit("Max processes"),
    )
}

/// `2025-06-01 14:05 UTC`, from the system clock.
fn utc_now() -> String {
    utc(SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()))
}

/// The date and time `seconds` after 1970-01-01 00:00 UTC.
fn utc(seconds: u64) -> String {
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

struct Options {
    small: bool,
    write: Option<String>,
}

fn options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        small: false,
        write: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--small" => options.small = true,
            "--write" => options.write = Some(args.next().ok_or("--write needs a file name")?),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; try --small or --write FILE"
                ));
            }
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    if args.first().is_some_and(|arg| arg == "--trial") {
        return match run_trial(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        };
    }
    let options = match options(args.into_iter()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };

    let began = Instant::now();
    let mut rows = Vec::new();
    for trial in trials(options.small) {
        eprint!("{} x {}: ", trial.label, thousands(trial.jobs as u64));
        let started = Instant::now();
        match run(trial) {
            Ok(row) => {
                eprintln!("{:.1} s", started.elapsed().as_secs_f64());
                rows.push(row);
            }
            Err(error) => {
                eprintln!("error: cannot start a trial: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let measured = format!(
        "{}, {build} build, {:.0} s in all",
        utc_now(),
        began.elapsed().as_secs_f64()
    );
    let text = report(&rows, &machine(), &limits(), &measured);
    print!("{text}");
    if let Some(path) = options.write {
        if let Err(error) = fs::write(&path, &text) {
            eprintln!("error: cannot write {path}: {error}");
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {path}");
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_waits_until_released_then_joins() {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let mut probe = Probe::start();
        runtime.block_on(tasks_waiting(500, &mut probe));
        let outcome = probe.outcome;
        assert_eq!(outcome.waiting, Some(500));
        // Counted after all were waiting, before the release was sent.
        assert_eq!(outcome.finished_early, Some(0));
        assert_eq!(outcome.joined, Some(500));
        assert!(outcome.future_bytes.is_some_and(|bytes| bytes > 0));
    }

    #[test]
    fn every_thread_waits_until_released_then_joins() {
        let mut probe = Probe::start();
        threads_waiting(50, Some(64 * 1024), &mut probe);
        let outcome = probe.outcome;
        assert_eq!(outcome.waiting, Some(50));
        // Counted after all were waiting, before the release was sent.
        assert_eq!(outcome.finished_early, Some(0));
        assert_eq!(outcome.joined, Some(50));
        assert_eq!(outcome.spawn_failed, None);
    }

    #[test]
    fn an_outcome_survives_the_trip_through_a_pipe() {
        let outcome = Outcome {
            waiting: Some(16_369),
            start: Some(Duration::from_nanos(1_234_567)),
            joined: Some(16_369),
            join: Some(Duration::from_nanos(89)),
            peak_kib: Some(97_800),
            resident_per_job: Some(9_824),
            kernel_per_job: Some(-12),
            future_bytes: Some(120),
            finished_early: Some(0),
            started: None,
            spawn_failed: None,
        };
        assert_eq!(Outcome::from_lines(&outcome.to_lines()), outcome);
        let crashed = Outcome::from_lines(
            "started 16360\nspawn_failed 16369 Resource temporarily unavailable (os error 11)\n",
        );
        assert_eq!(crashed.started, Some(16_360));
        assert_eq!(
            crashed.spawn_failed,
            Some((
                16_369,
                "Resource temporarily unavailable (os error 11)".into()
            ))
        );
    }

    /// A made-up trial whose process reports 30 threads, then aborts: the
    /// report gets its row and a line that says what happened, and the
    /// rows after it are still there.
    #[cfg(unix)]
    #[test]
    fn a_child_that_aborts_is_reported_not_fatal() {
        use std::os::unix::process::ExitStatusExt;

        let mut command = Command::new("sh");
        command.args([
            "-c",
            "echo 'started 30'; echo 'fatal runtime error: out of luck' >&2; kill -ABRT $$",
        ]);
        let finished = run_bounded(command, TRIAL_LIMIT).expect("sh runs");
        assert_eq!(
            describe_end(finished.status, TRIAL_LIMIT),
            "aborted (SIGABRT)"
        );
        assert_eq!(
            crash_messages(&finished.stderr),
            ["fatal runtime error: out of luck"]
        );

        let crashed = row(Trial::threads("threads", 100, None), &finished);
        let fine = Finished {
            status: Some(ExitStatus::from_raw(0)),
            stdout: "waiting 10\nfinished_early 0\njoined 10\n".into(),
            stderr: String::new(),
        };
        let after = row(Trial::tasks(10), &fine);
        assert_eq!(after.problem, None);
        let text = report(&[crashed, after], "a machine", "some limits", "now");
        assert!(
            text.contains("- threads (100 jobs): the process aborted (SIGABRT) after it had started at least 30 threads: `fatal runtime error: out of luck`.\n"),
            "{text}"
        );
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(rows.len(), 4, "a header, a rule and two rows: {text}");
        assert!(rows[2].starts_with("| threads "), "{text}");
        assert!(rows[3].starts_with("| tokio tasks "), "{text}");
    }

    #[test]
    fn a_job_that_ends_before_the_release_is_a_problem() {
        let finished = Finished {
            status: None,
            stdout: "waiting 10\nfinished_early 3\njoined 10\n".into(),
            stderr: String::new(),
        };
        let row = row(Trial::tasks(10), &finished);
        assert_eq!(
            row.problem.as_deref(),
            Some("3 jobs ended before the release; then the process was killed after 120 s")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_child_that_runs_too_long_is_killed() {
        let mut command = Command::new("sleep");
        command.arg("30");
        let finished = run_bounded(command, Duration::ZERO).expect("sleep runs");
        assert_eq!(finished.status, None);
        assert_eq!(describe_end(None, TRIAL_LIMIT), "was killed after 120 s");
    }

    #[test]
    fn numbers_are_grouped_in_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(decimal(1234.56, 1), "1,234.6");
        assert_eq!(decimal(0.04, 1), "0.0");
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
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_825_600), "2000-02-29 12:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13 UTC");
    }
}
