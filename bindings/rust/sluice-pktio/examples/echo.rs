//! sluice-echo in Rust: a UDP echo server on libpktio.  Each datagram
//! (IPv4 or IPv6) to the chosen port (every port when none is given) goes
//! back with its MAC addresses, IP addresses and ports swapped; swapping
//! keeps every checksum right, so no checksum is recomputed.
//!
//!   echo --driver af_xdp|af_packet|tap --dev IF [--queue N] [--udp-port N]
//!        [--duration SECONDS]
//!   echo --config FILE [--udp-port N] [--duration SECONDS]
//!
//! It stops on SIGINT or SIGTERM (or after --duration), giving every buffer
//! back, and prints what it did as one line of JSON.
use std::os::raw::c_int;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_pktio::{App, Config, Packet, Pool, Port, PortConfig};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" {
    fn signal(sig: c_int, handler: extern "C" fn(c_int)) -> usize;
}

extern "C" fn on_signal(_sig: c_int) {
    STOP.store(true, Ordering::SeqCst);
}

const SIGINT: c_int = 2;
const SIGTERM: c_int = 15;

/// Swaps the packet's addresses and ports when it is a UDP datagram to
/// `port` (0: any); false when it is not one to answer.
fn echo_in_place(data: &mut [u8], port: u16) -> bool {
    if data.len() < 14 {
        return false;
    }
    let ethertype = u16::from_be_bytes([data[12], data[13]]);
    let (l4, ip_src, ip_len) = match ethertype {
        0x0800 => {
            if data.len() < 14 + 20 || data[14] >> 4 != 4 {
                return false;
            }
            let ihl = ((data[14] & 0x0f) as usize) * 4;
            let frag = u16::from_be_bytes([data[20], data[21]]) & 0x3fff;
            if ihl < 20 || data[23] != 17 || frag != 0 {
                return false;
            }
            (14 + ihl, 14 + 12, 4)
        }
        0x86dd => {
            if data.len() < 14 + 40 || data[14] >> 4 != 6 || data[20] != 17 {
                return false;
            }
            (14 + 40, 14 + 8, 16)
        }
        _ => return false,
    };
    if data.len() < l4 + 8 {
        return false;
    }
    let dport = u16::from_be_bytes([data[l4 + 2], data[l4 + 3]]);
    if port != 0 && dport != port {
        return false;
    }
    for i in 0..6 {
        data.swap(i, 6 + i);
    }
    for i in 0..ip_len {
        data.swap(ip_src + i, ip_src + ip_len + i);
    }
    for i in 0..2 {
        data.swap(l4 + i, l4 + 2 + i);
    }
    true
}

struct Args {
    driver: Option<String>,
    dev: Option<String>,
    config: Option<String>,
    queue: u16,
    udp_port: u16,
    duration: Option<u64>,
}

const USAGE: &str = "usage: echo --driver af_xdp|af_packet|tap --dev IF [--queue N] \
[--udp-port N] [--duration SECONDS]\n       echo --config FILE [--udp-port N] [--duration SECONDS]";

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        driver: None,
        dev: None,
        config: None,
        queue: 0,
        udp_port: 0,
        duration: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        if k == "--help" || k == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let v = it.next().ok_or(format!("{k}: needs a value"))?;
        let num = |what: &str| -> Result<u64, String> {
            v.parse::<u64>()
                .map_err(|_| format!("{what}: '{v}' is not a number"))
        };
        match k.as_str() {
            "--driver" => a.driver = Some(v.clone()),
            "--dev" => a.dev = Some(v.clone()),
            "--config" => a.config = Some(v.clone()),
            "--queue" => {
                a.queue = u16::try_from(num("--queue")?)
                    .map_err(|_| format!("--queue: '{v}' is out of range"))?
            }
            "--udp-port" => {
                let p = num("--udp-port")?;
                if p == 0 || p > 65535 {
                    return Err(format!("--udp-port: '{v}' is not a port (1-65535)"));
                }
                a.udp_port = p as u16;
            }
            "--duration" => a.duration = Some(num("--duration")?),
            _ => return Err(format!("'{k}' is not an option\n{USAGE}")),
        }
    }
    if a.config.is_none() && (a.driver.is_none() || a.dev.is_none()) {
        return Err(format!(
            "--driver and --dev, or --config, are needed\n{USAGE}"
        ));
    }
    Ok(a)
}

