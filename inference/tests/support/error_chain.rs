//! A check shared by the inference and facade error tests: an error's source chain prints
//! each message once.

use std::error::Error;

/// Walks `error`'s source chain: no message repeats its source's message, and the chain
/// printed as `a: b: c` holds each message exactly once. Returns the chain's length.
pub fn assert_chain_does_not_repeat(error: &(dyn Error + 'static)) -> usize {
    let mut messages = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let message = e.to_string();
        assert!(!message.is_empty());
        if let Some(source) = e.source() {
            let source_message = source.to_string();
            assert!(
                !message.contains(&source_message),
                "`{message}` repeats its source `{source_message}`"
            );
        }
        messages.push(message);
        current = e.source();
    }
    let printed = messages.join(": ");
    for message in &messages {
        assert_eq!(
            printed.matches(message.as_str()).count(),
            1,
            "`{message}` is printed more than once in `{printed}`"
        );
    }
    messages.len()
}
