// Course section: Synchronisation primitives (asyncio.Event, Lock,
// Semaphore, Condition, Barrier, Queue, sleep(0), contextvars, to_thread).
//
// asyncio's primitives and what does each job in tokio: an `Event` is a
// `watch` channel of a `bool`, a `Lock` is `tokio::sync::Mutex`, a
// `Condition` is a `Notify` next to a `Mutex`, a `Queue` with several
// consumers is an `mpsc` receiver shared behind a `Mutex`. Each part prints
// what happened and when.
//
// Run it with `cargo run --example sync_primitives`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when it builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Barrier, Mutex, Notify, Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

/// `[ 1.0s]`: the time since `start`, as every example prints it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

// ANCHOR: event
/// An `asyncio.Event`: a `watch` channel of a `bool`. Two waiters wait for
/// it; it is set after 1 second; a waiter that comes later returns at once.
/// Returns the lines it prints, each stamped when its waiter woke.
async fn event(start: Instant) -> Vec<String> {
    let (set, is_set) = watch::channel(false);
    let mut waiters = JoinSet::new();
    for name in ["waiter 1", "waiter 2"] {
        let mut is_set = is_set.clone();
        waiters.spawn(async move {
            // event.wait(): returns at once if the value already passes.
            is_set.wait_for(|set| *set).await.expect("the sender lives");
            format!("{} {name} sees the event", stamp(start))
        });
    }
    sleep(Duration::from_secs(1)).await;
    set.send_replace(true); // event.set()
    // `join_all` hands results back as the tasks end; both end at 1 s, in
    // either order, so print them in waiter order.
    let mut seen = waiters.join_all().await;
    seen.sort();
    let mut late = is_set.clone();
    late.wait_for(|set| *set).await.expect("the sender lives");
    seen.push(format!("{} a late waiter returns at once", stamp(start)));
    for line in &seen {
        println!("{line}");
    }
    seen
}
// ANCHOR_END: event

// ANCHOR: lock
/// An `asyncio.Lock`: two tasks read a counter, wait, and write it back,
/// holding tokio's `Mutex` across the `.await`, so no update is lost.
async fn lock(start: Instant) -> u32 {
    let counter = Arc::new(Mutex::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..2 {
        let counter = Arc::clone(&counter);
        tasks.spawn(async move {
            let mut value = counter.lock().await; // async with lock:
            let read = *value;
            sleep(Duration::from_secs(1)).await;
            *value = read + 1;
        });
    }
    tasks.join_all().await;
    let total = *counter.lock().await;
    println!("{} counter is {total}", stamp(start));
    total
}
// ANCHOR_END: lock

// ANCHOR: semaphore
/// An `asyncio.Semaphore(2)`: five jobs of 1 second, two at a time.
async fn semaphore(start: Instant) {
    let permits = Arc::new(Semaphore::new(2));
    let mut jobs = JoinSet::new();
    for _ in 0..5 {
        let permits = Arc::clone(&permits);
        jobs.spawn(async move {
            let _permit = permits.acquire().await.expect("never closed");
            sleep(Duration::from_secs(1)).await;
        }); // the permit goes back when `_permit` is dropped
    }
    jobs.join_all().await;
    println!("{} five jobs, two at a time, done", stamp(start));
}
// ANCHOR_END: semaphore

// ANCHOR: condition
/// An `asyncio.Condition`: a `Mutex` holds the state, a `Notify` wakes the
/// waiters when it changes. Each waiter checks its predicate under the lock.
/// Returns how many times the waiter woke, and when it left.
async fn condition(start: Instant) -> (u32, Duration) {
    let state = Arc::new((Mutex::new(0u32), Notify::new()));
    let waiter = {
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let (count, changed) = &*state;
            let mut wakes = 0;
            loop {
                // Created before the check, so that a notify_waiters() that
                // comes between the check and the await is not missed.
                let notified = changed.notified();
                if *count.lock().await >= 3 {
                    break; // await cond.wait_for(lambda: count >= 3)
                }
                notified.await;
                wakes += 1;
            }
            println!("{} the count reached 3, at wake-up {wakes}", stamp(start));
            (wakes, start.elapsed())
        })
    };
    for _ in 0..3 {
        sleep(Duration::from_secs(1)).await;
        *state.0.lock().await += 1;
        state.1.notify_waiters(); // cond.notify_all()
    }
    waiter.await.expect("the waiter does not panic")
}
// ANCHOR_END: condition

