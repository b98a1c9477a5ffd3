//! `loadgen`: a small HTTP load generator for the gateway benchmark (`tests/bench/gateway.sh`).
//!
//! Open loop (`--rate N`): requests start on a fixed schedule whatever the answers do, and
//! latency is measured from the scheduled start, so a stall is not hidden (no coordinated
//! omission). Closed loop (`--rate 0`): `--concurrency` workers send back to back, for
//! throughput at saturation; with `--once`, each sends one request (many long streams held
//! open at once, `tests/bench/streams.sh`). With `--stream`, the time to the first body byte
//! is reported too.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use futures::StreamExt;
use tokio::sync::Mutex;

#[derive(Debug, Parser)]
#[command(
    name = "loadgen",
    about = "Fixed-rate and saturation HTTP load for benchmarks"
)]
struct Args {
    /// The URL to POST to.
    #[arg(long)]
    url: String,
    /// Bearer token to send.
    #[arg(long)]
    key: Option<String>,
    /// JSON body of every request.
    #[arg(long)]
    body: String,
    /// Requests per second; 0 means closed loop at `concurrency`.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// Closed-loop workers (and the open loop's cap on requests in flight).
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds to measure, after `warmup` seconds that are not counted.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Read the body as a stream and record time to first byte.
    #[arg(long)]
    stream: bool,
    /// Closed loop: each worker sends one request only (no warm-up), and all are counted.
    #[arg(long)]
    once: bool,
    /// Closed loop: start the workers evenly over this many seconds rather than all at once.
    #[arg(long, default_value_t = 0.0)]
    ramp_seconds: f64,
    /// A label for the output line.
    #[arg(long, default_value = "run")]
    label: String,
}

#[derive(Default)]
struct Samples {
    total_us: Vec<u64>,
    first_byte_us: Vec<u64>,
    errors: u64,
    /// Answers with an error status, by status.
    statuses: std::collections::BTreeMap<u16, u64>,
}

/// One request: its total time and time to first byte, or the error status it got (none
/// when the connection failed or the body broke off).
async fn one(
    client: &reqwest::Client,
    args: &Args,
    scheduled: Instant,
) -> Result<(u64, u64), Option<u16>> {
    let mut request = client
        .post(&args.url)
        .header("content-type", "application/json")
        .body(args.body.clone());
    if let Some(key) = &args.key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.map_err(|_| None)?;
    if !response.status().is_success() {
        return Err(Some(response.status().as_u16()));
    }
    let mut stream = response.bytes_stream();
    let mut first = None;
    while let Some(chunk) = stream.next().await {
        chunk.map_err(|_| None)?;
        first.get_or_insert_with(|| scheduled.elapsed());
    }
    let total = scheduled.elapsed();
    let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    Ok((micros(total), micros(first.unwrap_or(total))))
}

async fn record(
    samples: &Mutex<Samples>,
    from: Instant,
    scheduled: Instant,
    result: Result<(u64, u64), Option<u16>>,
) {
    if scheduled < from {
        return;
    }
    let mut s = samples.lock().await;
    match result {
        Ok((total, first)) => {
            s.total_us.push(total);
            s.first_byte_us.push(first);
        }
        Err(status) => {
            s.errors += 1;
            if let Some(status) = status {
                *s.statuses.entry(status).or_default() += 1;
            }
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

#[tokio::main]
async fn main() {
    let args = Arc::new(Args::parse());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency * 2)
        .tcp_nodelay(true)
        .build()
        .expect("http client");
    let samples = Arc::new(Mutex::new(Samples::default()));
    let start = Instant::now();
    let warmup = if args.once { 0 } else { args.warmup };
    let measure_from = start + Duration::from_secs(warmup);
    let end = measure_from + Duration::from_secs(args.seconds);

    if args.rate == 0 {
        let workers: Vec<_> = (0..args.concurrency)
            .map(|worker| {
                let (client, args, samples) = (client.clone(), args.clone(), samples.clone());
                let delay = args.ramp_seconds * worker as f64 / args.concurrency as f64;
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs_f64(delay)).await;
                    loop {
                        let scheduled = Instant::now();
                        let result = one(&client, &args, scheduled).await;
                        record(&samples, measure_from, scheduled, result).await;
                        if args.once || Instant::now() >= end {
                            break;
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            let _ = worker.await;
        }
    } else {
        let period = Duration::from_secs_f64(1.0 / args.rate as f64);
        let limit = Arc::new(tokio::sync::Semaphore::new(args.concurrency * 32));
        let runtime = tokio::runtime::Handle::current();
        let (pacing, paced) = (samples.clone(), args.clone());
        // The schedule is kept by a thread of its own sleeping to the microsecond: tokio's
        // timer has a 1 ms resolution, which put up to a millisecond of the load generator's
        // own lateness into every measured latency.
        let pacer = tokio::task::spawn_blocking(move || {
            let mut next = start;
            let mut tasks = Vec::new();
            let mut refused = 0;
            while next < end {
                let now = Instant::now();
                if next > now {
                    std::thread::sleep(next - now);
                }
                let scheduled = next;
                next += period;
                let Ok(permit) = limit.clone().try_acquire_owned() else {
                    if scheduled >= measure_from {
                        refused += 1;
                    }
                    continue;
                };
                let (client, args, samples) = (client.clone(), paced.clone(), pacing.clone());
                tasks.push(runtime.spawn(async move {
                    let result = one(&client, &args, scheduled).await;
                    record(&samples, measure_from, scheduled, result).await;
                    drop(permit);
                }));
            }
            (tasks, refused)
        });
        let (tasks, refused) = pacer.await.expect("pacer thread");
        for task in tasks {
            let _ = task.await;
        }
        samples.lock().await.errors += refused;
    }

    let mut s = samples.lock().await;
    s.total_us.sort_unstable();
    s.first_byte_us.sort_unstable();
    let throughput = s.total_us.len() as f64 / args.seconds as f64;
    let line = serde_json::json!({
        "label": args.label,
        "requests": s.total_us.len(),
        "errors": s.errors,
        "error_statuses": s.statuses,
        "throughput_rps": (throughput * 10.0).round() / 10.0,
        "p50_ms": percentile(&s.total_us, 50.0),
        "p90_ms": percentile(&s.total_us, 90.0),
        "p99_ms": percentile(&s.total_us, 99.0),
        "max_ms": percentile(&s.total_us, 100.0),
        "ttfb_p50_ms": percentile(&s.first_byte_us, 50.0),
        "ttfb_p99_ms": percentile(&s.first_byte_us, 99.0),
    });
    #[allow(clippy::print_stdout)]
    {
        println!("{line}");
    }
}
