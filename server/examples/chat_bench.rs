//! Load generator for the chat (run by `scripts/bench-chat.sh`; a measurement, not a
//! test). Two modes:
//!
//! - `deliver`: many receiving sockets in one room and a few senders at a steady total
//!   rate; reports deliveries per second, send-to-receive latency (p50, p99, max), CPU
//!   of the servers and of itself, and checks that every message was stored and reached
//!   every receiver exactly once, in order.
//! - `idle`: opens many authenticated sockets, each following the room, and holds them
//!   (the script reads the server's memory meanwhile).
//!
//! Arguments are `--name value` pairs; see `Options`.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

const PASSWORD: &str = "Bench-Lantern-Orbit-42!";
const ROOM: &str = "general";
/// Latency histogram: 50 µs buckets up to 2 s, then one overflow bucket.
const BUCKET_US: u64 = 50;
const BUCKETS: usize = 40_000;

struct Options {
    mode: String,
    /// Server base addresses; sockets are spread over them in turn.
    urls: Vec<String>,
    clients: usize,
    users: usize,
    senders: usize,
    /// Messages per second, all senders together.
    rate: f64,
    warmup: u64,
    seconds: u64,
    /// Server process ids, for their CPU time.
    pids: Vec<u32>,
}

impl Options {
    fn parse() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut named: HashMap<String, String> = HashMap::new();
        let mut mode = "deliver".to_string();
        let mut iter = args.into_iter();
        while let Some(arg) = iter.next() {
            match arg.strip_prefix("--") {
                Some(name) => {
                    named.insert(name.to_string(), iter.next().unwrap_or_else(|| panic!("--{name} needs a value")));
                }
                None => mode = arg,
            }
        }
        let get = |name: &str, default: &str| named.get(name).cloned().unwrap_or_else(|| default.to_string());
        let list = |raw: String| raw.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect::<Vec<_>>();
        Self {
            mode,
            urls: list(get("urls", "http://127.0.0.1:3320")),
            clients: get("clients", "1000").parse().expect("--clients"),
            users: get("users", "50").parse().expect("--users"),
            senders: get("senders", "10").parse().expect("--senders"),
            rate: get("rate", "150").parse().expect("--rate"),
            warmup: get("warmup", "3").parse().expect("--warmup"),
            seconds: get("seconds", "15").parse().expect("--seconds"),
            pids: list(get("pids", "")).iter().map(|p| p.parse().expect("--pids")).collect(),
        }
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Registers `count` users (activation is off on the bench server) and returns a token
/// for each.
async fn tokens(base: &str, count: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut tokens = Vec::with_capacity(count);
    for n in 0..count {
        let username = format!("b{}{n}", &run[..6]);
        let register = http
            .post(format!("{base}/api/auth/register"))
            .json(&json!({"username": username, "email": format!("{username}@bench.test"), "password": PASSWORD}))
            .send()
            .await
            .expect("register");
        assert!(register.status().is_success(), "register: {}", register.text().await.unwrap_or_default());
        let token: Value = http
            .post(format!("{base}/api/auth/token"))
            .json(&json!({"username_or_email": username, "password": PASSWORD}))
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token body");
        tokens.push(token["token"].as_str().expect("a token").to_string());
    }
    tokens
}

async fn last_seq(base: &str, token: &str) -> i64 {
    let page: Value = reqwest::Client::new()
        .get(format!("{base}/api/chat/rooms/{ROOM}/messages?limit=1"))
        .header("authorization", format!("Token {token}"))
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("history body");
    page["last_seq"].as_i64().expect("last_seq")
}

/// An authenticated socket following the room from `after`.
async fn open(base: &str, token: &str, after: i64) -> Socket {
    let url = format!("{}/api/chat/ws", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert("authorization", format!("Token {token}").parse().expect("header"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("upgrade");
    let connect = json!({"type": "connect", "room_id": ROOM, "after_seq": after}).to_string();
    socket.send(Message::Text(connect.into())).await.expect("connect");
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Text(text) = message {
            let frame: Value = serde_json::from_str(&text).expect("json");
            match frame["type"].as_str() {
                Some("connected") => return socket,
                Some("error") => panic!("refused: {frame}"),
                _ => {}
            }
        }
    }
    panic!("the socket closed before connecting");
}

/// Opens `count` sockets, `batch` at a time, spread over the servers and users.
async fn open_many(options: &Options, tokens: &[String], count: usize, offset: usize, after: i64) -> Vec<Socket> {
    let mut sockets = Vec::with_capacity(count);
    let mut n = 0;
    while n < count {
        let batch: Vec<_> = (n..count.min(n + 200))
            .map(|i| {
                let i = i + offset;
                let base = options.urls[i % options.urls.len()].clone();
                let token = tokens[i % tokens.len()].clone();
                tokio::spawn(async move { open(&base, &token, after).await })
            })
            .collect();
        for handle in batch {
            sockets.push(handle.await.expect("open"));
        }
        n = sockets.len();
    }
    sockets
}

#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type")]
    kind: Option<&'a str>,
    seq: Option<i64>,
    content: Option<&'a str>,
}

/// What one receiver saw.
#[derive(Default)]
struct Seen {
    total: u64,
    measured: u64,
    out_of_order: u64,
    histogram: Vec<u64>,
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 14th field.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
        + fields.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
}

fn percentile(histogram: &[u64], total: u64, p: f64) -> f64 {
    let wanted = (total as f64 * p).ceil() as u64;
    let mut seen = 0;
    for (i, count) in histogram.iter().enumerate() {
        seen += count;
        if seen >= wanted {
            return (i as u64 * BUCKET_US + BUCKET_US) as f64 / 1000.0;
        }
    }
    f64::INFINITY
}

async fn deliver(options: Options) {
    let base = options.urls[0].clone();
    println!("registering {} users", options.users);
    let tokens = tokens(&base, options.users).await;
    let start_seq = last_seq(&base, &tokens[0]).await;
    println!(
        "opening {} receiving sockets and {} senders over {} server(s)",
        options.clients,
        options.senders,
        options.urls.len()
    );
    let receivers = open_many(&options, &tokens, options.clients, 0, start_seq).await;
    let senders = open_many(&options, &tokens, options.senders, 1, start_seq).await;
    let epoch = Instant::now();
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));