// ANCHOR: barrier
/// An `asyncio.Barrier(3)`: three tasks arrive after 1, 2 and 3 seconds, and
/// all pass when the last one arrives. One of them is told it is the leader.
/// Returns when each one passed, and whether it was the leader.
async fn barrier(start: Instant) -> Vec<(Duration, bool)> {
    let barrier = Arc::new(Barrier::new(3));
    let mut tasks = JoinSet::new();
    for arrives in 1..=3 {
        let barrier = Arc::clone(&barrier);
        tasks.spawn(async move {
            sleep(Duration::from_secs(arrives)).await;
            let is_leader = barrier.wait().await.is_leader();
            (start.elapsed(), is_leader)
        });
    }
    let passed = tasks.join_all().await;
    println!("{} all three passed the barrier", stamp(start));
    passed
}
// ANCHOR_END: barrier

// ANCHOR: queue
/// An `asyncio.Queue` with two consumers: tokio's `mpsc` has one receiver,
/// so the workers share it behind a `Mutex`. Four jobs of 1 second.
async fn queue(start: Instant) -> Vec<u32> {
    let (jobs, receiver) = mpsc::channel::<u32>(10);
    let receiver = Arc::new(Mutex::new(receiver));
    let mut workers = JoinSet::new();
    for _ in 0..2 {
        let receiver = Arc::clone(&receiver);
        workers.spawn(async move {
            let mut done = Vec::new();
            loop {
                // The guard lives for this statement only: one worker waits
                // in recv() at a time, and the lock is free while the job
                // runs. (In `while let Some(job) = receiver.lock()...`, the
                // guard would live through the loop's body.)
                let job = receiver.lock().await.recv().await;
                let Some(job) = job else {
                    return done; // every sender is gone: the queue is done
                };
                sleep(Duration::from_secs(1)).await;
                done.push(job);
            }
        });
    }
    for job in 1..=4 {
        jobs.send(job).await.expect("the workers are running");
    }
    drop(jobs); // no more jobs: the workers' loops end
    let mut done: Vec<u32> = workers.join_all().await.concat();
    done.sort();
    println!("{} two workers did jobs {done:?}", stamp(start));
    done
}
// ANCHOR_END: queue

// ANCHOR: take_turns
/// Two futures that each log two steps, run together with `join!`. Without a
/// yield, the first runs both steps before the second starts; with
/// `yield_now` between the steps (Python: `await asyncio.sleep(0)`), each
/// lets the other run in between.
async fn take_turns(yielding: bool) -> Vec<&'static str> {
    let log = RefCell::new(Vec::new());
    let step = |first, second| {
        let log = &log;
        async move {
            log.borrow_mut().push(first);
            if yielding {
                tokio::task::yield_now().await;
            }
            log.borrow_mut().push(second);
        }
    };
    tokio::join!(step("a1", "a2"), step("b1", "b2"));
    log.into_inner()
}
// ANCHOR_END: take_turns

// ANCHOR: task_local
tokio::task_local! {
    /// Like a `contextvars.ContextVar`, set for one future with `scope`.
    static REQUEST_ID: u32;
}

/// The request id, if the current future runs inside a `REQUEST_ID.scope`.
fn request_id() -> Option<u32> {
    REQUEST_ID.try_with(|id| *id).ok()
}

/// Reads the id inside its scope, and in a task spawned from there.
async fn task_local() -> (Option<u32>, Option<u32>) {
    REQUEST_ID
        .scope(7, async {
            let here = request_id();
            // Unlike create_task, which copies the context, spawn does not
            // carry the task-local value into the new task.
            let spawned = tokio::spawn(async { request_id() })
                .await
                .expect("the task does not panic");
            (here, spawned)
        })
        .await
}
// ANCHOR_END: task_local