fn run_port(a: &Args) -> Result<(u64, u64), String> {
    let pool = Pool::new(4096).map_err(|e| format!("pool: {e}"))?;
    let cfg = PortConfig::new(
        a.driver.as_deref().unwrap(),
        a.dev.as_deref().unwrap(),
        &pool,
    )
    .queues(a.queue + 1);
    let mut port = Port::open(&cfg).map_err(|e| format!("{}: {e}", cfg.dev))?;
    if let Ok(qi) = port.queue_info(a.queue) {
        eprintln!("echo: {} queue {}: {}", cfg.dev, a.queue, qi.mode);
    }
    let deadline = a.duration.map(|s| Instant::now() + Duration::from_secs(s));
    let (mut echoed, mut dropped) = (0u64, 0u64);
    let mut rx: Vec<Packet> = Vec::with_capacity(64);
    let mut tx: Vec<Packet> = Vec::with_capacity(64);
    while !STOP.load(Ordering::Relaxed) && deadline.map_or(true, |d| Instant::now() < d) {
        if port.rx_burst(a.queue, &mut rx, 64) == 0 {
            std::thread::sleep(Duration::from_micros(50));
            continue;
        }
        for mut p in rx.drain(..) {
            let ok = p.data_mut().map_or(false, |d| echo_in_place(d, a.udp_port));
            if ok {
                tx.push(p);
            } else {
                dropped += 1;
            }
        }
        let want = tx.len() as u64;
        let sent = port.tx_burst(a.queue, &mut tx) as u64;
        echoed += sent;
        dropped += want - sent;
        tx.clear();
    }
    drop(port);
    if pool.avail() != pool.count() {
        return Err(format!(
            "pool: {} of {} buffers came back",
            pool.avail(),
            pool.count()
        ));
    }
    Ok((echoed, dropped))
}

fn run_config(a: &Args) -> Result<(u64, u64), String> {
    let cfg = Config::load(a.config.as_deref().unwrap()).map_err(|e| e.to_string())?;
    let port = a.udp_port;
    let echoed = Arc::new(AtomicU64::new(0));
    let dropped = Arc::new(AtomicU64::new(0));
    let (e2, d2) = (echoed.clone(), dropped.clone());
    let mut app = App::open(&cfg, move |b| {
        let before = b.packets.len() as u64;
        b.packets
            .retain_mut(|p| p.data_mut().map_or(false, |d| echo_in_place(d, port)));
        let sent = b.send_back() as u64;
        e2.fetch_add(sent, Ordering::Relaxed);
        d2.fetch_add(before - sent, Ordering::Relaxed);
    })
    .map_err(|e| e.to_string())?;
    app.start().map_err(|e| e.to_string())?;
    let deadline = a.duration.map(|s| Instant::now() + Duration::from_secs(s));
    while !STOP.load(Ordering::Relaxed) && deadline.map_or(true, |d| Instant::now() < d) {
        std::thread::sleep(Duration::from_millis(20));
    }
    app.stop().map_err(|e| e.to_string())?;
    drop(app);
    Ok((
        echoed.load(Ordering::Relaxed),
        dropped.load(Ordering::Relaxed),
    ))
}

fn main() -> ExitCode {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("echo: {e}");
            return ExitCode::from(2);
        }
    };
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
    }
    let r = if a.config.is_some() {
        run_config(&a)
    } else {
        run_port(&a)
    };
    match r {
        Ok((echoed, dropped)) => {
            println!("{{\"echoed\": {echoed}, \"dropped\": {dropped}}}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("echo: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::echo_in_place;

    #[test]
    fn swaps_v4() {
        let mut f = vec![0u8; 14 + 20 + 8 + 3];
        f[..6].copy_from_slice(&[1, 1, 1, 1, 1, 1]);
        f[6..12].copy_from_slice(&[2, 2, 2, 2, 2, 2]);
        f[12] = 0x08;
        f[14] = 0x45;
        f[23] = 17;
        f[26..30].copy_from_slice(&[198, 18, 0, 1]);
        f[30..34].copy_from_slice(&[198, 18, 0, 2]);
        f[34..36].copy_from_slice(&1000u16.to_be_bytes());
        f[36..38].copy_from_slice(&7u16.to_be_bytes());
        assert!(echo_in_place(&mut f, 7));
        assert_eq!(&f[..6], &[2, 2, 2, 2, 2, 2]);
        assert_eq!(&f[26..30], &[198, 18, 0, 2]);
        assert_eq!(&f[34..36], &7u16.to_be_bytes());
        assert!(!echo_in_place(&mut f, 9));
    }
}
