//! Network byte order: the C conversion functions, and reading and writing
//! big-endian integers on any [`Read`] or [`Write`].
//!
//! Rust code usually reaches for [`u32::to_be_bytes`] and friends; these are
//! here for code ported from Guile and SCM, whose `htonl` & co. Guile removed
//! in 2.2 (they are back here), and whose `read-network-long` example did not
//! handle a short read.

use std::io::{self, Read, Write};

/// Converts a 16-bit value from host to network (big-endian) order.
///
/// Scheme: `htons` (Guile before 2.2, SCM).
///
/// ```
/// assert_eq!(netprim::htons(0x1234).to_ne_bytes(), [0x12, 0x34]);
/// ```
pub const fn htons(value: u16) -> u16 {
    value.to_be()
}

/// Converts a 16-bit value from network (big-endian) to host order.
///
/// Scheme: `ntohs` (Guile before 2.2, SCM).
///
/// ```
/// assert_eq!(netprim::ntohs(u16::from_ne_bytes([0x12, 0x34])), 0x1234);
/// ```
pub const fn ntohs(value: u16) -> u16 {
    u16::from_be(value)
}

/// Converts a 32-bit value from host to network (big-endian) order.
///
/// Scheme: `htonl` (Guile before 2.2, SCM).
///
/// ```
/// assert_eq!(netprim::htonl(0x7f00_0001).to_ne_bytes(), [127, 0, 0, 1]);
/// ```
pub const fn htonl(value: u32) -> u32 {
    value.to_be()
}

/// Converts a 32-bit value from network (big-endian) to host order.
///
/// Scheme: `ntohl` (Guile before 2.2, SCM).
///
/// ```
/// assert_eq!(netprim::ntohl(u32::from_ne_bytes([127, 0, 0, 1])), 0x7f00_0001);
/// ```
pub const fn ntohl(value: u32) -> u32 {
    u32::from_be(value)
}

macro_rules! read_methods {
    ($($(#[$doc:meta])* $name:ident -> $ty:ty;)+) => {$(
        $(#[$doc])*
        ///
        /// # Errors
        ///
        /// `UnexpectedEof` if the stream ends before all the bytes arrive,
        /// saying how many did (a short read is retried, never taken for the
        /// whole value), and the reader's own errors. After an error the
        /// bytes that arrived are consumed, so use it on blocking sockets (or
        /// buffered readers), not on a non-blocking socket that may stop
        /// half-way.
        fn $name(&mut self) -> io::Result<$ty> {
            let mut bytes = [0u8; size_of::<$ty>()];
            read_whole(self, &mut bytes, stringify!($ty))?;
            Ok(<$ty>::from_be_bytes(bytes))
        }
    )+};
}

/// `read_exact`, whose `UnexpectedEof` says how many of the bytes of the
/// `what` arrived (std's says only "failed to fill whole buffer").
fn read_whole<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8], what: &str) -> io::Result<()> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "the stream ended after {got} of the {} bytes of a network-order {what}",
                        buf.len()
                    ),
                ));
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

