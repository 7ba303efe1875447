//! The `metrics` feature: both servers' statistics reach a `metrics`
//! recorder under the documented names.

mod util;

use metrics_util::CompositeKey;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use tcp_server_async::ServerBuilder;
use util::{connect, read_line};

/// One snapshot's metrics: name, labels, value.
type Metrics = Vec<(CompositeKey, DebugValue)>;

/// The value of metric `name` with the label `label` (if any).
fn value<'a>(
    metrics: &'a Metrics,
    name: &str,
    label: Option<(&str, &str)>,
) -> Option<&'a DebugValue> {
    metrics
        .iter()
        .find(|(key, _)| {
            let key = key.key();
            key.name() == name
                && label.is_none_or(|(k, v)| key.labels().any(|l| l.key() == k && l.value() == v))
        })
        .map(|(_, value)| value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_reach_a_metrics_recorder() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    // Each test binary is a process of its own: the global recorder is ours.
    recorder.install().unwrap();

    let server = util::start(
        ServerBuilder::new(),
        |mut input, mut output, _| async move {
            use tokio::io::AsyncWriteExt;
            let line = read_line(&mut input).await?;
            output.write_all(format!("{line}\n").as_bytes()).await
        },
    );
    for n in 0..2 {
        let mut client = connect(server.addr).await;
        client.send(&format!("line {n}")).await;
        assert_eq!(client.line().await.unwrap(), format!("line {n}"));
        assert_eq!(client.rest().await.unwrap(), "");
    }
    let summary = server.stop().await.unwrap();
    assert_eq!(summary.served, 2);

    // A snapshot hands counters over (and zeroes them): take one.
    let metrics: Metrics = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| (key, value))
        .collect();
    let accepted = value(&metrics, "tcp_server.connections.accepted", None);
    assert_eq!(accepted, Some(&DebugValue::Counter(2)), "{metrics:?}");
    let served = value(
        &metrics,
        "tcp_server.connections.ended",
        Some(("outcome", "served")),
    );
    assert_eq!(served, Some(&DebugValue::Counter(2)));
    let active = value(&metrics, "tcp_server.connections.active", None);
    assert!(
        matches!(active, Some(DebugValue::Gauge(g)) if g.into_inner() == 0.0),
        "{active:?}"
    );
}
