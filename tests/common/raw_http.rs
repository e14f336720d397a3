//! A raw HTTP/1.1 client for tests: it writes exactly the bytes it is given on one socket and
//! reads the answers line by line, so a test sees what the server really sends. The server's
//! own tests (`src/web/server/tests.rs`) and `tests/hostile.rs` both include this file.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// One connection to the server.
pub struct Conn {
    pub stream: TcpStream,
    pub reader: BufReader<TcpStream>,
    pub host: String,
}

/// An answer as read off the socket.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

impl Conn {
    /// Connects to `addr`; no read or write waits longer than `timeout`, so a broken server
    /// fails the test instead of hanging it.
    pub fn connect(addr: SocketAddr, timeout: Duration) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(timeout)).unwrap();
        stream.set_write_timeout(Some(timeout)).unwrap();
        Conn {
            reader: BufReader::new(stream.try_clone().unwrap()),
            stream,
            host: addr.to_string(),
        }
    }

    pub fn send_raw(&mut self, raw: &[u8]) {
        self.stream.write_all(raw).expect("write");
    }

    /// Sends `METHOD target` with a correct Host header, extra header lines and a body.
    pub fn send(&mut self, method: &str, target: &str, extra: &[&str], body: &[u8]) {
        let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", self.host);
        for line in extra {
            head.push_str(line);
            head.push_str("\r\n");
        }
        if !body.is_empty() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut raw = head.into_bytes();
        raw.extend_from_slice(body);
        self.send_raw(&raw);
    }

    /// The next answer, with the body its `Content-Length` gives.
    pub fn reply(&mut self) -> Reply {
        self.reply_head(true)
    }

    /// The next answer's status line and headers, and its body if `with_body` (an answer to
    /// `HEAD` has none to read). An answer with a body must carry a `Content-Length`.
    pub fn reply_head(&mut self, with_body: bool) -> Reply {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("a status line");
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("a header line");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (n, v) = line.split_once(':').expect("a header");
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
        let mut reply = Reply {
            status,
            headers,
            body: Vec::new(),
        };
        if with_body {
            let len: usize = reply
                .header("content-length")
                .expect("a Content-Length")
                .parse()
                .unwrap();
            reply.body = vec![0; len];
            self.reader.read_exact(&mut reply.body).expect("the body");
        }
        reply
    }

    pub fn get(&mut self, target: &str, extra: &[&str]) -> Reply {
        self.send("GET", target, extra, b"");
        self.reply()
    }

    /// True if the server ends the connection (EOF or reset) without sending anything more.
    pub fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Ok(_) => rest.is_empty(),
            Err(e) => matches!(
                e.kind(),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
            ),
        }
    }
}
