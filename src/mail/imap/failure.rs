//! What went wrong talking to the server, said in one line for the status bar and the log, and
//! whether the connection itself was lost (a reused session then earns one immediate retry).

use std::fmt;
use std::io;
use std::time::Duration;

use crate::domain::message::bounded_line;

/// A failed step of an IMAP session. The source prefixes `host:port` when it reports it.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    /// The connection broke (reset, closed, BYE): retrying on a new connection may succeed.
    pub lost: bool,
    /// The server answered the command with NO (not BAD, not a broken connection): for a
    /// login, the credentials were refused.
    pub refused: bool,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: bounded_line(&message.into()),
            lost: false,
            refused: false,
        }
    }

    /// The connection itself broke (closed, BYE): a new one may succeed.
    pub fn lost(message: impl Into<String>) -> Failure {
        Failure {
            lost: true,
            ..Failure::new(message)
        }
    }

    /// The server said NO.
    pub fn refused(message: impl Into<String>) -> Failure {
        Failure {
            refused: true,
            ..Failure::new(message)
        }
    }

    /// Why, without the step that failed: the part after `what failed: ` (all of it when the
    /// message has no such prefix), for lines that already say what was being done.
    pub fn cause(&self) -> &str {
        self.message
            .split_once(": ")
            .map_or(&self.message, |(_, why)| why)
    }

    pub fn io(doing: &str, e: &io::Error, io_timeout: Duration) -> Failure {
        use io::ErrorKind::*;
        let (what, lost) = match e.kind() {
            WouldBlock | TimedOut => (
                format!("no answer from the server within {}", secs(io_timeout)),
                false,
            ),
            // As a plain connection's end of stream says it; through TLS, rustls adds a link
            // to its manual about a missing close_notify, nothing the operator can act on.
            UnexpectedEof => ("connection closed by the server".to_string(), true),
            ConnectionReset | ConnectionAborted | BrokenPipe | NotConnected => {
                (format!("connection lost ({e})"), true)
            }
            _ => (e.to_string(), false),
        };
        Failure {
            message: bounded_line(&format!("{doing}: {what}")),
            lost,
            refused: false,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// "30 s", "1.5 s".
pub fn secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_bounded_line() {
        let f = Failure::new("a\r\nb\x1b[31m");
        assert_eq!(f.message, "a  b [31m");
        let long = Failure::new("x".repeat(1000));
        assert_eq!(long.message.chars().count(), 301);
    }

    #[test]
    fn io_errors_say_whether_the_connection_was_lost() {
        let t = Duration::from_secs(30);
        let timeout = Failure::io("reading", &io::ErrorKind::WouldBlock.into(), t);
        assert_eq!(
            timeout.message,
            "reading: no answer from the server within 30 s"
        );
        assert!(!timeout.lost);
        let reset = Failure::io("reading", &io::ErrorKind::ConnectionReset.into(), t);
        assert!(reset.lost);
        let closed = Failure::lost("fetching: connection closed by the server\r\n");
        assert_eq!(closed.message, "fetching: connection closed by the server");
        assert_eq!(closed.cause(), "connection closed by the server");
        assert!(closed.lost);
    }
}
