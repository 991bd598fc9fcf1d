// Course section: Testing async code.
//
// asyncio has no clock that a test can stop: a test of code that waits five
// minutes waits five minutes, unless it patches the sleeps away. Tokio's
// paused clock (`start_paused = true`, `time::pause`, `time::advance`)
// lets a test run minutes of waiting in no real time, and check every
// duration exactly. `main` makes tea twice: once with a kettle fast enough
// for our patience, once with one that is not.
//
// Run it with `cargo run --example testing_time`, its tests with
// `cargo test --example testing_time`.

// `mdbook test` links crates with `-L` only, so the book needs these lines;
// cargo does not, and they change nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

// ANCHOR: make_tea
use std::time::Duration;
use tokio::time::{Instant, error::Elapsed, sleep, timeout};

const STEEP: Duration = Duration::from_secs(4);

/// Boils the kettle, then steeps the tea; gives up if the kettle takes
/// longer than `patience`.
async fn make_tea(kettle: Duration, patience: Duration) -> Result<&'static str, Elapsed> {
    timeout(patience, sleep(kettle)).await?;
    sleep(STEEP).await;
    Ok("tea")
}
// ANCHOR_END: make_tea

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    let patience = Duration::from_secs(5);
    for kettle_seconds in [2, 8] {
        let start = Instant::now();
        let kettle = Duration::from_secs(kettle_seconds);
        let outcome = match make_tea(kettle, patience).await {
            Ok(cup) => format!("{cup} is ready"),
            Err(_) => "gave up on the kettle".to_string(),
        };
        let seconds = start.elapsed().as_secs_f64();
        println!("{kettle_seconds} s kettle: {outcome} after {seconds:.1} s");
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::task;
    use tokio::time;
    use tokio_test::{assert_pending, assert_ready};

    const MINUTE: Duration = Duration::from_secs(60);

    // ANCHOR: paused
    #[tokio::test(start_paused = true)]
    async fn ten_minutes_of_tea_take_no_real_time() {
        let wall_clock = std::time::Instant::now(); // the real clock
        let start = Instant::now(); // tokio's clock, paused
        let cup = make_tea(10 * MINUTE, 15 * MINUTE).await;
        assert_eq!(cup, Ok("tea"));
        assert_eq!(start.elapsed(), 10 * MINUTE + STEEP); // exactly
        assert!(wall_clock.elapsed() < Duration::from_secs(1)); // real time: almost none
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_kettle_gives_up_at_exactly_the_patience() {
        let start = Instant::now();
        let cup = make_tea(8 * MINUTE, 5 * MINUTE).await;
        assert!(cup.is_err());
        assert_eq!(start.elapsed(), 5 * MINUTE);
    }
    // ANCHOR_END: paused

    // ANCHOR: advance
    #[tokio::test(start_paused = true)]
    async fn advance_moves_the_clock_by_hand() {
        // Poll the kettle's timer by hand, so that only `advance` moves the
        // clock: the test never waits, so auto-advance never runs.
        let mut kettle = tokio_test::task::spawn(sleep(2 * MINUTE));
        assert_pending!(kettle.poll()); // the timer is set for 2 minutes

        time::advance(2 * MINUTE - Duration::from_secs(1)).await;
        assert!(!kettle.is_woken(), "one second to go: not fired");

        // `advance` ends by yielding to the runtime once, which lets the
        // timer fire what is due (tokio's source does this; its docs promise
        // only that a timer advanced past completes "shortly").
        time::advance(Duration::from_secs(1)).await;
        assert!(kettle.is_woken(), "the deadline came: fired");
        assert_ready!(kettle.poll());
    }

    #[tokio::test]
    #[should_panic(expected = "time is not frozen")]
    async fn after_resume_the_clock_runs_on_its_own_again() {
        time::pause();
        let start = Instant::now();
        time::advance(60 * MINUTE).await;
        time::resume();
        // The hour that `advance` added stays: the clock goes on from there
        // with real time, and can no longer be moved by hand.
        assert!(start.elapsed() >= 60 * MINUTE);
        time::advance(MINUTE).await; // panics: "time is not frozen"
    }
    // ANCHOR_END: advance

    // ANCHOR: auto_advance
    #[tokio::test(start_paused = true)]
    async fn an_idle_runtime_jumps_to_the_next_timer_in_order() {
        let start = Instant::now();
        let at = |seconds| async move {
            sleep(Duration::from_secs(seconds)).await;
            start.elapsed().as_secs()
        };
        let (slow, fast) = tokio::join!(at(3), at(1));
        assert_eq!((slow, fast), (3, 1)); // each woke at its own deadline
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn the_clock_stands_still_while_a_blocking_task_runs() {
        let start = Instant::now();
        // A timeout of 1 ms around 20 ms of real, blocking work: it does not
        // fire, because paused time does not advance while the work runs.
        let blocking_work = task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(20)));
        let result = timeout(Duration::from_millis(1), blocking_work).await;
        assert!(result.is_ok(), "the timeout did not fire");
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_around_a_plain_thread_fires_at_once() {
        let start = Instant::now();
        let (finish, finished) = std::sync::mpsc::channel::<()>();
        let (done, result) = tokio::sync::oneshot::channel();
        // A plain thread busy with real work, here until the test lets it go.
        let worker = std::thread::spawn(move || {
            let _ = finished.recv();
            let _ = done.send(42);
        });
        // The runtime sees no task that can run and no blocking task, so it
        // jumps straight to the deadline: ten seconds, in no real time.
        let answer = timeout(Duration::from_secs(10), result).await;
        assert!(answer.is_err(), "the timeout fired");
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        drop(finish); // lets the thread end
        worker.join().expect("the worker does not panic");
    }
    // ANCHOR_END: auto_advance
}
