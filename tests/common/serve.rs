//! `clientele serve` as a child process on a free port (127.0.0.1:0), with a plain HTTP/1.1
//! client. Each request uses its own connection and a read deadline, so no test can hang.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub port: u16,
    /// Everything the server printed on standard error so far.
    stderr: Arc<Mutex<String>>,
}

/// A response: status and body.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("status {}: not JSON ({e}): {}", self.status, self.body))
    }
}

impl Server {
    /// Starts `clientele --db DB [--today TODAY] serve --addr 127.0.0.1:0` with extra
    /// environment, and waits (at most 60 s) until it reports its address.
    pub fn start(db: &Path, today: &str, env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_clientele"));
        cmd.arg("--db")
            .arg(db)
            .args(["--today", today, "serve", "--addr", "127.0.0.1:0"])
            .env_remove("CLIENTELE_TOKEN")
            .env_remove("CLIENTELE_FAILPOINT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        no_core_dumps(&mut cmd);
        let mut child = cmd.spawn().expect("start clientele serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let err_pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err_pipe).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        let out_pipe = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out_pipe).lines();
            for line in lines.by_ref() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = tx.send(port.parse::<u16>().ok());
                    // Keep draining, so a full pipe never blocks the server.
                    for _ in lines {}
                    return;
                }
            }
            let _ = tx.send(None);
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(port)) => Server {
                child,
                port,
                stderr,
            },
            other => {
                let _ = child.kill();
                let status = child.wait();
                panic!(
                    "`clientele serve` did not report its address ({other:?}, {status:?}); stderr: {}",
                    stderr.lock().map(|s| s.clone()).unwrap_or_default()
                );
            }
        }
    }

    /// Sends one request (a JSON body, if any) on a new connection and reads the whole
    /// response (30 s deadline). `Err` if the connection broke, e.g. because the server died.
    pub fn try_request(
        &self,
        method: &str,
        target: &str,
        body: Option<&str>,
    ) -> std::io::Result<Resp> {
        self.try_send(method, target, "application/json", body)
    }

    /// A console form submission.
    #[track_caller]
    pub fn post_form(&self, target: &str, pairs: &[(&str, &str)]) -> Resp {
        let body: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        self.try_send(
            "POST",
            target,
            "application/x-www-form-urlencoded",
            Some(&body.join("&")),
        )
        .unwrap_or_else(|e| panic!("POST {target}: {e}; stderr: {}", self.stderr()))
    }

    fn try_send(
        &self,
        method: &str,
        target: &str,
        content_type: &str,
        body: Option<&str>,
    ) -> std::io::Result<Resp> {
        let mut conn = TcpStream::connect(("127.0.0.1", self.port))?;
        conn.set_read_timeout(Some(Duration::from_secs(30)))?;
        conn.set_write_timeout(Some(Duration::from_secs(30)))?;
        let body = body.unwrap_or("");
        let head = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            self.port,
            body.len()
        );
        conn.write_all(head.as_bytes())?;
        conn.write_all(body.as_bytes())?;
        let mut raw = Vec::new();
        conn.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| std::io::Error::other(format!("no status line in {text:?}")))?;
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Ok(Resp { status, body })
    }

    #[track_caller]
    pub fn request(&self, method: &str, target: &str, body: Option<&str>) -> Resp {
        self.try_request(method, target, body)
            .unwrap_or_else(|e| panic!("{method} {target}: {e}; stderr: {}", self.stderr()))
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits (at most `limit`) for the server to exit by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for the server") {
                // Let the reader thread take the last lines.
                std::thread::sleep(Duration::from_millis(100));
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "the server did not exit within {limit:?}; stderr: {}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Percent-encoding for a form value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Children that abort on purpose must not leave core files behind.
pub fn no_core_dumps(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe and touches only the child's own limits.
    unsafe {
        cmd.pre_exec(|| {
            let none = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::setrlimit(libc::RLIMIT_CORE, &none) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
