//! The book's paused clock, kept out of the listings that readers copy.
//!
//! An example that sleeps or prints times has, on a line the book hides, this
//! attribute above the `#[tokio::main]` a reader sees:
//!
//! ```text
//! #[cfg_attr(feature = "paused-clock", paused_clock::main)]
//! #[tokio::main]
//! async fn main() { ... }
//! ```
//!
//! With the repository's `paused-clock` feature on (the book's tests turn it
//! on), it replaces the `#[tokio::main]` below it with
//! `#[tokio::main(flavor = "current_thread", start_paused = true)]`, keeping
//! a `flavor = "local"` and any other argument but `worker_threads`: the
//! same `main`, on tokio's paused clock, where sleeps take no real time and every
//! timestamp is exact. Without the feature the attribute is not there at all,
//! and `cargo run` runs what the page shows.
//!
//! No dependencies: it only swaps one attribute, so it compiles in well under
//! a second.

use proc_macro::{Delimiter, Group, Spacing, TokenStream, TokenTree};

/// Runs the `#[tokio::main]` below it on a paused, current-thread runtime.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return error("`paused_clock::main` takes no arguments");
    }
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let found = tokens.windows(2).position(|pair| match pair {
        [TokenTree::Punct(hash), TokenTree::Group(attribute)] => {
            hash.as_char() == '#'
                && hash.spacing() == Spacing::Alone
                && attribute.delimiter() == Delimiter::Bracket
                && is_tokio_main(attribute)
        }
        _ => false,
    });
    let Some(at) = found else {
        return error("put `paused_clock::main` right above `#[tokio::main]`");
    };
    let TokenTree::Group(tokio_main) = &tokens[at + 1] else {
        unreachable!("found above")
    };
    let paused = paused(tokio_main.stream());
    let mut attribute = Group::new(Delimiter::Bracket, paused);
    attribute.set_span(tokens[at + 1].span());
    tokens[at + 1] = TokenTree::Group(attribute);
    tokens.into_iter().collect()
}

/// The arguments of `#[tokio::main(...)]` for the paused clock: the flavor
/// becomes `current_thread` unless it is `local` (the paused clock needs a
/// one-thread runtime), `worker_threads` goes (a one-thread runtime has no
/// workers), and `start_paused = true` is added; every other argument stays.
fn paused(tokio_main: TokenStream) -> TokenStream {
    let given = tokio_main
        .into_iter()
        .nth(4)
        .and_then(|token| match token {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Parenthesis => {
                Some(group.stream().to_string())
            }
            _ => None,
        })
        .unwrap_or_default();
    let mut arguments = Vec::new();
    let mut flavor = "\"current_thread\"".to_string();
    for argument in given.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        let name = argument.split('=').next().unwrap_or_default().trim();
        match name {
            "flavor" if argument.contains("\"local\"") => flavor = "\"local\"".to_string(),
            "flavor" | "worker_threads" => {}
            "start_paused" => return error("`paused_clock::main` sets `start_paused` itself"),
            _ => arguments.push(argument.to_string()),
        }
    }
    arguments.insert(0, format!("flavor = {flavor}"));
    arguments.push("start_paused = true".to_string());
    format!("tokio::main({})", arguments.join(", "))
        .parse()
        .expect("these tokens parse")
}

/// `tokio::main`, with or without arguments.
fn is_tokio_main(attribute: &Group) -> bool {
    let path: String = attribute
        .stream()
        .into_iter()
        .take(4)
        .map(|token| token.to_string())
        .collect();
    path == "tokio::main"
}

fn error(message: &str) -> TokenStream {
    format!("compile_error!({message:?});")
        .parse()
        .expect("these tokens parse")
}
