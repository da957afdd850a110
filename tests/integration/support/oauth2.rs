//! A token introspection endpoint (RFC 7662) for Dovecot's `oauth2` passdb: answers each
//! `POST /introspect` with `{"active": true, "username": USER}` for the good token and
//! `{"active": false}` for any other, and records the tokens it was asked about.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub struct Introspection {
    pub port: u16,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Introspection {
    /// Listens on a free 127.0.0.1 port; `good` is the one token that is active, for `user`.
    pub fn start(good: &str, user: &str) -> Introspection {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the introspection endpoint");
        let port = listener.local_addr().unwrap().port();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let (good, user, seen) = (good.to_string(), user.to_string(), asked.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let token = answer(stream, &good, &user);
                if let Some(token) = token {
                    seen.lock().unwrap().push(token);
                }
            }
        });
        Introspection { port, asked }
    }

    /// The tokens Dovecot asked about, in order.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

/// Serves one request (the answer closes the connection); returns the token asked about.
fn answer(stream: TcpStream, good: &str, user: &str) -> Option<String> {
    let mut reader = BufReader::new(&stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let body = String::from_utf8_lossy(&body).into_owned();
    let token = body
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .unwrap_or_default()
        .to_string();
    let json = if token == good {
        format!("{{\"active\": true, \"username\": \"{user}\"}}")
    } else {
        "{\"active\": false}".to_string()
    };
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{json}",
        json.len()
    );
    (&stream).write_all(response.as_bytes()).ok()?;
    Some(token)
}
