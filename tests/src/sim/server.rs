//! Serving a router on a socket whose listener can be closed and reopened on the same port.
//!
//! `axum::serve` keeps its listener until it ends, and ends only when its connections do;
//! the `refuse` fault needs the port closed at once, with open keep-alive connections cut
//! too (else a pooling client would never see a refusal). So this is a small accept loop
//! over hyper, one task per connection, all stopped by one cancellation token.

use super::faults::CloseInstead;
use axum::Router;
use hyper::server::conn::http1;
use hyper::service::{Service, service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A router served on a fixed address, which can stop and start listening.
pub struct Server {
    addr: SocketAddr,
    router: Router,
    /// Cancelled when the simulator stops; every listening run is a child of it.
    stopped: CancellationToken,
    running: Mutex<Option<Running>>,
}

/// One listening run: its accept loop and the token that ends it and its connections.
struct Running {
    stop: CancellationToken,
    accept_loop: JoinHandle<()>,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port) and starts serving `router`.
    pub async fn bind(addr: SocketAddr, router: Router, stopped: CancellationToken) -> std::io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        let server = Server { addr: listener.local_addr()?, router, stopped, running: Mutex::new(None) };
        *server.running.lock().await = Some(server.spawn(listener));
        Ok(server)
    }

    /// The address served, with the port actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Listens again on the same address, if not listening.
    pub async fn open(&self) -> std::io::Result<()> {
        let mut running = self.running.lock().await;
        if running.is_none() {
            let listener = TcpListener::bind(self.addr).await?;
            *running = Some(self.spawn(listener));
        }
        Ok(())
    }

    /// Closes the listener and every connection; returns once the port refuses
    /// connections.
    pub async fn close(&self) {
        if let Some(running) = self.running.lock().await.take() {
            running.stop.cancel();
            // The accept loop owns the listener: when it has ended, the port is closed.
            let _ = running.accept_loop.await;
        }
    }

    fn spawn(&self, listener: TcpListener) -> Running {
        let stop = self.stopped.child_token();
        let accept_loop = tokio::spawn(accept(listener, self.router.clone(), stop.clone()));
        Running { stop, accept_loop }
    }
}

async fn accept(listener: TcpListener, router: Router, stop: CancellationToken) {
    loop {
        let stream = tokio::select! {
            () = stop.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors or an aborted handshake: waiting a little
                    // keeps the loop from spinning, and the next accept may succeed.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = TowerToHyperService::new(router.clone());
        // A service error makes hyper close the connection without answering: how a
        // response marked `CloseInstead` is cut.
        let service = service_fn(move |request| {
            let answer = Service::call(&router, request);
            async move {
                let response = answer.await.unwrap_or_else(|never| match never {});
                if response.extensions().get::<CloseInstead>().is_some() {
                    return Err(std::io::Error::other("connection closed instead of answering (injected fault)"));
                }
                Ok(response)
            }
        });
        let stop = stop.clone();
        tokio::spawn(async move {
            let connection =
                http1::Builder::new().timer(TokioTimer::new()).serve_connection(TokioIo::new(stream), service);
            // Dropping the connection closes its socket, mid-response or not.
            tokio::select! {
                _ = connection => {}
                () = stop.cancelled() => {}
            }
        });
    }
}
