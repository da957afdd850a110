//! A TCP relay between a client and a local server that records the command lines the client
//! sends and counts the bytes the server answers: what a pass costs, measured from outside.
//! For plaintext protocols only (it reads what it relays).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::os::fd::FromRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

pub struct Relay {
    pub port: u16,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    commands: Mutex<Vec<String>>,
    server_bytes: AtomicU64,
    stopped: AtomicBool,
    /// Cut or hold the first connection after this many `* n FETCH` responses (then never
    /// again).
    cut_after: Mutex<Option<(usize, AtFetch)>>,
    /// A held connection goes on once this is true.
    released: (Mutex<bool>, Condvar),
    connections: AtomicU64,
}

/// What happens to a connection at its `n`-th FETCH response.
#[derive(Clone, Copy)]
enum AtFetch {
    /// Closed both ways.
    Cut,
    /// Nothing more is passed on until [`Relay::release`].
    Hold,
}

impl Relay {
    /// Listens on a free 127.0.0.1 port and relays each connection to `target_port`.
    pub fn start(target_port: u16) -> Relay {
        Relay::start_from(target_port, Ipv4Addr::LOCALHOST)
    }

    /// Like [`Relay::start`], but the first connection is cut (both ways, as a crashed server
    /// or a dropped NAT mapping would) right after the server's `fetches`-th FETCH response.
    pub fn start_cutting(target_port: u16, fetches: usize) -> Relay {
        let relay = Relay::start(target_port);
        *relay.shared.cut_after.lock().unwrap() = Some((fetches, AtFetch::Cut));
        relay
    }

    /// Like [`Relay::start`], but the server's answers on the first connection stop right
    /// after its `fetches`-th FETCH response until [`Relay::release`]: a pass held mid-scan,
    /// for as long as a test needs, on a machine of any speed.
    pub fn start_holding(target_port: u16, fetches: usize) -> Relay {
        let relay = Relay::start(target_port);
        *relay.shared.cut_after.lock().unwrap() = Some((fetches, AtFetch::Hold));
        relay
    }

    /// Lets a held connection go on.
    pub fn release(&self) {
        let (released, wake) = &self.shared.released;
        *released.lock().unwrap() = true;
        wake.notify_all();
    }

    /// Connections relayed so far.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Like [`Relay::start`], but the relay's connections to the server come from `source`
    /// (say 127.0.0.2): a server that trusts clients on its own address then sees a stranger.
    pub fn start_from(target_port: u16, source: Ipv4Addr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let accepting = shared.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if accepting.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let (Ok(client), Ok(server)) = (client, connect_from(source, target_port)) else {
                    continue;
                };
                relay(client, server, accepting.clone());
            }
        });
        Relay { port, shared }
    }

    /// The command lines sent since the last call, without their tags; LOGIN's arguments are
    /// masked.
    pub fn take_commands(&self) -> Vec<String> {
        std::mem::take(&mut *self.shared.commands.lock().unwrap())
    }

    /// Bytes the server sent since the last call.
    pub fn take_server_bytes(&self) -> u64 {
        self.shared.server_bytes.swap(0, Ordering::SeqCst)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.release();
        // Wakes the accepting thread so it sees the flag.
        TcpStream::connect(("127.0.0.1", self.port)).ok();
    }
}

/// A TCP connection to 127.0.0.1:`port` whose local address is `source` (std cannot bind
/// before connecting, so this is socket(2), bind(2), connect(2)).
fn connect_from(source: Ipv4Addr, port: u16) -> std::io::Result<TcpStream> {
    let addr = |ip: Ipv4Addr, port: u16| libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        },
        sin_zero: [0; 8],
    };
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: plain socket calls on a descriptor owned here until TcpStream takes it.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let stream = TcpStream::from_raw_fd(fd);
        let local = addr(source, 0);
        if libc::bind(fd, (&raw const local).cast(), len) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let remote = addr(Ipv4Addr::LOCALHOST, port);
        if libc::connect(fd, (&raw const remote).cast(), len) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(stream)
    }
}

