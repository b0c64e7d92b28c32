//! The C API of libpktio, declared by hand (include/sluice/pktio/*.h).
//! Everything here is unsafe to use; the safe types are in the other
//! modules.  The structs mirror the C layouts field by field: tests
//! (tests/ring.rs) go through every field the binding reads.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_uint, c_void};

pub const PKTIO_DEV_MAX: usize = 64;
pub const PKTIO_MODE_MAX: usize = 48;
pub const PKTIO_PORT_NONE: u16 = 0xffff;

#[repr(C)]
pub struct pktio_pool {
    _opaque: [u8; 0],
}

#[repr(C)]
pub struct pktio_port {
    _opaque: [u8; 0],
}

#[repr(C)]
pub struct pktio_config {
    _opaque: [u8; 0],
}

#[repr(C)]
pub struct pktio_app {
    _opaque: [u8; 0],
}

#[repr(C)]
pub struct pktio_worker {
    _opaque: [u8; 0],
}

/// struct pktio_buf: public in C so that its accessors inline.
#[repr(C, align(64))]
pub struct pktio_buf {
    pub pool: *mut pktio_pool,
    pub frame: *mut u8,
    pub idx: u32,
    pub buf_size: u32,
    pub data_off: u32,
    pub len: u32,
    pub port: u16,
    pub queue: u16,
    pub ol_flags: u32,
    pub rx_hash: u32,
    pub refcnt: u32,
    pub udata: u64,
}

#[repr(C)]
pub struct pktio_pool_cfg {
    pub name: *const c_char,
    pub count: u32,
    pub buf_size: u32,
    pub headroom: u32,
    pub cache_size: u32,
}

#[repr(C)]
#[derive(Default, Clone, Copy, Debug)]
pub struct pktio_pool_stats {
    pub total: u64,
    pub avail: u64,
    pub in_use: u64,
    pub copies: u64,
    pub alloc_fails: u64,
}

#[repr(C)]
pub struct pktio_port_cfg {
    pub name: *const c_char,
    pub driver: *const c_char,
    pub dev: *const c_char,
    pub nqueues: u16,
    pub pool: *mut pktio_pool,
    pub queue_pools: *const *mut pktio_pool,
    pub options: *const *const c_char,
    pub n_options: c_uint,
}

#[repr(C)]
pub struct pktio_queue_info {
    pub flags: u32,
    pub mode: [c_char; PKTIO_MODE_MAX],
}

#[repr(C)]
pub struct pktio_port_info {
    pub name: [c_char; PKTIO_DEV_MAX],
    pub driver: [c_char; 16],
    pub dev: [c_char; PKTIO_DEV_MAX],
    pub id: u16,
    pub nqueues: u16,
    pub ifindex: c_int,
    pub mtu: u32,
    pub mac: [u8; 6],
    pub link_up: bool,
}

#[repr(C)]
#[derive(Default, Clone, Copy, Debug)]
pub struct pktio_port_stats {
    pub rx_packets: u64,
    pub rx_bytes: u64,
    pub rx_drops: u64,
    pub rx_errors: u64,
    pub rx_runts: u64,
    pub rx_oversize: u64,
    pub tx_packets: u64,
    pub tx_bytes: u64,
    pub tx_drops: u64,
    pub tx_errors: u64,
    pub wakeups: u64,
    pub fill_empty: u64,
    pub copies: u64,
}

pub type pktio_burst_fn = unsafe extern "C" fn(
    w: *mut pktio_worker,
    port: *mut pktio_port,
    q: u16,
    bufs: *mut *mut pktio_buf,
    n: u16,
    ctx: *mut c_void,
);

extern "C" {
    pub fn pktio_last_error() -> *const c_char;

    pub fn pktio_pool_cfg_init(cfg: *mut pktio_pool_cfg, count: u32);
    pub fn pktio_pool_create(cfg: *const pktio_pool_cfg, out: *mut *mut pktio_pool) -> c_int;
    pub fn pktio_pool_destroy(pool: *mut pktio_pool) -> c_int;
    pub fn pktio_pool_avail(pool: *mut pktio_pool) -> u32;
    pub fn pktio_pool_count(pool: *const pktio_pool) -> u32;
    pub fn pktio_pool_stats(pool: *mut pktio_pool, s: *mut pktio_pool_stats);

    pub fn pktio_buf_alloc(pool: *mut pktio_pool) -> *mut pktio_buf;
    pub fn pktio_buf_free(b: *mut pktio_buf);
    pub fn pktio_buf_free_bulk(bufs: *mut *mut pktio_buf, n: c_uint);
    pub fn pktio_buf_clone(b: *mut pktio_buf) -> *mut pktio_buf;
    pub fn pktio_buf_prepend(b: *mut pktio_buf, n: u32) -> *mut c_void;
    pub fn pktio_buf_adj(b: *mut pktio_buf, n: u32) -> *mut c_void;
    pub fn pktio_buf_append(b: *mut pktio_buf, n: u32) -> *mut c_void;
    pub fn pktio_buf_trim(b: *mut pktio_buf, n: u32) -> c_int;
    pub fn pktio_buf_set_len(b: *mut pktio_buf, len: u32) -> c_int;

    pub fn pktio_port_open(cfg: *const pktio_port_cfg, out: *mut *mut pktio_port) -> c_int;
    pub fn pktio_port_close(port: *mut pktio_port) -> c_int;
    pub fn pktio_rx_burst(port: *mut pktio_port, q: u16, bufs: *mut *mut pktio_buf, n: u16) -> u16;
    pub fn pktio_tx_burst(port: *mut pktio_port, q: u16, bufs: *mut *mut pktio_buf, n: u16) -> u16;
    pub fn pktio_port_info(port: *mut pktio_port, info: *mut pktio_port_info) -> c_int;
    pub fn pktio_queue_info(port: *mut pktio_port, q: u16, info: *mut pktio_queue_info) -> c_int;
    pub fn pktio_port_stats(port: *mut pktio_port, q: u16, s: *mut pktio_port_stats) -> c_int;
    pub fn pktio_port_stats_total(port: *mut pktio_port, s: *mut pktio_port_stats) -> c_int;
    pub fn pktio_port_nqueues(port: *const pktio_port) -> u16;

    pub fn pktio_config_parse(text: *const c_char, out: *mut *mut pktio_config) -> c_int;
    pub fn pktio_config_load(path: *const c_char, out: *mut *mut pktio_config) -> c_int;
    pub fn pktio_config_free(c: *mut pktio_config);
    pub fn pktio_app_open(
        c: *const pktio_config,
        f: pktio_burst_fn,
        ctx: *mut c_void,
        out: *mut *mut pktio_app,
    ) -> c_int;
    pub fn pktio_app_start(app: *mut pktio_app) -> c_int;
    pub fn pktio_app_stop(app: *mut pktio_app) -> c_int;
    pub fn pktio_app_close(app: *mut pktio_app) -> c_int;
    pub fn pktio_app_port(app: *const pktio_app, name: *const c_char) -> *mut pktio_port;
    pub fn pktio_app_nports(app: *const pktio_app) -> c_uint;
    pub fn pktio_app_port_at(app: *const pktio_app, i: c_uint) -> *mut pktio_port;
    pub fn pktio_port_name(port: *const pktio_port) -> *const c_char;

    pub fn pktio_ring_inject(
        port: *mut pktio_port,
        q: u16,
        bufs: *mut *mut pktio_buf,
        n: u16,
    ) -> u16;
    pub fn pktio_ring_drain(
        port: *mut pktio_port,
        q: u16,
        bufs: *mut *mut pktio_buf,
        n: u16,
    ) -> u16;
}
