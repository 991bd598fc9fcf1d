// Course section: Types of Awaitable Objects.
//
// In Python, a custom awaitable's `__await__` ends up yielding an asyncio
// Future, and the Task resumes the coroutine when that Future calls it
// back. A hand-written Rust future does the calling back itself: `poll`
// either finishes, or stores the waker it was given and returns `Pending`,
// and whoever changes the state calls `wake`. The doorbell here is a
// one-waiter `asyncio.Event` written by hand, next to a buggy copy that
// forgets the waker and so hangs.
//
// Run it with `cargo run --example doorbell_future`.

// `mdbook test` links crates with `-L` only, so the book needs this line;
// cargo does not, and it changes nothing when cargo builds this file.
#[cfg(feature = "paused-clock")]
extern crate paused_clock;
extern crate tokio;

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::time::{Instant, sleep, timeout};

// ANCHOR: doorbell
/// What the button and the bell share.
#[derive(Default)]
struct Shared {
    rung: bool,
    /// The waker from the latest `poll` that found the bell silent.
    waker: Option<Waker>,
}

/// Rings the bell: give it to whoever will ring.
struct Button {
    shared: Arc<Mutex<Shared>>,
}

/// A future that finishes once the button is pressed.
struct Bell {
    shared: Arc<Mutex<Shared>>,
}

fn doorbell() -> (Button, Bell) {
    let shared = Arc::new(Mutex::new(Shared::default()));
    let button = Button {
        shared: Arc::clone(&shared),
    };
    (button, Bell { shared })
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .expect("nothing panics while holding this lock")
}

impl Button {
    fn press(self) {
        let waker = {
            let mut shared = lock(&self.shared);
            shared.rung = true;
            shared.waker.take()
        };
        // Wake after unlocking: the woken task may poll at once, elsewhere.
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}
// ANCHOR_END: doorbell

// ANCHOR: poll
impl Future for Bell {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut shared = lock(&self.shared);
        if shared.rung {
            return Poll::Ready(());
        }
        // Arrange the wake-up before answering `Pending`, and keep the
        // newest waker: since the last poll, this future may have moved to
        // another task.
        shared.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}
// ANCHOR_END: poll

// ANCHOR: forgetful
/// The same bell with one line missing.
struct ForgetfulBell {
    shared: Arc<Mutex<Shared>>,
}

impl Future for ForgetfulBell {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if lock(&self.shared).rung {
            Poll::Ready(())
        } else {
            Poll::Pending // BUG: nobody was asked to wake this task
        }
    }
}
// ANCHOR_END: forgetful

fn forgetful_doorbell() -> (Button, ForgetfulBell) {
    let (button, Bell { shared }) = doorbell();
    (button, ForgetfulBell { shared })
}

// ANCHOR: count_polls
/// Awaits `future`, printing what each poll returned. Returns the number of
/// polls it took.
async fn count_polls(future: impl Future<Output = ()>, start: Instant) -> u32 {
    let mut future = pin!(future);
    let mut polls = 0;
    poll_fn(|cx| {
        polls += 1;
        let poll = future.as_mut().poll(cx);
        println!("{} poll {polls}: {poll:?}", stamp(start));
        poll
    })
    .await;
    polls
}
// ANCHOR_END: count_polls

/// A visitor who presses the button after `secs` seconds.
fn visit_after(secs: u64, button: Button, start: Instant) {
    tokio::spawn(async move {
        sleep(Duration::from_secs(secs)).await;
        println!("{} ding dong", stamp(start));
        button.press();
    });
}

/// `[ 3.0s]`: the time since `start`, as every line of output shows it.
fn stamp(start: Instant) -> String {
    format!("[{:4.1}s]", start.elapsed().as_secs_f64())
}

