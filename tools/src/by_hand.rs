//! Chapter 5's two small servers (`ch05_head`, `ch05_body`) speak HTTP by hand around the
//! chapter's parser and decoder, one connection at a time: a read that names how it failed,
//! a response written out as chapter 2 wrote one, and a close that does not lose it.

use std::io::{self, ErrorKind, Read};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use weft::http::ProtocolError;
use weft::response::reason;

/// Appends what the next read brings to `buf` and says how many bytes that was. A client
/// gone quiet (the read timed out) or gone away is a request that will not be finished.
pub fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<usize, ProtocolError> {
    let mut piece = [0u8; 8192];
    match stream.read(&mut piece) {
        Ok(0) => Err(ProtocolError::Incomplete),
        Ok(n) => {
            log::debug!("read {n} bytes");
            buf.extend_from_slice(&piece[..n]);
            Ok(n)
        }
        Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            Err(ProtocolError::Timeout)
        }
        Err(_) => Err(ProtocolError::Incomplete),
    }
}

/// A whole response with a plain-text body, written by hand as in chapter 2: responses are
/// chapter 6's subject.
pub fn respond(status: u16, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        reason(status),
        body.len()
    )
    .into_bytes()
}

/// Closes without losing the answer: says "no more" first, then reads and drops what the
/// client still sends (a body nobody read), for at most a second and 64 KiB, so that the
/// kernel does not reset the connection over unread bytes. The connection loop does the
/// same; the last part of the chapter explains why.
pub fn close(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let _ = io::copy(&mut (&mut stream).take(64 * 1024), &mut io::sink());
}
