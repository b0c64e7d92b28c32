//! The binding over libpktio's ring driver: no NIC, no privileges.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_pktio::{App, Config, Packet, Pool, PoolConfig, Port, PortConfig};

#[test]
fn pool_gives_and_takes_back() {
    let pool = Pool::new(8).unwrap();
    assert_eq!(pool.count(), 8);
    let pkts: Vec<Packet> = (0..8).map(|_| pool.alloc().unwrap()).collect();
    assert_eq!(pool.avail(), 0);
    let e = pool.alloc().unwrap_err();
    assert_eq!(e.errno, 105, "ENOBUFS when empty: {e}");
    assert!(pool.stats().alloc_fails >= 1);
    drop(pkts);
    assert_eq!(pool.avail(), 8);
}

#[test]
fn headroom_append_prepend() {
    let pool = Pool::new(4).unwrap();
    let mut p = pool.alloc().unwrap();
    assert_eq!(p.headroom(), 256);
    assert!(p.is_empty());
    p.append(4).unwrap().copy_from_slice(b"data");
    p.prepend(2).unwrap().copy_from_slice(b"hd");
    assert_eq!(p.data(), b"hddata");
    assert_eq!(p.headroom(), 254);
    assert!(p.prepend(255).is_err(), "more than the headroom is refused");
    assert_eq!(p.data(), b"hddata", "a refused prepend changes nothing");
    p.adj(2).unwrap();
    p.trim(1).unwrap();
    assert_eq!(p.data(), b"dat");
    assert_eq!(p.tailroom(), 2048 - 256 - 3);
}

#[test]
fn bad_pool_config_is_named() {
    let mut c = PoolConfig::new(16);
    c.buf_size = 3000;
    let e = Pool::with_config(&c)
        .err()
        .expect("a buffer size not a power of two");
    assert_eq!(e.errno, 22);
    assert!(
        e.message.contains("buf_size"),
        "message names the field: {e}"
    );
}

#[test]
fn clone_keeps_data_until_last_drop() {
    let pool = Pool::new(2).unwrap();
    let mut p = pool.packet_from(b"shared").unwrap();
    let c = p.try_clone();
    assert!(p.is_shared() && c.is_shared());
    assert!(p.data_mut().is_none(), "a shared buffer cannot be changed");
    assert!(p.append(1).is_err());
    drop(p);
    assert_eq!(pool.avail(), 1, "the clone still holds the buffer");
    assert_eq!(c.data(), b"shared");
    drop(c);
    assert_eq!(pool.avail(), 2);
}

#[test]
fn paired_ring_ports_move_packets_in_order() {
    let pool = Pool::new(256).unwrap();
    let mut a = Port::open(&PortConfig::new("ring", "rs-a", &pool)).unwrap();
    let mut b = Port::open(&PortConfig::new("ring", "rs-b", &pool).option("peer=rs-a")).unwrap();
    let info = b.info().unwrap();
    assert_eq!(info.driver, "ring");
    assert_eq!(info.dev, "rs-b");
    assert_eq!(b.nqueues(), 1);
    let mut out: Vec<Packet> = (0..100u8)
        .map(|i| pool.packet_from(&[i; 60]).unwrap())
        .collect();
    let mut sent = 0;
    while !out.is_empty() {
        sent += a.tx_burst(0, &mut out);
    }
    assert_eq!(sent, 100);
    let mut got = Vec::new();
    while got.len() < 100 {
        assert!(b.rx_burst(0, &mut got, 32) > 0, "everything a sent arrives");
    }
    for (i, p) in got.iter().enumerate() {
        assert_eq!(p.data(), &[i as u8; 60][..]);
        assert_eq!(p.port(), Some(info.id));
    }
    assert_eq!(a.stats(0).unwrap().tx_packets, 100);
    assert_eq!(b.stats_total().unwrap().rx_packets, 100);
    assert_eq!(b.stats_total().unwrap().rx_bytes, 6000);
    drop(got);
    drop(b);
    drop(a);
    assert_eq!(pool.avail(), 256);
}

