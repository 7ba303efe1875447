//! A handler's panic as both servers report it.

use std::any::Any;
use std::fmt;

/// A handler's panic payload (what `catch_unwind` returns), shown as its
/// message: `handler panicked: MESSAGE`. Both servers log and trace a
/// panicked connection with it (outcome [`crate::Outcome::Panicked`]).
///
/// Scheme: none (a CHICKEN handler's uncaught exception ends its thread).
pub struct PanicMessage(pub Box<dyn Any + Send>);

impl fmt::Display for PanicMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self
            .0
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| self.0.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(a payload that is not a string)");
        write!(f, "handler panicked: {message}")
    }
}

impl fmt::Debug for PanicMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PanicMessage")
            .field(&self.to_string())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_the_payload_when_it_is_text() {
        let shown = |payload: Box<dyn Any + Send>| PanicMessage(payload).to_string();
        assert_eq!(shown(Box::new("boom")), "handler panicked: boom");
        assert_eq!(
            shown(Box::new(String::from("bang"))),
            "handler panicked: bang"
        );
        assert_eq!(
            shown(Box::new(42)),
            "handler panicked: (a payload that is not a string)"
        );
    }
}
