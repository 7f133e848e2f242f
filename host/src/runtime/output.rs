//! Plugin stdout and stderr: captured per call, capped, and written to the host log tagged
//! with the plugin. Output beyond the cap is dropped and counted, never an error: a chatty
//! plugin must not fail because of its logging.

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

    /// Writes every captured line to the host log as `stream` of `plugin`.
    pub fn flush_to_log(&self, plugin: &str, stream: &'static str) {
        let buffer = std::mem::take(&mut *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        for line in String::from_utf8_lossy(&buffer.kept).lines().filter(|l| !l.trim().is_empty()) {
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

    /// The first captured line that reports a Rust panic, if any.
    pub fn panic_message(&self) -> Option<String> {
        let buffer = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let text = String::from_utf8_lossy(&buffer.kept);
        let start = text.find("panicked at")?;
        Some(text[start..].lines().take(2).collect::<Vec<_>>().join(": "))
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