macro_rules! write_methods {
    ($($(#[$doc:meta])* $name:ident($ty:ty);)+) => {$(
        $(#[$doc])*
        ///
        /// # Errors
        ///
        /// The writer's errors (`BrokenPipe` for a closed peer, …); the whole
        /// value is written or an error is returned.
        fn $name(&mut self, value: $ty) -> io::Result<()> {
            self.write_all(&value.to_be_bytes())
        }
    )+};
}

/// Reads big-endian (network order) integers from any [`Read`], such as a
/// `&Socket`, a `TcpStream` or a `BufReader`.
///
/// Scheme: `read-network-long` of Guile's manual
/// ([`read_network_u32`](ReadNetworkExt::read_network_u32)), done right: the
/// value is read whole or not at all.
///
/// ```
/// use netprim::ReadNetworkExt;
///
/// let mut input: &[u8] = &[0, 0, 1, 0, 0xff, 0xfe, 9];
/// assert_eq!(input.read_network_u32()?, 256);
/// assert_eq!(input.read_network_i16()?, -2);
/// let err = input.read_network_u16().unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "read-network-long")]
pub trait ReadNetworkExt: Read {
    read_methods! {
        /// Reads a big-endian `u16`.
        ///
        /// Scheme: two bytes through `ntohs`.
        #[doc(alias = "ntohs")]
        read_network_u16 -> u16;
        /// Reads a big-endian `i16`.
        read_network_i16 -> i16;
        /// Reads a big-endian `u32`.
        ///
        /// Scheme: `read-network-long` (Guile manual).
        #[doc(alias = "read-network-long")]
        read_network_u32 -> u32;
        /// Reads a big-endian `i32`.
        read_network_i32 -> i32;
        /// Reads a big-endian `u64`.
        read_network_u64 -> u64;
        /// Reads a big-endian `i64`.
        read_network_i64 -> i64;
        /// Reads a big-endian `u128`.
        read_network_u128 -> u128;
        /// Reads a big-endian `i128`.
        read_network_i128 -> i128;
    }
}

impl<R: Read + ?Sized> ReadNetworkExt for R {}

/// Writes big-endian (network order) integers to any [`Write`], such as a
/// `&Socket`, a `TcpStream` or a `BufWriter`.
///
/// Scheme: `write-network-long` of Guile's manual
/// ([`write_network_u32`](WriteNetworkExt::write_network_u32)), done right:
/// the whole value is written, whatever the socket takes at once.
///
/// ```
/// use netprim::WriteNetworkExt;
///
/// let mut out = Vec::new();
/// out.write_network_u32(0x7f00_0001)?;
/// out.write_network_i16(-2)?;
/// assert_eq!(out, [127, 0, 0, 1, 0xff, 0xfe]);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "write-network-long")]
pub trait WriteNetworkExt: Write {
    write_methods! {
        /// Writes a `u16` in big-endian order.
        ///
        /// Scheme: `htons`, then two bytes out.
        #[doc(alias = "htons")]
        write_network_u16(u16);
        /// Writes an `i16` in big-endian order.
        write_network_i16(i16);
        /// Writes a `u32` in big-endian order.
        ///
        /// Scheme: `write-network-long` (Guile manual).
        #[doc(alias = "write-network-long")]
        write_network_u32(u32);
        /// Writes an `i32` in big-endian order.
        write_network_i32(i32);
        /// Writes a `u64` in big-endian order.
        write_network_u64(u64);
        /// Writes an `i64` in big-endian order.
        write_network_i64(i64);
        /// Writes a `u128` in big-endian order.
        write_network_u128(u128);
        /// Writes an `i128` in big-endian order.
        write_network_i128(i128);
    }
}

impl<W: Write + ?Sized> WriteNetworkExt for W {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte per call, as a slow peer would.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((&b, rest)), Some(slot)) => {
                    *slot = b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn conversions_are_inverse_and_big_endian() {
        const PORT: u16 = htons(80);
        assert_eq!(PORT.to_ne_bytes(), [0, 80]);
        assert_eq!(ntohs(PORT), 80);
        assert_eq!(ntohl(htonl(0xdead_beef)), 0xdead_beef);
        assert_eq!(htonl(1).to_ne_bytes(), [0, 0, 0, 1]);
    }

    #[test]
    fn short_reads_are_completed() {
        let mut r = Trickle(&[0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 5]);
        assert_eq!(r.read_network_u32().unwrap(), 0x0102_0304);
        assert_eq!(r.read_network_u64().unwrap(), 5);
        let err = r.read_network_u16().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn a_short_stream_says_how_many_bytes_arrived() {
        // Before: std's bare "failed to fill whole buffer".
        let err = Trickle(&[1, 2]).read_network_u32().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(
            err.to_string()
                .contains("after 2 of the 4 bytes of a network-order u32"),
            "{err}"
        );

        let (a, mut b) =
            crate::Socket::pair(crate::Domain::UNIX, crate::Type::STREAM, None).unwrap();
        a.send(&[0, 0, 7]).unwrap();
        a.shutdown(std::net::Shutdown::Write).unwrap();
        let err = b.read_network_u32().unwrap_err();
        assert!(err.to_string().contains("after 3 of the 4 bytes"), "{err}");
    }

    #[test]
    fn every_width_round_trips() {
        let mut out = Vec::new();
        out.write_network_u16(u16::MAX - 1).unwrap();
        out.write_network_i16(i16::MIN).unwrap();
        out.write_network_u32(u32::MAX - 1).unwrap();
        out.write_network_i32(-1).unwrap();
        out.write_network_u64(u64::MAX - 1).unwrap();
        out.write_network_i64(i64::MIN).unwrap();
        out.write_network_u128(u128::MAX - 1).unwrap();
        out.write_network_i128(-2).unwrap();
        assert_eq!(out.len(), 2 + 2 + 4 + 4 + 8 + 8 + 16 + 16);
        let mut input = out.as_slice();
        assert_eq!(input.read_network_u16().unwrap(), u16::MAX - 1);
        assert_eq!(input.read_network_i16().unwrap(), i16::MIN);
        assert_eq!(input.read_network_u32().unwrap(), u32::MAX - 1);
        assert_eq!(input.read_network_i32().unwrap(), -1);
        assert_eq!(input.read_network_u64().unwrap(), u64::MAX - 1);
        assert_eq!(input.read_network_i64().unwrap(), i64::MIN);
        assert_eq!(input.read_network_u128().unwrap(), u128::MAX - 1);
        assert_eq!(input.read_network_i128().unwrap(), -2);
        assert!(input.is_empty());
    }
}