    let (finish, finished) = tokio::sync::watch::channel(false);
    let mut readers = Vec::new();
    for socket in receivers {
        let measuring = measuring.clone();
        let mut finished = finished.clone();
        readers.push(tokio::spawn(async move {
            let (_sink, mut stream) = socket.split();
            let mut seen = Seen { histogram: vec![0; BUCKETS + 1], ..Seen::default() };
            let mut last = 0;
            loop {
                let message = tokio::select! {
                    message = stream.next() => message,
                    _ = finished.changed() => break,
                };
                let Some(Ok(message)) = message else { break };
                let Message::Text(text) = message else { continue };
                let Ok(frame) = serde_json::from_str::<Frame>(&text) else { continue };
                if frame.kind.is_some() {
                    assert_ne!(frame.kind, Some("resync"), "a receiver fell behind and was told to resync");
                    continue;
                }
                let (Some(seq), Some(sent)) = (frame.seq, frame.content.and_then(|c| c.strip_prefix("bench:"))) else {
                    continue;
                };
                if seq <= last {
                    seen.out_of_order += 1;
                }
                last = seq;
                seen.total += 1;
                if measuring.load(Ordering::Relaxed) {
                    let sent: u64 = sent.parse().unwrap_or(0);
                    let latency = (epoch.elapsed().as_micros() as u64).saturating_sub(sent);
                    seen.histogram[((latency / BUCKET_US) as usize).min(BUCKETS)] += 1;
                    seen.measured += 1;
                }
            }
            seen
        }));
    }

