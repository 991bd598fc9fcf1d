// Course section: What, Why & Threads vs Asyncio.
//
// Python idea it mirrors: many jobs that each `await release.wait()` on an
// `asyncio.Event`, against the same jobs as `threading.Thread`s that each
// call `release.wait()` on a `threading.Event`. How many can wait at once,
// how fast do they start and finish, and what does each one cost? The
// Python rows come from examples/threads_vs_tasks.py, measured the same way.
//
// Every trial runs in a child process of its own (this program, started
// again with a hidden `--trial` argument, or the Python program), so that
// its peak memory is its own, and so that a trial that kills its process
// ends up as a row in the table instead of ending the program. Each trial
// runs three times; the table shows the median.
//
// Run it with `cargo run --release --example threads_vs_tasks`; `-- --small`
// runs every trial with few jobs, as the book's tests do, and `-- --python
// PATH` picks the Python (`python3` otherwise). `./measure.sh` writes the
// book's table with `-- --write book/src/measured/threads_vs_tasks.md`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
extern crate measuring;
extern crate tokio;

use std::mem::size_of_val;
use std::process::{Command, ExitCode};
use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};
use std::{env, fs, io, thread};

use measuring::{
    Finished, Memory, Options, Python, Spread, crash_messages, decimal, describe_end, header,
    mappings, markdown_table, run_bounded, thousands,
};
use tokio::sync::{mpsc as async_mpsc, watch};

/// How long one trial may run before it is killed.
const TRIAL_LIMIT: Duration = Duration::from_secs(120);

/// How many times each trial runs; a trial "until one fails" runs once.
const RUNS: usize = 3;

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

/// What one trial found. A child process prints it as `key value` lines and
/// the parent reads them back; whatever a crashed child printed still counts.
/// The Python program prints the same keys.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    waiting: Option<usize>,
    start: Option<Duration>,
    joined: Option<usize>,
    join: Option<Duration>,
    peak_kib: Option<u64>,
    resident_per_job: Option<u64>,
    kernel_per_job: Option<i64>,
    /// Lines of `/proc/self/maps` before the first job, and with all waiting.
    mappings_before: Option<usize>,
    mappings_waiting: Option<usize>,
    future_bytes: Option<usize>,
    /// Jobs that had ended before the release: none, if each one waited.
    finished_early: Option<usize>,
    /// The last count of started threads the child reported.
    started: Option<usize>,
    spawn_failed: Option<(usize, String)>,
    /// Lines of `/proc/self/maps` when a thread failed to start.
    mappings_at_failure: Option<usize>,
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
        let mappings_before = mappings("self");
        Probe {
            clock: Instant::now(),
            before,
            future_bytes: None,
            outcome: Outcome {
                mappings_before,
                ..Outcome::default()
            },
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
        if let Some(count) = mappings("self") {
            println!("mappings_at_failure {count}");
        }
        self.outcome.spawn_failed = Some((started, error.to_string()));
    }

    fn all_waiting(&mut self, waiting: usize, finished: usize) {
        self.outcome.start = Some(self.clock.elapsed());
        self.outcome.waiting = Some(waiting);
        self.outcome.finished_early = Some(finished);
        self.outcome.future_bytes = self.future_bytes;
        self.outcome.mappings_waiting = mappings("self");
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
        put(
            "mappings_before",
            self.mappings_before.map(|n| n.to_string()),
        );
        put(
            "mappings_waiting",
            self.mappings_waiting.map(|n| n.to_string()),
        );
        put("future_bytes", self.future_bytes.map(|n| n.to_string()));
        put("finished_early", self.finished_early.map(|n| n.to_string()));
        lines
    }

    fn from_lines(text: &str) -> Outcome {
        let values = measuring::values(text);
        let number = |key: &str| values.get(key).and_then(|v| v.parse::<u64>().ok());
        let count = |key: &str| number(key).map(|n| n as usize);
        let nanos = |key: &str| number(key).map(Duration::from_nanos);
        Outcome {
            waiting: count("waiting"),
            start: nanos("start_ns"),
            joined: count("joined"),
            join: nanos("join_ns"),
            peak_kib: number("peak_kib"),
            resident_per_job: number("resident_per_job"),
            kernel_per_job: values.get("kernel_per_job").and_then(|v| v.parse().ok()),
            mappings_before: count("mappings_before"),
            mappings_waiting: count("mappings_waiting"),
            future_bytes: count("future_bytes"),
            finished_early: count("finished_early"),
            // The last `started` line: `values` keeps the last of each key.
            started: count("started"),
            spawn_failed: values.get("spawn_failed").and_then(|rest| {
                let (started, error) = rest.split_once(' ')?;
                Some((started.parse().ok()?, error.to_string()))
            }),
            mappings_at_failure: count("mappings_at_failure"),
        }
    }

    /// Mappings per waiting job: what each one added to `/proc/self/maps`.
    fn mappings_per_job(&self) -> Option<f64> {
        let added = self.mappings_waiting? as f64 - self.mappings_before? as f64;
        Some(added / self.waiting?.max(1) as f64)
    }
}

