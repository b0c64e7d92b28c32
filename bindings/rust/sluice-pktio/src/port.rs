use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::ptr::{self, NonNull};

use crate::error::{Error, Result};
use crate::ffi;
use crate::packet::Packet;
use crate::pool::Pool;

/// The largest burst one call moves (libpktio's PKTIO_BURST_MAX).
pub const BURST_MAX: usize = 256;

/// How to open a port: the driver, the device (an interface, or a ring or
/// memif name), queues, the pool its buffers come from, and the driver's
/// options as "key=value" strings (docs/pktio.md lists them per driver).
#[derive(Clone)]
pub struct PortConfig {
    pub name: Option<String>,
    pub driver: String,
    pub dev: String,
    pub queues: u16,
    pub options: Vec<String>,
    pub pool: Pool,
}

impl PortConfig {
    pub fn new(driver: &str, dev: &str, pool: &Pool) -> PortConfig {
        PortConfig {
            name: None,
            driver: driver.to_string(),
            dev: dev.to_string(),
            queues: 1,
            options: Vec::new(),
            pool: pool.clone(),
        }
    }

    pub fn queues(mut self, n: u16) -> PortConfig {
        self.queues = n;
        self
    }

    pub fn option(mut self, kv: &str) -> PortConfig {
        self.options.push(kv.to_string());
        self
    }

    pub fn name(mut self, name: &str) -> PortConfig {
        self.name = Some(name.to_string());
        self
    }
}

fn cstring(field: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::new(22, format!("{field}: '{s}' contains NUL")))
}