fn relay(client: TcpStream, server: TcpStream, shared: Arc<Shared>) {
    shared.connections.fetch_add(1, Ordering::SeqCst);
    let cut = shared.cut_after.lock().unwrap().take();
    let (client_in, server_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let upstream = shared.clone();
    std::thread::spawn(move || {
        let mut pending = Vec::new();
        copy(client_in, server_out, |chunk| {
            pending.extend_from_slice(chunk);
            while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                upstream.commands.lock().unwrap().push(command_of(&line));
            }
        });
    });
    std::thread::spawn(move || match cut {
        None => copy(server, client, |chunk| {
            shared
                .server_bytes
                .fetch_add(chunk.len() as u64, Ordering::SeqCst);
        }),
        Some((fetches, then)) => copy_until_fetch(server, client, fetches, then, &shared),
    });
}

/// Relays until the start of the server's `fetches + 1`-th `* n FETCH` response: the client
/// has exactly `fetches` whole FETCH answers. Then closes both sides, or waits for the
/// release and relays the rest.
fn copy_until_fetch(
    mut from: TcpStream,
    mut to: TcpStream,
    fetches: usize,
    then: AtFetch,
    shared: &Shared,
) {
    let mut seen = Vec::new();
    let mut sent = 0;
    let mut count = 0;
    let mut buf = [0u8; 16 * 1024];
    'relay: while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        let scan_from = seen.len().saturating_sub(16);
        seen.extend_from_slice(&buf[..n]);
        let mut i = scan_from;
        while let Some(at) = find_fetch(&seen, i) {
            count += 1;
            if count > fetches {
                to.write_all(&seen[sent..at]).ok();
                if let AtFetch::Hold = then {
                    let (released, wake) = &shared.released;
                    drop(wake.wait_while(released.lock().unwrap(), |r| !*r).unwrap());
                    if to.write_all(&seen[at..]).is_ok() {
                        return copy(from, to, |_| {});
                    }
                }
                break 'relay;
            }
            i = at + 1;
        }
        if to.write_all(&seen[sent..]).is_err() {
            break;
        }
        sent = seen.len();
    }
    from.shutdown(Shutdown::Both).ok();
    to.shutdown(Shutdown::Both).ok();
}

/// Where the next line `* <digits> FETCH ` starts, at or after `from`.
fn find_fetch(data: &[u8], from: usize) -> Option<usize> {
    (from..data.len()).find(|&i| {
        (i == 0 || data[i - 1] == b'\n') && data[i..].starts_with(b"* ") && {
            let rest = &data[i + 2..];
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            digits > 0 && rest[digits..].starts_with(b" FETCH ")
        }
    })
}

/// Copies until either side closes, showing each chunk to `see` before passing it on (so
/// whoever has the answer finds the command already recorded), then closes both.
fn copy(mut from: TcpStream, mut to: TcpStream, mut see: impl FnMut(&[u8])) {
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        see(&buf[..n]);
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    from.shutdown(Shutdown::Both).ok();
    to.shutdown(Shutdown::Both).ok();
}

/// `a3 UID FETCH 4:* (UID)\r\n` → `UID FETCH 4:* (UID)`; `a1 LOGIN u p` → `LOGIN ***`;
/// `a1 AUTHENTICATE PLAIN AHUAcA==` → `AUTHENTICATE PLAIN ***`; a SASL response line (no
/// tag, no space) → `***`; IDLE's `DONE` stays.
fn command_of(line: &[u8]) -> String {
    let line = String::from_utf8_lossy(line);
    let Some((_, command)) = line.trim_end().split_once(' ') else {
        return match line.trim_end() {
            "DONE" => "DONE".into(), // the end of an IDLE
            _ => "***".into(),
        };
    };
    let upper = command.to_ascii_uppercase();
    if upper.starts_with("LOGIN ") {
        "LOGIN ***".into()
    } else if upper.starts_with("AUTHENTICATE ") {
        let mut words = command.split(' ');
        let mechanism = words.nth(1).unwrap_or_default();
        if words.next().is_some() {
            format!("AUTHENTICATE {mechanism} ***")
        } else {
            format!("AUTHENTICATE {mechanism}")
        }
    } else {
        command.to_string()
    }
}