#[cfg_attr(feature = "paused-clock", paused_clock::main)]
// ANCHOR: main
#[tokio::main]
async fn main() {
    println!("A bell that stores its waker:");
    let start = Instant::now();
    let (button, bell) = doorbell();
    visit_after(3, button, start);
    let polls = count_polls(bell, start).await;
    println!("{} the door opens after {polls} polls", stamp(start));

    println!("A forgetful bell, in a task of its own:");
    let start = Instant::now();
    let (button, bell) = forgetful_doorbell();
    visit_after(3, button, start);
    let waiting = tokio::spawn(count_polls(bell, start));
    sleep(Duration::from_secs(10)).await;
    let finished = waiting.is_finished();
    println!(
        "{} finished: {finished}; nothing will poll it again",
        stamp(start)
    );
    waiting.abort();

    println!("A forgetful bell, under a 10 s timeout:");
    let start = Instant::now();
    let (button, bell) = forgetful_doorbell();
    visit_after(3, button, start);
    match timeout(Duration::from_secs(10), count_polls(bell, start)).await {
        Ok(polls) => println!("{} the door opens after {polls} polls", stamp(start)),
        Err(_) => println!("{} timed out", stamp(start)),
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    use std::task::Wake;

    #[tokio::test(start_paused = true)]
    async fn the_bell_is_polled_twice_and_opens_when_the_button_is_pressed() {
        let start = Instant::now();
        let (button, bell) = doorbell();
        visit_after(3, button, start);
        // The timeout only turns a bug into a failure instead of a hang.
        let polls = timeout(Duration::from_secs(60), count_polls(bell, start)).await;
        // Once to find it silent, once after the wake: no busy polling.
        assert_eq!(polls, Ok(2));
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_bell_rung_before_it_is_awaited_is_ready_on_the_first_poll() {
        let start = Instant::now();
        let (button, bell) = doorbell();
        button.press();
        assert_eq!(count_polls(bell, start).await, 1);
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    /// A waker that counts how often it is woken.
    struct CountingWaker(AtomicU32);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn pressing_the_button_wakes_the_newest_waker_only() {
        let first = Arc::new(CountingWaker(AtomicU32::new(0)));
        let second = Arc::new(CountingWaker(AtomicU32::new(0)));
        let (button, bell) = doorbell();
        let mut bell = pin!(bell);

        // Polled from one task, then from another, as when a future moves.
        let waker = Waker::from(Arc::clone(&first));
        assert_eq!(
            bell.as_mut().poll(&mut Context::from_waker(&waker)),
            Poll::Pending
        );
        let waker = Waker::from(Arc::clone(&second));
        assert_eq!(
            bell.as_mut().poll(&mut Context::from_waker(&waker)),
            Poll::Pending
        );

        button.press();
        assert_eq!(first.0.load(Ordering::SeqCst), 0);
        assert_eq!(second.0.load(Ordering::SeqCst), 1);
        assert_eq!(
            bell.as_mut().poll(&mut Context::from_waker(&waker)),
            Poll::Ready(())
        );
    }

    /// A waker that, when woken, tries the bell's lock, as a task polled at
    /// once on another thread would.
    struct LockingWaker {
        shared: Arc<Mutex<Shared>>,
        found_it_free: AtomicBool,
    }

    impl Wake for LockingWaker {
        fn wake(self: Arc<Self>) {
            let free = self.shared.try_lock().is_ok();
            self.found_it_free.store(free, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_button_wakes_the_bell_after_unlocking() {
        let (button, bell) = doorbell();
        let waker = Arc::new(LockingWaker {
            shared: Arc::clone(&bell.shared),
            found_it_free: AtomicBool::new(false),
        });
        let mut bell = pin!(bell);
        let task_waker = Waker::from(Arc::clone(&waker));
        let mut cx = Context::from_waker(&task_waker);
        assert_eq!(bell.as_mut().poll(&mut cx), Poll::Pending);
        button.press();
        assert!(waker.found_it_free.load(Ordering::SeqCst));
    }

    /// The bell with its wake-up done wrong: it wakes itself at once.
    struct RestlessBell {
        shared: Arc<Mutex<Shared>>,
    }

    impl Future for RestlessBell {
        type Output = ();

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if lock(&self.shared).rung {
                return Poll::Ready(());
            }
            cx.waker().wake_by_ref(); // "poll me again", straight away
            Poll::Pending
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_bell_that_wakes_itself_is_polled_over_and_over() {
        let (button, Bell { shared }) = doorbell();
        let polls = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&polls);
        let mut bell = RestlessBell { shared };
        let waiting = tokio::spawn(poll_fn(move |cx| {
            counter.fetch_add(1, Ordering::SeqCst);
            Pin::new(&mut bell).poll(cx)
        }));
        // Each time this test lets the runtime run, the bell is polled
        // again, although nothing has changed.
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        assert!(polls.load(Ordering::SeqCst) >= 100);
        button.press();
        waiting.await.expect("the bell opens once pressed");
    }

    #[tokio::test(start_paused = true)]
    async fn a_forgetful_bell_in_its_own_task_never_finishes() {
        let start = Instant::now();
        let (button, bell) = forgetful_doorbell();
        visit_after(3, button, start);
        let waiting = tokio::spawn(count_polls(bell, start));
        // An hour of virtual time: the button was pressed at 3 s, but
        // nobody wakes the waiting task, so nobody polls the bell again.
        sleep(Duration::from_secs(3600)).await;
        assert!(!waiting.is_finished());
        waiting.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn a_forgetful_bell_under_a_timeout_opens_only_when_the_timer_fires() {
        let start = Instant::now();
        let (button, bell) = forgetful_doorbell();
        visit_after(3, button, start);
        let polls = timeout(Duration::from_secs(10), count_polls(bell, start)).await;
        // The timeout's own timer woke the task at 10 s, and `timeout`
        // polls the inner future once more before giving up.
        assert_eq!(polls, Ok(2));
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_bell_whose_button_is_dropped_waits_until_the_timeout() {
        let start = Instant::now();
        let (button, bell) = doorbell();
        drop(button);
        let result = timeout(Duration::from_secs(10), count_polls(bell, start)).await;
        assert!(result.is_err(), "nobody pressed the button");
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    }
}