fn from_c(chars: &[c_char]) -> String {
    let bytes: Vec<u8> = chars
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// What a port is.
#[derive(Debug, Clone)]
pub struct PortInfo {
    pub name: String,
    pub driver: String,
    pub dev: String,
    pub id: u16,
    pub nqueues: u16,
    pub ifindex: i32,
    pub mtu: u32,
    pub mac: [u8; 6],
    pub link_up: bool,
}

/// How a queue runs: the PKTIO_QF_* flags and, for people, their words
/// ("zero-copy,drv,need_wakeup", "copy,...").
#[derive(Debug, Clone)]
pub struct QueueInfo {
    pub flags: u32,
    pub mode: String,
}

/// A port's or a queue's counters.
pub type PortStats = ffi::pktio_port_stats;

/// An open port.  One thread per queue: the methods take `&mut self`, so
/// a port moves between threads but is not shared; open one port per
/// thread or hand queues out through libpktio's workers (C API).
pub struct Port {
    ptr: NonNull<ffi::pktio_port>,
    // the pool outlives the port: its buffers are in the port's rings
    _pool: Pool,
}

// SAFETY: a port may be used from another thread than the one that
// opened it, by one thread at a time (&mut self).
unsafe impl Send for Port {}

impl Port {
    /// Opens a port; a bad driver, device or option is refused with the
    /// library's message naming it.
    pub fn open(cfg: &PortConfig) -> Result<Port> {
        let name = match &cfg.name {
            Some(n) => Some(cstring("name", n)?),
            None => None,
        };
        let driver = cstring("driver", &cfg.driver)?;
        let dev = cstring("dev", &cfg.dev)?;
        let opts = cfg
            .options
            .iter()
            .map(|o| cstring("options", o))
            .collect::<Result<Vec<CString>>>()?;
        let opt_ptrs: Vec<*const c_char> = opts.iter().map(|o| o.as_ptr()).collect();
        let c = ffi::pktio_port_cfg {
            name: name.as_ref().map_or(ptr::null(), |n| n.as_ptr()),
            driver: driver.as_ptr(),
            dev: dev.as_ptr(),
            nqueues: cfg.queues,
            pool: cfg.pool.as_ptr(),
            queue_pools: ptr::null(),
            options: if opt_ptrs.is_empty() {
                ptr::null()
            } else {
                opt_ptrs.as_ptr()
            },
            n_options: opt_ptrs.len() as u32,
        };
        let mut out = ptr::null_mut();
        // SAFETY: every string c points to lives across the call.
        let ret = unsafe { ffi::pktio_port_open(&c, &mut out) };
        if ret < 0 {
            return Err(Error::from_ret(ret));
        }
        let ptr = NonNull::new(out).ok_or_else(|| Error::new(12, "port: NULL"))?;
        Ok(Port {
            ptr,
            _pool: cfg.pool.clone(),
        })
    }

    fn raw(&self) -> *mut ffi::pktio_port {
        self.ptr.as_ptr()
    }

    /// Receives up to `max` packets on queue `q`, appended to `out`;
    /// returns how many.
    pub fn rx_burst(&mut self, q: u16, out: &mut Vec<Packet>, max: usize) -> usize {
        let max = max.min(BURST_MAX);
        out.reserve(max);
        let len = out.len();
        // SAFETY: out has room for max more elements; Packet is a
        // transparent pktio_buf pointer, and the library writes exactly
        // the count it returns, each a buffer we now own.
        unsafe {
            let dst = out.as_mut_ptr().add(len) as *mut *mut ffi::pktio_buf;
            let n = ffi::pktio_rx_burst(self.raw(), q, dst, max as u16) as usize;
            out.set_len(len + n);
            n
        }
    }

    /// Sends packets from the front of `pkts` on queue `q`: the ones sent
    /// leave the vector (the port owns them now), the rest stay, in order.
    pub fn tx_burst(&mut self, q: u16, pkts: &mut Vec<Packet>) -> usize {
        let n = pkts.len().min(BURST_MAX);
        if n == 0 {
            return 0;
        }
        // SAFETY: the first n elements are valid buffers we own; those
        // the library takes (the count it returns) must not be freed by
        // us, so they are forgotten when removed from the vector.
        unsafe {
            let src = pkts.as_mut_ptr() as *mut *mut ffi::pktio_buf;
            let sent = ffi::pktio_tx_burst(self.raw(), q, src, n as u16) as usize;
            for p in pkts.drain(..sent) {
                std::mem::forget(p);
            }
            sent
        }
    }

    /// Sends one packet; gives it back when the queue is full.
    pub fn tx_one(&mut self, q: u16, pkt: Packet) -> std::result::Result<(), Packet> {
        let mut v = vec![pkt];
        if self.tx_burst(q, &mut v) == 1 {
            Ok(())
        } else {
            Err(v.pop().expect("unsent packet"))
        }
    }

    pub fn info(&self) -> Result<PortInfo> {
        // SAFETY: info is a plain struct the library fills.
        unsafe {
            let mut i: ffi::pktio_port_info = std::mem::zeroed();
            let ret = ffi::pktio_port_info(self.raw(), &mut i);
            if ret < 0 {
                return Err(Error::from_ret(ret));
            }
            Ok(PortInfo {
                name: from_c(&i.name),
                driver: from_c(&i.driver),
                dev: from_c(&i.dev),
                id: i.id,
                nqueues: i.nqueues,
                ifindex: i.ifindex,
                mtu: i.mtu,
                mac: i.mac,
                link_up: i.link_up,
            })
        }
    }

    pub fn queue_info(&self, q: u16) -> Result<QueueInfo> {
        // SAFETY: as in info().
        unsafe {
            let mut i: ffi::pktio_queue_info = std::mem::zeroed();
            let ret = ffi::pktio_queue_info(self.raw(), q, &mut i);
            if ret < 0 {
                return Err(Error::from_ret(ret));
            }
            Ok(QueueInfo {
                flags: i.flags,
                mode: CStr::from_ptr(i.mode.as_ptr())
                    .to_string_lossy()
                    .into_owned(),
            })
        }
    }

    pub fn nqueues(&self) -> u16 {
        // SAFETY: the port is open.
        unsafe { ffi::pktio_port_nqueues(self.raw()) }
    }

    /// Queue `q`'s counters.
    pub fn stats(&self, q: u16) -> Result<PortStats> {
        let mut s = PortStats::default();
        // SAFETY: s is a plain struct the library fills.
        let ret = unsafe { ffi::pktio_port_stats(self.raw(), q, &mut s) };
        if ret < 0 {
            return Err(Error::from_ret(ret));
        }
        Ok(s)
    }

    /// Every queue's counters added up.
    pub fn stats_total(&self) -> Result<PortStats> {
        let mut s = PortStats::default();
        // SAFETY: as in stats().
        let ret = unsafe { ffi::pktio_port_stats_total(self.raw(), &mut s) };
        if ret < 0 {
            return Err(Error::from_ret(ret));
        }
        Ok(s)
    }

    /// Ring ports only (tests): packets put on queue `q`'s rx side as if
    /// they had arrived.  Those not taken (the ring was full) are given
    /// back in `pkts`.
    pub fn ring_inject(&mut self, q: u16, pkts: &mut Vec<Packet>) -> Result<usize> {
        let n = pkts.len().min(BURST_MAX);
        // SAFETY: as in tx_burst().
        unsafe {
            let src = pkts.as_mut_ptr() as *mut *mut ffi::pktio_buf;
            let taken = ffi::pktio_ring_inject(self.raw(), q, src, n as u16) as usize;
            if taken == 0 && n > 0 {
                let e = Error::last_os();
                if e.errno == 22 {
                    return Err(e);
                }
            }
            for p in pkts.drain(..taken) {
                std::mem::forget(p);
            }
            Ok(taken)
        }
    }

    /// Ring ports only (tests): what the port sent on queue `q`.
    pub fn ring_drain(&mut self, q: u16, out: &mut Vec<Packet>, max: usize) -> usize {
        let max = max.min(BURST_MAX);
        out.reserve(max);
        let len = out.len();
        // SAFETY: as in rx_burst().
        unsafe {
            let dst = out.as_mut_ptr().add(len) as *mut *mut ffi::pktio_buf;
            let n = ffi::pktio_ring_drain(self.raw(), q, dst, max as u16) as usize;
            out.set_len(len + n);
            n
        }
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        // SAFETY: the port is open and this is its one owner; closing
        // gives every buffer the port held back to the pool, which the
        // port's Pool handle keeps alive until after this.
        // A worker that still owned a queue would make it -EBUSY (the
        // port stays open); the binding's workers end before their ports.
        unsafe {
            ffi::pktio_port_close(self.raw());
        }
    }
}