#[test]
fn inject_and_drain() {
    let pool = Pool::new(32).unwrap();
    let mut p = Port::open(&PortConfig::new("ring", "rs-solo", &pool)).unwrap();
    let mut v = vec![
        pool.packet_from(b"x").unwrap(),
        pool.packet_from(b"").unwrap(),
    ];
    assert_eq!(p.ring_inject(0, &mut v).unwrap(), 2);
    let mut rx = Vec::new();
    assert_eq!(p.rx_burst(0, &mut rx, 8), 1, "the empty frame is dropped");
    assert_eq!(p.stats(0).unwrap().rx_runts, 1);
    assert_eq!(p.tx_burst(0, &mut rx), 1);
    let mut tx = Vec::new();
    assert_eq!(p.ring_drain(0, &mut tx, 8), 1);
    assert_eq!(tx[0].data(), b"x");
}

#[test]
fn bad_port_input_is_named() {
    let pool = Pool::new(8).unwrap();
    let e = Port::open(&PortConfig::new("afxdp", "x", &pool))
        .err()
        .unwrap();
    assert!(e.message.contains("afxdp"), "names the driver: {e}");
    let e = Port::open(&PortConfig::new("ring", "rs-bad", &pool).option("peer=nobody"))
        .err()
        .unwrap();
    assert!(e.message.contains("peer=nobody"), "names the option: {e}");
    assert_eq!(pool.avail(), 8);
}

#[test]
fn config_errors_name_the_field() {
    let e = Config::from_json(r#"{"ports":[{"driver":"afxdp","dev":"x"}]}"#)
        .err()
        .unwrap();
    assert!(e.message.contains("ports[0].driver"), "{e}");
    let e = Config::from_json("{not json").err().unwrap();
    assert_eq!(e.errno, 22, "{e}");
}

#[test]
fn app_workers_echo_through_a_ring_pair() {
    // the test's port, opened first; the app's port pairs with it
    let pool = Pool::new(128).unwrap();
    let mut ext = Port::open(&PortConfig::new("ring", "rs-ext", &pool)).unwrap();
    let cfg = Config::from_json(
        r#"{"pools":[{"name":"p","count":512}],
            "ports":[{"name":"app","driver":"ring","dev":"rs-app",
                      "options":{"peer":"rs-ext"}}],
            "threads":[{"name":"w0","ports":[{"port":"app","queue":0}]}]}"#,
    )
    .unwrap();
    let seen = Arc::new(AtomicU64::new(0));
    let s2 = seen.clone();
    let mut app = App::open(&cfg, move |b| {
        s2.fetch_add(b.packets.len() as u64, Ordering::Relaxed);
        for p in b.packets.iter_mut() {
            p.data_mut().unwrap()[0] ^= 0xff;
        }
        b.send_back();
    })
    .unwrap();
    assert_eq!(app.port_names(), vec!["app".to_string()]);
    app.start().unwrap();
    let mut out: Vec<Packet> = (0..50u8)
        .map(|i| pool.packet_from(&[i, 1, 2]).unwrap())
        .collect();
    while !out.is_empty() {
        ext.tx_burst(0, &mut out);
    }
    let mut back = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while back.len() < 50 && Instant::now() < deadline {
        if ext.rx_burst(0, &mut back, 64) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    assert_eq!(back.len(), 50, "every packet came back through the worker");
    for (i, p) in back.iter().enumerate() {
        assert_eq!(p.data(), &[i as u8 ^ 0xff, 1, 2][..]);
    }
    app.stop().unwrap();
    assert_eq!(app.panics(), 0);
    assert_eq!(seen.load(Ordering::Relaxed), 50);
    assert_eq!(app.port_stats("app").unwrap().rx_packets, 50);
    assert!(app.port_stats("nope").is_err());
    drop(back);
    drop(app);
    drop(ext);
    assert_eq!(pool.avail(), 128);
}
