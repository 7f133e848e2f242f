//! Plugin stdout and stderr: captured per call, capped, and written to the host log tagged
//! with the plugin. Output beyond the cap is dropped and counted, never an error: a chatty
//! plugin must not fail because of its logging.

use crate::personal::Known;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi_io::bytes::Bytes;

/// The most bytes kept from one stream of one call.
pub const CAPACITY: usize = 16 * 1024;

#[derive(Default)]
struct Buffer {
    kept: Vec<u8>,
    dropped: usize,
}

/// One captured stream (stdout or stderr) of one call.
#[derive(Clone, Default)]
pub struct CapturedOutput(Arc<Mutex<Buffer>>);

impl CapturedOutput {
    fn append(&self, bytes: &[u8]) {
        let mut buffer = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let room = CAPACITY - buffer.kept.len();
        let kept = bytes.len().min(room);
        buffer.kept.extend_from_slice(&bytes[..kept]);
        buffer.dropped += bytes.len() - kept;
    }

    /// Writes every captured line to the host log as `stream` of `plugin`, secrets and the
    /// personal values `known` masked.
    pub fn flush_to_log(&self, plugin: &str, stream: &'static str, known: &Known) {
        let buffer = std::mem::take(&mut *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        for line in String::from_utf8_lossy(&buffer.kept).lines().filter(|l| !l.trim().is_empty()) {
            let line = known.mask(&crate::caps::connection::redact(line));
            if stream == "stderr" {
                tracing::warn!(target: "plugin", plugin, stream, "{line}");
            } else {
                tracing::info!(target: "plugin", plugin, stream, "{line}");
            }
        }
        if buffer.dropped > 0 {
            tracing::warn!(target: "plugin", plugin, stream, dropped = buffer.dropped, "output beyond {CAPACITY} bytes dropped");
        }
    }

    /// What made the guest give up, if stderr says: an uncaught Python exception, a Rust
    /// panic, or an uncaught JavaScript exception. All of them trap as a bare `unreachable`.
    /// Python comes first: componentize-py's runtime panics after printing the traceback, and
    /// that panic only says that an exception was raised.
    pub fn panic_message(&self) -> Option<String> {
        let buffer = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let text = String::from_utf8_lossy(&buffer.kept);
        if let Some(exception) = python_exception(&text) {
            return Some(exception);
        }
        match text.find("panicked at") {
            // Rust ends the place line with a colon of its own: `panicked at src/lib.rs:12:5:`.
            Some(start) => {
                let mut lines = text[start..].lines();
                let place = lines.next().unwrap_or_default().trim_end().trim_end_matches(':');
                Some(match lines.next() {
                    Some(message) => format!("{place}: {message}"),
                    None => place.to_owned(),
                })
            }
            None => js_exception(&text),
        }
    }
}

/// `Type: message (File "...", line N, in hook)` from the last Python traceback: the
/// exception is the first unindented line after the frames, the place its innermost frame.
fn python_exception(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().rposition(|line| line.starts_with("Traceback (most recent call last):"))?;
    let rest = &lines[start + 1..];
    let exception = rest.iter().find(|line| !line.is_empty() && !line.starts_with(char::is_whitespace))?;
    let frame = rest.iter().map(|line| line.trim()).rfind(|line| line.starts_with("File "));
    Some(match frame {
        Some(frame) => format!("{exception} ({frame})"),
        None => (*exception).to_owned(),
    })
}

/// `message at frame` from the report of an uncaught exception in a componentize-js plugin:
/// the exception's message, a `Stack:` line, then one indented frame per line.
fn js_exception(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let stack = lines.iter().position(|line| *line == "Stack:")?;
    let message = lines[..stack].iter().rev().map(|line| line.trim()).find(|line| !line.is_empty())?;
    match lines.get(stack + 1).map(|frame| frame.trim()).filter(|frame| !frame.is_empty()) {
        Some(frame) => Some(format!("{message} at {frame}")),
        None => Some(message.to_owned()),
    }
}

impl IsTerminal for CapturedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CapturedOutput {
    async fn ready(&mut self) {}
}

impl OutputStream for CapturedOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.append(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

impl AsyncWrite for CapturedOutput {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.append(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_rust_panic_or_a_javascript_or_python_exception() {
        let rust = CapturedOutput::default();
        rust.append(b"\nthread '<unnamed>' panicked at src/lib.rs:12:5:\nno text for you\nnote: run with backtrace\n");
        let message = rust.panic_message().unwrap();
        assert!(message == "panicked at src/lib.rs:12:5: no text for you", "{message}");

        let js = CapturedOutput::default();
        js.append(b"boom in render\nStack:\n  render@src/texts.js:3:40\n  export_texts$render@initializer.js:328:15\n");
        js.append(b"Redirecting call to abort() to mozalloc_abort\n");
        assert_eq!(js.panic_message().as_deref(), Some("boom in render at render@src/texts.js:3:40"));

        // As componentize-py 0.25 reports an exception raised in a hook.
        let python = CapturedOutput::default();
        python.append(b"Traceback (most recent call last):\n  File \"/0/app.py\", line 3, in helper\n    x()\n");
        python.append(b"  File \"/0/app.py\", line 8, in render\n    raise ValueError(...)\n");
        python.append(b"ValueError: no text for 'raise' in en\n");
        python.append(b"thread '<unnamed>' (1) panicked at runtime/src/lib.rs:1280:25:\n");
        python.append(b"Python function threw an unexpected exception\n");
        assert_eq!(
            python.panic_message().as_deref(),
            Some("ValueError: no text for 'raise' in en (File \"/0/app.py\", line 8, in render)")
        );

        let chatty = CapturedOutput::default();
        chatty.append(b"just logging\n");
        assert_eq!(chatty.panic_message(), None);
    }
}