// ANCHOR: spawn_blocking
/// `asyncio.to_thread(fn)`: a blocking function runs on tokio's pool of
/// blocking threads, and the task awaits its result.
async fn to_thread() -> (u64, bool) {
    let caller = std::thread::current().id();
    tokio::task::spawn_blocking(move || {
        let sum = (1..=1000).sum(); // stands for a blocking call
        (sum, std::thread::current().id() != caller)
    })
    .await
    .expect("the closure does not panic")
}
// ANCHOR_END: spawn_blocking

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    let start = Instant::now();
    event(start).await;
    lock(start).await;
    semaphore(start).await;
    condition(start).await;
    barrier(start).await;
    queue(start).await;
    println!("without a yield: {:?}", take_turns(false).await);
    println!("with yield_now:  {:?}", take_turns(true).await);
    let (here, spawned) = task_local().await;
    println!("request id in its scope: {here:?}, in a spawned task: {spawned:?}");
    let (sum, other_thread) = to_thread().await;
    println!("to_thread: {sum}, on another thread: {other_thread}");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    use tokio::time::timeout;

    #[tokio::test(start_paused = true)]
    async fn a_watch_channel_wakes_every_waiter_and_remembers_it_is_set() {
        let start = Instant::now();
        // A waiter that never woke would hang: the timeout fails the test.
        let mut lines = timeout(Duration::from_secs(60), event(start))
            .await
            .expect("every waiter wakes");
        // The two waiters finish in either order; each one's own stamp says
        // it woke at 1 s, when the event was set.
        lines[..2].sort();
        assert_eq!(
            lines,
            [
                "[ 1.0s] waiter 1 sees the event",
                "[ 1.0s] waiter 2 sees the event",
                "[ 1.0s] a late waiter returns at once",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn notify_waiters_stores_nothing_for_a_later_waiter() {
        let notify = Notify::new();
        notify.notify_waiters();
        // Waiting after the notification: nothing wakes it.
        let waited = timeout(Duration::from_secs(60), notify.notified()).await;
        assert!(waited.is_err(), "a later waiter must wait on");
        // A watch channel that was set answers a later waiter at once.
        let (set, mut is_set) = watch::channel(false);
        set.send_replace(true);
        let waited = timeout(Duration::ZERO, is_set.wait_for(|set| *set)).await;
        assert!(waited.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_set_then_clear_can_go_unseen_by_a_watch_waiter() {
        let (set, mut is_set) = watch::channel(false);
        let waiter = tokio::spawn(async move {
            timeout(Duration::from_secs(1), is_set.wait_for(|set| *set))
                .await
                .is_ok()
        });
        tokio::task::yield_now().await; // the waiter is waiting now
        set.send_replace(true); // event.set()
        set.send_replace(false); // event.clear(), before the waiter runs
        assert!(!waiter.await.unwrap(), "the waiter saw only `false`");
    }

    #[tokio::test(start_paused = true)]
    async fn tokio_mutex_held_across_await_loses_no_update() {
        let start = Instant::now();
        assert_eq!(lock(start).await, 2);
        // The second task waited for the first one's guard: 1 s, then 1 s.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_semaphore_of_two_runs_five_jobs_in_three_seconds() {
        let start = Instant::now();
        semaphore(start).await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn the_condition_waiter_wakes_when_its_predicate_holds() {
        let start = Instant::now();
        // Woken at 1 s and 2 s too, but the count was 1, then 2: it leaves
        // at its third wake-up, at 3 s.
        assert_eq!(condition(start).await, (3, Duration::from_secs(3)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_barrier_lets_all_pass_with_the_last_and_names_one_leader() {
        let start = Instant::now();
        let passed = barrier(start).await;
        // They arrived at 1, 2 and 3 s; each one passed at 3 s.
        let times: Vec<Duration> = passed.iter().map(|(at, _)| *at).collect();
        assert_eq!(times, [Duration::from_secs(3); 3]);
        let leaders = passed.iter().filter(|(_, is_leader)| *is_leader).count();
        assert_eq!(leaders, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn two_workers_share_one_receiver_and_do_each_job_once() {
        let start = Instant::now();
        assert_eq!(queue(start).await, [1, 2, 3, 4]);
        // Four 1-second jobs, two at a time.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test]
    async fn yield_now_lets_the_other_future_run_in_between() {
        assert_eq!(take_turns(false).await, ["a1", "a2", "b1", "b2"]);
        // With it, both first steps come before either second step.
        let turns = take_turns(true).await;
        assert_eq!(turns[..2], ["a1", "b1"], "{turns:?}");
    }

    #[tokio::test]
    async fn a_spawned_task_does_not_inherit_a_task_local() {
        assert_eq!(task_local().await, (Some(7), None));
        assert_eq!(request_id(), None, "outside the scope");
    }

    #[tokio::test]
    async fn spawn_blocking_runs_the_closure_on_another_thread() {
        assert_eq!(to_thread().await, (500_500, true));
    }
}