    let sent = Arc::new(AtomicU64::new(0));
    let acked = Arc::new(AtomicU64::new(0));
    let per_sender = options.rate / options.senders as f64;
    let mut writers = Vec::new();
    for socket in senders {
        let (stop, sent, acked) = (stop.clone(), sent.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            let (mut sink, mut stream) = socket.split();
            let acks = tokio::spawn(async move {
                while let Some(Ok(message)) = stream.next().await {
                    if let Message::Text(text) = message {
                        if text.contains(r#""type":"ack""#) {
                            acked.fetch_add(1, Ordering::Relaxed);
                        } else if text.contains(r#""type":"error""#) {
                            eprintln!("sender error: {text}");
                        }
                    }
                }
            });
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_sender));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let content = format!("bench:{}", epoch.elapsed().as_micros());
                let frame = json!({"type": "message", "room_id": ROOM, "content": content}).to_string();
                if sink.send(Message::Text(frame.into())).await.is_err() {
                    break;
                }
                sent.fetch_add(1, Ordering::Relaxed);
            }
            // Acknowledgements of the last messages.
            tokio::time::sleep(Duration::from_secs(3)).await;
            acks.abort();
            let _ = sink.close().await;
        }));
    }

    tokio::time::sleep(Duration::from_secs(options.warmup)).await;
    let me = std::process::id();
    let pids: Vec<u32> = options.pids.iter().copied().chain([me]).collect();
    let cpu_before: Vec<u64> = pids.iter().map(|pid| cpu_ticks(*pid)).collect();
    let window = Instant::now();
    measuring.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(options.seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = window.elapsed().as_secs_f64();
    let cpu_after: Vec<u64> = pids.iter().map(|pid| cpu_ticks(*pid)).collect();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("sender");
    }
    let _ = finish.send(true);
    let mut seen = Vec::new();
    for reader in readers {
        seen.push(reader.await.expect("receiver"));
    }

    let sent = sent.load(Ordering::Relaxed);
    let acked = acked.load(Ordering::Relaxed);
    let stored = last_seq(&base, &tokens[0]).await - start_seq;
    let mut histogram = vec![0u64; BUCKETS + 1];
    for s in &seen {
        for (total, count) in histogram.iter_mut().zip(&s.histogram) {
            *total += count;
        }
    }
    let measured: u64 = seen.iter().map(|s| s.measured).sum();
    let incomplete = seen.iter().filter(|s| s.total != sent).count();
    let out_of_order: u64 = seen.iter().map(|s| s.out_of_order).sum();
    let max = histogram.iter().rposition(|c| *c > 0).map_or(0.0, |i| ((i as u64 + 1) * BUCKET_US) as f64 / 1000.0);
    let ticks_per_second = 100.0; // USER_HZ on Linux
    println!();
    println!("receivers            {}", seen.len());
    println!("messages sent        {sent} (acknowledged {acked}, stored {stored})");
    println!("send rate            {:.0} messages/s", options.rate);
    println!("deliveries           {measured} in {elapsed:.1} s = {:.0} deliveries/s", measured as f64 / elapsed);
    println!(
        "latency              p50 {:.1} ms, p99 {:.1} ms, max {max:.1} ms",
        percentile(&histogram, measured, 0.50),
        percentile(&histogram, measured, 0.99)
    );
    println!("receivers missing or doubling messages: {incomplete}; out of order: {out_of_order}");
    for (i, pid) in pids.iter().enumerate() {
        let cpu = (cpu_after[i] - cpu_before[i]) as f64 / ticks_per_second / elapsed * 100.0;
        let who = if *pid == me { "bench client".to_string() } else { format!("server pid {pid}") };
        println!("cpu                  {who}: {cpu:.0}% of one core");
    }
    assert_eq!(sent, acked, "every message sent was acknowledged");
    assert_eq!(stored, sent as i64, "every message is stored");
    assert_eq!((incomplete, out_of_order), (0, 0), "each receiver got every message once, in order");
}

/// Holds `clients` idle sockets (authenticated, following the room) for `seconds`.
async fn idle(options: Options) {
    let base = options.urls[0].clone();
    let tokens = tokens(&base, options.users).await;
    let start_seq = last_seq(&base, &tokens[0]).await;
    // The script reads the server's memory now, before any socket, and again at `ready`.
    println!("registered {}", options.users);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sockets = open_many(&options, &tokens, options.clients, 0, start_seq).await;
    for socket in sockets {
        // Reading answers the server's pings.
        tokio::spawn(async move {
            let (_sink, mut stream) = socket.split();
            while let Some(Ok(_)) = stream.next().await {}
        });
    }
    println!("ready {}", options.clients);
    tokio::time::sleep(Duration::from_secs(options.seconds)).await;
}

fn main() {
    let options = Options::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async move {
        match options.mode.as_str() {
            "deliver" => deliver(options).await,
            "idle" => idle(options).await,
            other => panic!("unknown mode {other}: deliver or idle"),
        }
    });
}
