//! The load generator's hot paths that need no network, each beside a
//! baseline doing the same work the obvious way (ratios, not absolutes):
//!
//! - `line_split`: cutting 64 KiB of 64-byte chat lines into lines with
//!   [`LineSplitter`] over 16 KiB chunks, against `BufRead::read_until` over
//!   an in-memory reader (what a chat reader would do with std).
//! - `output_buffering`: writing 1,000 chat lines into a `Vec` with
//!   `chat_line`, against `write!` into a `BufWriter<Vec<u8>>`.
//! - `target_parse`: `Target::parse` (loopback check included) against
//!   `SocketAddr::from_str` and `tcp_ports::Target::parse`.

use std::hint::black_box;
use std::io::{BufRead, BufWriter, Write};
use std::net::SocketAddr;

use criterion::{Criterion, Throughput};
use loadgen::LineSplitter;
use loadgen::payload::chat_line;

fn stream_of_lines() -> Vec<u8> {
    let mut data = Vec::new();
    for seq in 0..1024 {
        chat_line(&mut data, seq, 64);
    }
    data
}

fn line_split(c: &mut Criterion) {
    let data = stream_of_lines();
    let mut g = c.benchmark_group("line_split");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("loadgen_splitter", |b| {
        b.iter(|| {
            let mut s = LineSplitter::new(1024);
            let mut n = 0usize;
            for chunk in data.chunks(16 * 1024) {
                s.feed(black_box(chunk), |l| n += l.len()).unwrap();
            }
            assert_eq!(n, data.len());
        })
    });
    g.bench_function("std_read_until", |b| {
        b.iter(|| {
            let mut r = std::io::BufReader::with_capacity(16 * 1024, black_box(&data[..]));
            let mut line = Vec::new();
            let mut n = 0usize;
            // Bounded by the input: read_until returns 0 at its end.
            loop {
                line.clear();
                match r.read_until(b'\n', &mut line).unwrap() {
                    0 => break,
                    k => n += k,
                }
            }
            assert_eq!(n, data.len());
        })
    });
    g.finish();
}

fn output_buffering(c: &mut Criterion) {
    let mut g = c.benchmark_group("output_buffering");
    g.throughput(Throughput::Bytes(64 * 1000));
    g.bench_function("loadgen_chat_line_vec", |b| {
        let mut out = Vec::with_capacity(64 * 1000);
        b.iter(|| {
            out.clear();
            for seq in 0..1000 {
                chat_line(&mut out, black_box(seq), 64);
            }
            assert_eq!(out.len(), 64 * 1000);
        })
    });
    g.bench_function("std_bufwriter_write", |b| {
        let filler = [b'0'; 64 - 18];
        b.iter(|| {
            let mut w = BufWriter::with_capacity(8 * 1024, Vec::with_capacity(64 * 1000));
            for seq in 0..1000u64 {
                write!(w, "{:016x} ", black_box(seq)).unwrap();
                w.write_all(&filler).unwrap();
                w.write_all(b"\n").unwrap();
            }
            assert_eq!(w.into_inner().unwrap().len(), 64 * 1000);
        })
    });
    g.finish();
}

fn target_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("target_parse");
    for (name, s) in [("v4", "127.0.0.1:4242"), ("v6", "[::1]:4242")] {
        g.bench_function(format!("loadgen/{name}"), |b| {
            b.iter(|| black_box(s).parse::<loadgen::Target>().unwrap())
        });
        g.bench_function(format!("std_socket_addr/{name}"), |b| {
            b.iter(|| black_box(s).parse::<SocketAddr>().unwrap())
        });
        g.bench_function(format!("tcp_ports/{name}"), |b| {
            b.iter(|| tcp_ports::Target::parse(black_box(s)).unwrap())
        });
    }
    g.finish();
}

// What `criterion_group!` and `criterion_main!` expand to, without their
// undocumented public function; a second of warm-up, as in the layers'
// benchmarks, keeps the run short on two cores.
fn main() {
    let mut c = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .configure_from_args();
    line_split(&mut c);
    output_buffering(&mut c);
    target_parse(&mut c);
    c.final_summary();
}