/// How much more than it has mapped a trial "until one fails" may map, when
/// it runs with `--fail-early`: a few dozen threads' stacks.
const FAIL_EARLY_BYTES: u64 = 64 * 1024 * 1024;

/// The child's side: `--trial tasks JOBS` or `--trial threads JOBS [STACK]`,
/// and `--fail-early` to limit its address space first.
fn run_trial(args: &[String]) -> Result<(), String> {
    let (args, fail_early) = match args.split_last() {
        Some((last, rest)) if last == "--fail-early" => (rest, true),
        _ => (args, false),
    };
    if fail_early {
        measuring::limit_address_space(FAIL_EARLY_BYTES).map_err(|e| e.to_string())?;
    }
    let number = |at: usize| -> Result<Option<usize>, String> {
        args.get(at)
            .map(|arg| arg.parse().map_err(|_| format!("not a number: `{arg}`")))
            .transpose()
    };
    let jobs = number(1)?.ok_or("--trial needs a number of jobs")?;
    let probe = match args.first().map(String::as_str) {
        Some("tasks") => {
            // tokio's default runtime, one worker thread per core, or with
            // `current_thread` every task on this thread, as asyncio runs
            // them. The runtime exists before the probe's first reading.
            let runtime = if args.get(2).is_some_and(|arg| arg == "current_thread") {
                tokio::runtime::Builder::new_current_thread().build()
            } else {
                tokio::runtime::Runtime::new()
            }
            .map_err(|e| e.to_string())?;
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

/// Who runs a trial.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Runner {
    /// This program, again.
    Rust,
    /// examples/threads_vs_tasks.py
    Python,
}

/// One row of the table.
#[derive(Clone, Debug)]
struct Trial {
    label: &'static str,
    runner: Runner,
    jobs: usize,
    /// The child's arguments after `--trial`.
    args: Vec<String>,
    /// Runs "until one fails" with a low address-space limit (`--small`).
    fail_early: bool,
}

impl Trial {
    fn new(label: &'static str, runner: Runner, kind: &str, jobs: usize) -> Trial {
        Trial {
            label,
            runner,
            jobs,
            args: vec![kind.into(), jobs.to_string()],
            fail_early: false,
        }
    }

    fn tasks(jobs: usize) -> Trial {
        Trial::new("tokio tasks", Runner::Rust, "tasks", jobs)
    }

    fn threads(label: &'static str, jobs: usize, stack_size: Option<usize>) -> Trial {
        let mut trial = Trial::new(label, Runner::Rust, "threads", jobs);
        trial.args.extend(stack_size.map(|bytes| bytes.to_string()));
        trial
    }

    fn until_one_fails(mut self, small: bool) -> Trial {
        self.fail_early = small;
        self
    }
}

/// Most Rust threads a trial "until one fails" starts: above the 16,000 or so
/// where Linux's default `vm.max_map_count` stops them, not so many that a
/// machine without that limit runs out of memory.
const THREAD_CAP: usize = 20_000;
/// The same for Python threads, which need about half as many mappings each.
const PYTHON_THREAD_CAP: usize = 40_000;

fn trials(small: bool) -> Vec<Trial> {
    let (tasks, threads, caps) = if small {
        (vec![10, 100, 1_000, 10_000], vec![10, 100], (2_000, 2_000))
    } else {
        (
            vec![1_000, 10_000, 100_000, 1_000_000],
            vec![1_000, 10_000],
            (THREAD_CAP, PYTHON_THREAD_CAP),
        )
    };
    let small_stacks = Some(64 * 1024);
    let most = threads.last().copied().unwrap_or(0);
    let mut trials: Vec<Trial> = tasks.iter().copied().map(Trial::tasks).collect();
    // tokio's closest match to asyncio's one loop: every task on one thread.
    for &jobs in &tasks {
        let mut trial = Trial::new("tokio tasks, current_thread", Runner::Rust, "tasks", jobs);
        trial.args.push("current_thread".into());
        trials.push(trial);
    }
    for &jobs in &tasks {
        trials.push(Trial::new("asyncio tasks", Runner::Python, "asyncio", jobs));
    }
    for &jobs in &threads {
        trials.push(Trial::threads("Rust threads", jobs, None));
    }
    trials.push(Trial::threads(
        "Rust threads, 64 KiB stacks",
        most,
        small_stacks,
    ));
    for &jobs in &threads {
        trials.push(Trial::new(
            "Python threads",
            Runner::Python,
            "threads",
            jobs,
        ));
    }
    // `threading.stack_size(65536)`, at the smaller size: Python threads
    // join slowly, and the run must stay short.
    let mut trial = Trial::new(
        "Python threads, 64 KiB stacks",
        Runner::Python,
        "threads",
        threads[0],
    );
    trial.args.push((64 * 1024).to_string());
    trials.push(trial);
    trials
        .push(Trial::threads("Rust threads, until one fails", caps.0, None).until_one_fails(small));
    trials.push(
        Trial::threads(
            "Rust threads, 64 KiB stacks, until one fails",
            caps.0,
            small_stacks,
        )
        .until_one_fails(small),
    );
    trials.push(
        Trial::new(
            "Python threads, until one fails",
            Runner::Python,
            "threads",
            caps.1,
        )
        .until_one_fails(small),
    );
    trials
}

/// One run of a trial: what the child printed, and what went wrong.
#[derive(Debug)]
struct Run {
    outcome: Outcome,
    problem: Option<String>,
}

fn run(trial: &Trial, python: Result<&Python, &String>) -> io::Result<Option<Run>> {
    let mut command = match trial.runner {
        Runner::Rust => {
            let mut command = Command::new(env::current_exe()?);
            command.env("RUST_BACKTRACE", "0");
            command
        }
        Runner::Python => {
            let Ok(python) = python else {
                return Ok(None);
            };
            let mut command = Command::new(&python.executable);
            command
                .args(["-I", "-W", "error::DeprecationWarning"])
                .arg(measuring::twin("threads_vs_tasks"));
            command
        }
    };
    command.arg("--trial").args(&trial.args);
    if trial.fail_early {
        command.arg("--fail-early");
    }
    let finished = run_bounded(command, TRIAL_LIMIT)?;
    Ok(Some(judge(&finished)))
}

/// What a run found, however its process ended.
fn judge(finished: &Finished) -> Run {
    let outcome = Outcome::from_lines(&finished.stdout);
    let mut problems = Vec::new();
    if let Some(early) = outcome.finished_early.filter(|&n| n > 0) {
        problems.push(format!(
            "{} jobs ended before the release",
            thousands(early as u64)
        ));
    }
    if let Some((started, error)) = &outcome.spawn_failed {
        let mut problem = format!(
            "starting thread {} failed: `{error}`",
            thousands(*started as u64 + 1)
        );
        if let Some(count) = outcome.mappings_at_failure {
            problem.push_str(&format!(
                ", with {} memory mappings in the process",
                thousands(count as u64)
            ));
        }
        problems.push(problem);
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
    Run {
        outcome,
        problem: (!problems.is_empty()).then(|| problems.join("; then ")),
    }
}

/// One row of the tables: a trial and its runs (none if not measured).
struct Row {
    trial: Trial,
    runs: Vec<Run>,
}

impl Row {
    /// The spread of one value over the runs that measured it.
    fn spread(&self, value: impl Fn(&Outcome) -> Option<f64>) -> Option<Spread> {
        Spread::of(self.runs.iter().filter_map(|run| value(&run.outcome)))
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

const TIME_HEADERS: [&str; 5] = [
    "Run as",
    "Jobs",
    "Waiting at once",
    "Start all (ms)",
    "Join all (ms)",
];

const MEMORY_HEADERS: [&str; 6] = [
    "Run as",
    "Jobs",
    "Peak RSS (MB)",
    "RSS per job (bytes)",
    "Kernel per job (bytes)",
    "Mappings per job",
];

fn time_cells(row: &Row) -> Vec<String> {
    let dash = || "—".to_string();
    let all_joined =
        |o: &Outcome| o.joined.is_some() && o.joined == o.waiting && o.waiting.is_some();
    vec![
        row.trial.label.to_string(),
        thousands(row.trial.jobs as u64),
        row.spread(|o| o.waiting.map(|n| n as f64))
            .map_or_else(dash, |s| thousands(s.median as u64)),
        row.spread(|o| o.start.map(ms))
            .map_or_else(dash, |s| s.show(1)),
        row.spread(|o| o.join.filter(|_| all_joined(o)).map(ms))
            .map_or_else(dash, |s| s.show(1)),
    ]
}

fn memory_cells(row: &Row) -> Vec<String> {
    let dash = || "—".to_string();
    let median = |value: &dyn Fn(&Outcome) -> Option<f64>, places: usize| {
        row.spread(value)
            .map_or_else(dash, |s| decimal(s.median, places))
    };
    vec![
        row.trial.label.to_string(),
        thousands(row.trial.jobs as u64),
        median(&|o| o.peak_kib.map(|kib| kib as f64 / 1024.0), 1),
        median(&|o| o.resident_per_job.map(|n| n as f64), 0),
        median(&|o| o.kernel_per_job.map(|n| n as f64), 0),
        median(&|o| o.mappings_per_job(), 2),
    ]
}

fn report(rows: &[Row], keys: &[(&str, String)]) -> String {
    let mut text = header(TITLE, keys);
    text.push('\n');
    let time: Vec<Vec<String>> = rows.iter().map(time_cells).collect();
    text.push_str(&markdown_table(&TIME_HEADERS, &time));
    text.push('\n');
    let memory: Vec<Vec<String>> = rows.iter().map(memory_cells).collect();
    text.push_str(&markdown_table(&MEMORY_HEADERS, &memory));
    if let Some(bytes) = rows
        .iter()
        .flat_map(|row| &row.runs)
        .find_map(|run| run.outcome.future_bytes)
    {
        text.push_str(&format!(
            "\n**Task future:** {bytes} bytes, the `size_of_val` of the `async move` block each task runs.\n"
        ));
    }
    let problems: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let failed: Vec<&String> = row.runs.iter().filter_map(|r| r.problem.as_ref()).collect();
            let first = failed.first()?;
            let runs = match (failed.len(), row.runs.len()) {
                (_, 1) => "in its one run".to_string(),
                (failed, all) if failed == all => format!("in each of {all} runs"),
                (failed, all) => format!("in {failed} of {all} runs"),
            };
            Some(format!(
                "- {} ({} jobs), {runs}: {first}.\n",
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

fn limits(small: bool) -> String {
    let mut limits = format!(
        "kernel.threads-max {}, kernel.pid_max {}, vm.max_map_count {}, max user processes {}, cgroup pids.max {}, stack size (`ulimit -s`) {} bytes",
        measuring::proc_value("/proc/sys/kernel/threads-max"),
        measuring::proc_value("/proc/sys/kernel/pid_max"),
        measuring::proc_value("/proc/sys/vm/max_map_count"),
        measuring::process_limit("Max processes"),
        measuring::cgroup_pids_max(),
        measuring::process_limit("Max stack size"),
    );
    if small {
        limits.push_str(&format!(
            "; in this short run, each trial \"until one fails\" may map only {} MiB more than it had (`RLIMIT_AS`), so that it fails after a few threads",
            FAIL_EARLY_BYTES / 1024 / 1024
        ));
    }
    limits
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
    let options = match Options::parse(args.into_iter()) {
        Ok(Options {
            number: Some(n), ..
        }) => {
            eprintln!("error: unknown argument `{n}`; try --small, --python PATH or --write FILE");
            return ExitCode::FAILURE;
        }
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let python = measuring::find_python(options.python.as_deref());

    let began = Instant::now();
    let load_before = measuring::load_average();
    let mut rows: Vec<Row> = trials(options.small)
        .into_iter()
        .map(|trial| Row {
            trial,
            runs: Vec::new(),
        })
        .collect();
    // Round after round: each trial's runs are spread over the whole run,
    // so that a noisy minute does not fall on one trial's three runs.
    for round in 0..RUNS {
        for row in &mut rows {
            if round > 0 && row.trial.label.contains("until one fails") {
                continue;
            }
            let trial = &row.trial;
            eprint!("{} x {}: ", trial.label, thousands(trial.jobs as u64));
            let started = Instant::now();
            match run(trial, python.as_ref()) {
                Ok(Some(run)) => row.runs.push(run),
                Ok(None) => {}
                Err(error) => {
                    eprintln!("error: cannot start a trial: {error}");
                    return ExitCode::FAILURE;
                }
            }
            eprintln!("{:.1} s", started.elapsed().as_secs_f64());
        }
    }
    let load_after = measuring::load_average();
    let keys = [
        ("Machine", measuring::machine()),
        ("Versions", measuring::versions(&python)),
        ("Limits", limits(options.small)),
        ("Measured", measuring::when(began)),
        (
            "Quiet",
            format!("load average (1, 5, 15 min) and threads on the machine, from `/proc/loadavg`: {load_before} before, {load_after} after"),
        ),
        (
            "Runs",
            format!("each trial ran {RUNS} times (those \"until one fails\" once), each time in a process of its own, in {RUNS} rounds of every trial; a cell is the median, and times show the fastest and slowest run in parentheses"),
        ),
        (
            "Memory",
            "peak RSS is `VmHWM` in `/proc/self/status`; RSS per job is `VmHWM` while all jobs wait, less `VmRSS` before the first one, per job; the kernel's share is `VmPTE` (this process's page tables) plus `KernelStack` and `SUnreclaim` in `/proc/meminfo`, which count the whole machine; mappings are the lines of `/proc/self/maps` while all jobs wait, less before, per job".to_string(),
        ),
    ];
    let text = report(&rows, &keys);
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
            mappings_before: Some(40),
            mappings_waiting: Some(40 + 4 * 16_369),
            future_bytes: Some(120),
            finished_early: Some(0),
            started: None,
            spawn_failed: None,
            mappings_at_failure: None,
        };
        assert_eq!(Outcome::from_lines(&outcome.to_lines()), outcome);
        assert_eq!(outcome.mappings_per_job(), Some(4.0));
        let crashed = Outcome::from_lines(
            "started 16350\nstarted 16360\nspawn_failed 16369 Resource temporarily unavailable (os error 11)\nmappings_at_failure 65530\n",
        );
        assert_eq!(crashed.started, Some(16_360));
        assert_eq!(
            crashed.spawn_failed,
            Some((
                16_369,
                "Resource temporarily unavailable (os error 11)".into()
            ))
        );
        assert_eq!(crashed.mappings_at_failure, Some(65_530));
    }

    /// A made-up trial whose process reports 30 threads, then aborts: the
    /// report gets its row and a line that says what happened, and the
    /// rows after it are still there.
    #[cfg(unix)]
    #[test]
    fn a_child_that_aborts_is_reported_not_fatal() {
        use std::os::unix::process::ExitStatusExt;
        use std::process::ExitStatus;

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
        let trial = Trial::threads("Rust threads", 100, None);
        let crashed = Row {
            runs: vec![judge(&finished)],
            trial,
        };
        let fine = Finished {
            status: Some(ExitStatus::from_raw(0)),
            stdout: "waiting 10\nfinished_early 0\njoined 10\n".into(),
            stderr: String::new(),
        };
        let trial = Trial::tasks(10);
        let after = Row {
            runs: vec![judge(&fine)],
            trial,
        };
        assert_eq!(after.runs[0].problem, None);
        let text = report(&[crashed, after], &[("Machine", "a machine".into())]);
        assert!(
            text.contains("- Rust threads (100 jobs), in its one run: the process aborted (SIGABRT) after it had started at least 30 threads: `fatal runtime error: out of luck`.\n"),
            "{text}"
        );
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(
            rows.len(),
            8,
            "two tables of a header, a rule and two rows: {text}"
        );
        assert!(rows[2].starts_with("| Rust threads "), "{text}");
        assert!(rows[3].starts_with("| tokio tasks "), "{text}");
    }

    #[test]
    fn a_job_that_ends_before_the_release_is_a_problem() {
        let finished = Finished {
            status: None,
            stdout: "waiting 10\nfinished_early 3\njoined 10\n".into(),
            stderr: String::new(),
        };
        let run = judge(&finished);
        assert_eq!(
            run.problem.as_deref(),
            Some("3 jobs ended before the release; then the process was killed after 120 s")
        );
    }
}
