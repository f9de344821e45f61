//! A small read-only HTTP/1.1 server for the tools' metrics and APIs: `GET` only, one
//! request per connection. Hardened against idle and slow clients (off-chain review R3):
//! at most [`MAX_CONNECTIONS`] requests are handled at once (a connection beyond them is
//! closed at once, freeing its descriptor), each must send its request head within
//! [`READ_TIMEOUT`], and only the head (up to 1 KiB, however it is split into TCP
//! segments) is read, so clients cannot take the descriptors a tool needs for its node.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Requests handled at once.
pub const MAX_CONNECTIONS: usize = 16;
/// How long a client may take to send its request head.
pub const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// An answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// `200 OK`, `404 Not Found`, …
    pub status: &'static str,
    /// The body's media type.
    pub content_type: &'static str,
    pub body: String,
}

impl Response {
    /// `200 OK` with `body` as `content_type`.
    pub fn ok(content_type: &'static str, body: String) -> Self {
        Response {
            status: "200 OK",
            content_type,
            body,
        }
    }

    /// `404 Not Found` with a plain-text reason.
    pub fn not_found(reason: &str) -> Self {
        Response {
            status: "404 Not Found",
            content_type: "text/plain; charset=utf-8",
            body: format!("{reason}\n"),
        }
    }
}

/// Answers a `GET` of a path (with its query string, if any).
pub type Handler =
    Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = Response> + Send>> + Send + Sync>;

/// Serves `handler` on `listen` until the process ends; returns the bound address.
pub async fn serve(listen: SocketAddr, handler: Handler) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(listen).await?;
    let bound = listener.local_addr()?;
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // Out of descriptors or a reset: try again shortly, without spinning.
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            };
            let Ok(permit) = permits.clone().try_acquire_owned() else {
                drop(stream);
                continue;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                answer(stream, handler).await;
                drop(permit);
            });
        }
    });
    Ok(bound)
}

/// Reads one request head and answers it.
async fn answer(mut stream: tokio::net::TcpStream, handler: Handler) {
    let mut head = Vec::with_capacity(256);
    let read = tokio::time::timeout(READ_TIMEOUT, async {
        let mut chunk = [0u8; 256];
        while head.len() < 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            }
        }
    })
    .await;
    if read.is_err() || head.is_empty() {
        return;
    }
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    let response = match (parts.next(), parts.next()) {
        (Some("GET"), Some(path)) if path.starts_with('/') => handler(path.to_string()).await,
        _ => Response {
            status: "405 Method Not Allowed",
            content_type: "text/plain; charset=utf-8",
            body: "only GET is served\n".into(),
        },
    };
    let text = format!(
        "HTTP/1.1 {}\r\ncontent-type: {}\r\ncontent-length: {}\r\n\
         access-control-allow-origin: *\r\nconnection: close\r\n\r\n{}",
        response.status,
        response.content_type,
        response.body.len(),
        response.body
    );
    let _ = stream.write_all(text.as_bytes()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo() -> Handler {
        Arc::new(|path: String| {
            Box::pin(async move {
                if path == "/hello" {
                    Response::ok("text/plain", "hi".into())
                } else {
                    Response::not_found("no such path")
                }
            })
        })
    }

    async fn get(address: SocketAddr, parts: &[&[u8]]) -> String {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        for part in parts {
            stream.write_all(part).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer).await;
        answer
    }

    #[tokio::test]
    async fn answers_get_and_refuses_the_rest() {
        let address = serve("127.0.0.1:0".parse().unwrap(), echo()).await.unwrap();
        let ok = get(address, &[b"GET /hello HTTP/1.1\r\n\r\n"]).await;
        assert!(
            ok.starts_with("HTTP/1.1 200 OK") && ok.ends_with("\r\n\r\nhi"),
            "{ok}"
        );
        let missing = get(address, &[b"GET /nope HTTP/1.1\r\n\r\n"]).await;
        assert!(missing.starts_with("HTTP/1.1 404 Not Found"), "{missing}");
        let post = get(address, &[b"POST /hello HTTP/1.1\r\n\r\n"]).await;
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");
    }

    #[tokio::test]
    async fn a_request_split_across_segments_is_served() {
        let address = serve("127.0.0.1:0".parse().unwrap(), echo()).await.unwrap();
        let answer = get(
            address,
            &[b"GET /hel", b"lo HTTP/1.1\r\nhost: x", b"\r\n\r\n"],
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    }

    #[tokio::test]
    async fn idle_connections_cannot_starve_the_endpoint() {
        let address = serve("127.0.0.1:0".parse().unwrap(), echo()).await.unwrap();
        // Far more idle clients than the endpoint serves at once, all held open.
        let mut idle = Vec::new();
        for _ in 0..(4 * MAX_CONNECTIONS) {
            idle.push(tokio::net::TcpStream::connect(address).await.unwrap());
        }
        // A real request gets its answer once the idle ones time out (1 s), well within 5 s.
        let started = std::time::Instant::now();
        let answer = loop {
            let answer = get(address, &[b"GET /hello HTTP/1.1\r\n\r\n"]).await;
            if answer.starts_with("HTTP/1.1 200 OK") || started.elapsed().as_secs() >= 5 {
                break answer;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer:?}");
        assert!(started.elapsed().as_secs() < 5);
        drop(idle);
    }
}
