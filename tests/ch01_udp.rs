//! Chapter 1's UDP server and client, over loopback: the server answers every datagram
//! (empty and largest included) and logs it; the client prints the reply, resends after a
//! lost datagram, and fails cleanly when nobody answers.

mod support;

use std::net::{SocketAddr, UdpSocket};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::Duration;

use support::{example_path, Server, IO_TIMEOUT};

const SERVER: &str = "ch01_udp_echo_server";
const CLIENT: &str = "ch01_udp_echo_client";
const REPLY: &[u8] = b"Your data has been received";

/// The largest payload of a UDP datagram over IPv4: 65,535 minus the IP and UDP headers.
const LARGEST_IPV4_PAYLOAD: usize = 65_507;

/// A UDP socket on a free loopback port whose reads give up after `IO_TIMEOUT`.
fn udp_socket() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a test socket");
    socket.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    socket
}

/// Sends `payload` to `server` from a fresh socket and returns the reply and who sent it.
fn ask(server: SocketAddr, payload: &[u8]) -> (Vec<u8>, SocketAddr, SocketAddr) {
    let socket = udp_socket();
    socket.send_to(payload, server).expect("send");
    let mut buf = vec![0u8; 65_535];
    let (len, from) = socket
        .recv_from(&mut buf)
        .expect("no reply from the server in time");
    buf.truncate(len);
    (buf, from, socket.local_addr().unwrap())
}

/// Runs the client example with `args` and returns its output, failing the test if it has not
/// exited within ten seconds (the client's own timeouts should end it long before).
fn run_client(args: &[&str]) -> Output {
    let child = Command::new(example_path(CLIENT))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the client");
    let pid = child.id();
    let (tx, rx) = crossbeam_channel::bounded(1);
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(output) => output.expect("wait for the client"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("the client did not exit in time");
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_server_answers_a_datagram_and_logs_it() {
    let server = Server::start(SERVER, &[]);
    let (reply, from, me) = ask(server.addr, b"hello");
    assert_eq!(reply, REPLY);
    assert_eq!(
        from, server.addr,
        "the reply comes from the server's address"
    );
    server.wait_for_log(&format!("datagram of 5 bytes from {me}"));
}

#[test]
fn empty_and_largest_datagrams_are_answered_whole() {
    let server = Server::start(SERVER, &[]);
    // An empty datagram is still a datagram: it arrives, and gets an answer.
    let (reply, _, me) = ask(server.addr, b"");
    assert_eq!(reply, REPLY);
    server.wait_for_log(&format!("datagram of 0 bytes from {me}"));
    // The largest one fits the server's buffer without being cut short.
    let (reply, _, me) = ask(server.addr, &vec![b'x'; LARGEST_IPV4_PAYLOAD]);
    assert_eq!(reply, REPLY);
    server.wait_for_log(&format!(
        "datagram of {LARGEST_IPV4_PAYLOAD} bytes from {me}"
    ));
}

#[test]
fn the_server_answers_each_of_several_clients() {
    let server = Server::start(SERVER, &[]);
    // Several datagrams queue in the server's socket; it answers them one by one.
    let clients: Vec<UdpSocket> = (0..5).map(|_| udp_socket()).collect();
    for client in &clients {
        client.send_to(b"ping", server.addr).unwrap();
    }
    for client in &clients {
        let mut buf = [0u8; 64];
        let (len, from) = client
            .recv_from(&mut buf)
            .expect("every client is answered");
        assert_eq!(&buf[..len], REPLY);
        assert_eq!(from, server.addr);
    }
}

#[test]
fn the_client_prints_the_reply_and_exits_0() {
    let server = Server::start(SERVER, &[]);
    let addr = server.addr.to_string();
    let output = run_client(&["--addr", &addr, "--message", "hi there"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout.contains("the server says \"Your data has been received\""),
        "{stdout}"
    );
    server.wait_for_log("datagram of 8 bytes from");
}

#[test]
fn the_client_resends_a_lost_datagram() {
    // A stand-in server that "loses" the first datagram (reads it, says nothing) and answers
    // the second: the client must resend after its timeout and then succeed.
    let flaky = udp_socket();
    let addr = flaky.local_addr().unwrap().to_string();
    let answerer = thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (first, _) = flaky.recv_from(&mut buf).expect("first datagram");
        let (second, peer) = flaky.recv_from(&mut buf).expect("a resent datagram");
        flaky.send_to(b"got it", peer).unwrap();
        (first, second)
    });
    let output = run_client(&[
        "--addr",
        &addr,
        "--message",
        "again",
        "--timeout-ms",
        "200",
        "--retries",
        "3",
    ]);
    let (first, second) = answerer.join().unwrap();
    assert_eq!((first, second), (5, 5), "the same message, sent twice");
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{output:?}");
    assert!(
        stderr.contains("resending (attempt 2 of 4)"),
        "stderr: {stderr}"
    );
    assert!(stdout.contains("the server says \"got it\""), "{stdout}");
}

#[test]
fn the_client_gives_up_cleanly_when_nobody_answers() {
    // A socket that receives and never replies: every attempt times out.
    let silent = udp_socket();
    let addr = silent.local_addr().unwrap().to_string();
    let output = run_client(&["--addr", &addr, "--timeout-ms", "50", "--retries", "2"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stderr.contains("resending (attempt 2 of 3)"), "{stderr}");
    assert!(stderr.contains("resending (attempt 3 of 3)"), "{stderr}");
    assert!(
        stderr.contains(&format!("error: no reply from {addr} after 3 attempts")),
        "{stderr}"
    );
    // The client has exited, so all it sent is already queued here: exactly three datagrams.
    silent.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 64];
    let mut received = 0;
    while silent.recv_from(&mut buf).is_ok() {
        received += 1;
    }
    assert_eq!(received, 3, "one send and two resends");
}

#[test]
fn the_client_reports_a_port_where_nothing_listens() {
    // Hold a port on 127.0.0.1, so that nobody else can take it for the whole address space,
    // and send to the same port on another loopback address, where no socket is bound: the
    // kernel answers the client's datagram with "port unreachable".
    let held = udp_socket();
    let port = held.local_addr().unwrap().port();
    let addr = format!("127.0.0.253:{port}");
    let output = run_client(&["--addr", &addr, "--timeout-ms", "2000", "--retries", "0"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stderr.contains("nothing is listening"), "{stderr}");
}

#[test]
fn the_client_rejects_bad_flags_with_status_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--timeout-ms", "0"], "--timeout-ms: must be at least 1"),
        (&["--timeout-ms", "soon"], "--timeout-ms: \"soon\""),
        (&["--retries", "-1"], "--retries: \"-1\""),
        (&["--addr", "localhost"], "--addr: \"localhost\""),
        (&["--delay", "5"], "--delay: unknown flag"),
    ];
    for (args, message) in cases {
        let output = run_client(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
