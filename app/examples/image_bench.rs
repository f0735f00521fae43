//! Image processing time per upload: a 12-megapixel photo (4000×3000, camera-rotated by
//! its EXIF tag) through the whole cover pipeline, N times. Run by
//! `scripts/bench-images.sh`; prints p50/p99 and the output sizes.

use std::time::Instant;

use app::uploads::ssr::{
    fixtures::photo,
    images::{process, ImageLimits, Purpose},
    sniff::sniff,
};

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(20);
    let bytes = photo(4000, 3000);
    println!("input: 4000×3000 JPEG, {} bytes; {runs} runs of the cover pipeline", bytes.len());
    let kind = sniff(&bytes).unwrap();
    let limits = ImageLimits::default();
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(process(&bytes, kind, Purpose::Cover, &limits).unwrap());
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "per upload: p50 {:.0} ms, p99 {:.0} ms, min {:.0} ms, max {:.0} ms",
        at(0.5),
        at(0.99),
        times[0],
        times[times.len() - 1]
    );
    let out = last.unwrap();
    for r in out.renditions.iter().chain(out.card.iter()) {
        println!("  {}×{} {:?}: {} bytes", r.width, r.height, r.kind, r.bytes.len());
    }
}
