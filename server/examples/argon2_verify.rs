//! Prints how long one password verification takes with the production parameters,
//! the figure that bounds login throughput (`scripts/bench-login.sh` uses it).

use std::time::{Duration, Instant};

use app::accounts::ssr::password::{HashParams, Passwords};
use secrecy::SecretString;

#[tokio::main]
async fn main() {
    let passwords = Passwords::new(HashParams::default(), 1);
    let password = SecretString::from("Plum-Orbit-Lantern-42!".to_string());
    let hash = passwords.hash(&password).await.expect("hashing works");
    let mut samples: Vec<Duration> = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        passwords.verify(&password, Some(&hash)).await.expect("verification runs");
        samples.push(started.elapsed());
    }
    samples.sort();
    let median = samples[samples.len() / 2];
    println!("{:.2}", median.as_secs_f64() * 1000.0);
}
