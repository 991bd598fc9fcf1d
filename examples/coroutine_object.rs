// Course section: Coroutines & Awaitables.
//
// In Python, `type(main)` is `function` and `type(main())` is `coroutine`:
// one class for every coroutine. In Rust, calling an `async fn` returns a
// value of an anonymous type that the compiler writes for that one function,
// and all such types implement the `Future` trait. `type_name_of_val` shows
// the names the compiler gives them.
//
// Run it with `cargo run --example coroutine_object`.

use std::any::type_name_of_val;
use std::future::Future;

// ANCHOR: greet
async fn greet(name: &str) -> String {
    format!("hello, {name}")
}

/// What `async fn greet` means: a plain function that returns a future.
#[expect(clippy::manual_async_fn, reason = "spelled out to show what it means")]
fn greet_desugared(name: &str) -> impl Future<Output = String> {
    async move { format!("hello, {name}") }
}
// ANCHOR_END: greet

// ANCHOR: main
fn main() {
    let future = greet("Ada");
    let block = async { 42 };
    let closure = async |name: &str| greet(name).await.len();

    println!("greet           {}", type_name_of_val(&greet));
    println!("greet(\"Ada\")    {}", type_name_of_val(&future));
    println!(
        "greet_desugared {}",
        type_name_of_val(&greet_desugared("Ada"))
    );
    println!("async block     {}", type_name_of_val(&block));
    println!("async closure   {}", type_name_of_val(&closure));
    println!("closure(\"Ada\")  {}", type_name_of_val(&closure("Ada")));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::any::{Any, TypeId};
    use std::pin::Pin;

    fn type_id_of<T: Any>(_: &T) -> TypeId {
        TypeId::of::<T>()
    }

    #[test]
    fn every_call_of_an_async_fn_returns_the_same_type() {
        assert_eq!(type_id_of(&greet("Ada")), type_id_of(&greet("Grace")));
    }

    #[test]
    fn each_async_fn_and_block_has_a_type_of_its_own() {
        assert_ne!(
            type_id_of(&greet("Ada")),
            type_id_of(&greet_desugared("Ada"))
        );
        let one = async { 42 };
        let two = async { 42 };
        assert_ne!(type_id_of(&one), type_id_of(&two));
        // ...and yet the two print the same name.
        assert_eq!(type_name_of_val(&one), type_name_of_val(&two));
    }

    #[test]
    fn an_async_block_and_an_async_closure_can_print_the_same_name() {
        let block = async { 42 };
        let closure = async || 42;
        assert_ne!(type_id_of(&block), type_id_of(&closure));
        assert_eq!(type_name_of_val(&block), type_name_of_val(&closure));
    }

    /// Different types, one trait: boxed as `dyn Future`, they fit in one
    /// `Vec` and are awaited alike.
    #[tokio::test]
    async fn every_future_type_shares_the_future_trait() {
        let futures: Vec<Pin<Box<dyn Future<Output = String>>>> = vec![
            Box::pin(greet("Ada")),
            Box::pin(greet_desugared("Grace")),
            Box::pin(async { String::from("hello, Alan") }),
        ];
        let mut greetings = Vec::new();
        for future in futures {
            greetings.push(future.await);
        }
        assert_eq!(greetings, ["hello, Ada", "hello, Grace", "hello, Alan"]);
    }

    #[tokio::test]
    async fn the_sugar_and_the_desugared_form_give_the_same_result() {
        assert_eq!(greet("Ada").await, "hello, Ada");
        assert_eq!(greet_desugared("Ada").await, greet("Ada").await);
    }
}
