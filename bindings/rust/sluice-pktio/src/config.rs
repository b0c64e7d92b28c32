use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::os::raw::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};
use crate::ffi;
use crate::packet::Packet;
use crate::port::{PortStats, BURST_MAX};

/// An application's config (pools, ports, threads) in libpktio's JSON
/// form (docs/pktio.md), parsed and validated: a bad field is refused
/// with the library's message naming its path and value.
pub struct Config {
    ptr: NonNull<ffi::pktio_config>,
}

// SAFETY: a config is plain data owned by this handle.
unsafe impl Send for Config {}

impl Config {
    pub fn from_json(text: &str) -> Result<Config> {
        let t = CString::new(text).map_err(|_| Error::new(22, "config: contains NUL"))?;
        let mut out = ptr::null_mut();
        // SAFETY: t lives across the call.
        let ret = unsafe { ffi::pktio_config_parse(t.as_ptr(), &mut out) };
        Config::wrap(ret, out)
    }

    pub fn load(path: &str) -> Result<Config> {
        let p = CString::new(path).map_err(|_| Error::new(22, "config path: contains NUL"))?;
        let mut out = ptr::null_mut();
        // SAFETY: p lives across the call.
        let ret = unsafe { ffi::pktio_config_load(p.as_ptr(), &mut out) };
        Config::wrap(ret, out)
    }

    fn wrap(ret: i32, out: *mut ffi::pktio_config) -> Result<Config> {
        if ret < 0 {
            return Err(Error::from_ret(ret));
        }
        let ptr = NonNull::new(out).ok_or_else(|| Error::new(12, "config: NULL"))?;
        Ok(Config { ptr })
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        // SAFETY: this handle owns the config.
        unsafe { ffi::pktio_config_free(self.ptr.as_ptr()) }
    }
}

/// One burst a worker received, handed to the application's handler.
/// Packets left in `packets` when the handler returns are freed.
pub struct Burst {
    port: *mut ffi::pktio_port,
    queue: u16,
    pub packets: Vec<Packet>,
}

impl Burst {
    /// The queue the burst came from.
    pub fn queue(&self) -> u16 {
        self.queue
    }

    /// The name of the port the burst came from.
    pub fn port_name(&self) -> String {
        // SAFETY: the port is open while its worker runs.
        unsafe {
            let p = ffi::pktio_port_name(self.port);
            if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        }
    }

    /// Sends the burst's packets back out of the port and queue they came
    /// in on; returns how many were taken (the others stay in `packets`).
    pub fn send_back(&mut self) -> usize {
        let n = self.packets.len().min(BURST_MAX);
        if n == 0 {
            return 0;
        }
        // SAFETY: as Port::tx_burst; this worker owns (port, queue).
        unsafe {
            let src = self.packets.as_mut_ptr() as *mut *mut ffi::pktio_buf;
            let sent = ffi::pktio_tx_burst(self.port, self.queue, src, n as u16) as usize;
            for p in self.packets.drain(..sent) {
                std::mem::forget(p);
            }
            sent
        }
    }
}

type Handler = Box<dyn Fn(&mut Burst) + Send + Sync>;

struct AppCtx {
    handler: Handler,
    panics: AtomicU64,
}

thread_local! {
    static SCRATCH: RefCell<Vec<Packet>> = RefCell::new(Vec::with_capacity(BURST_MAX));
}

unsafe extern "C" fn trampoline(
    _w: *mut ffi::pktio_worker,
    port: *mut ffi::pktio_port,
    q: u16,
    bufs: *mut *mut ffi::pktio_buf,
    n: u16,
    ctx: *mut c_void,
) {
    let app = &*(ctx as *const AppCtx);
    SCRATCH.with(|cell| {
        let mut v = cell.borrow_mut();
        v.clear();
        for i in 0..n as usize {
            if let Some(b) = NonNull::new(*bufs.add(i)) {
                v.push(Packet::from_raw(b));
            }
        }
        let mut burst = Burst {
            port,
            queue: q,
            packets: std::mem::take(&mut *v),
        };
        // a panic must not unwind into C: the burst is dropped instead
        if catch_unwind(AssertUnwindSafe(|| (app.handler)(&mut burst))).is_err() {
            app.panics.fetch_add(1, Ordering::Relaxed);
        }
        burst.packets.clear();
        *v = burst.packets;
    });
}

/// A config opened: its pools, ports and worker threads, each thread
/// handing its bursts to one handler.
pub struct App {
    ptr: NonNull<ffi::pktio_app>,
    ctx: Box<AppCtx>,
}

// SAFETY: the app is driven (start/stop/close) from one thread at a time.
unsafe impl Send for App {}

impl App {
    /// Opens everything the config names; the workers are not started.
    pub fn open<F>(cfg: &Config, handler: F) -> Result<App>
    where
        F: Fn(&mut Burst) + Send + Sync + 'static,
    {
        let ctx = Box::new(AppCtx {
            handler: Box::new(handler),
            panics: AtomicU64::new(0),
        });
        let mut out = ptr::null_mut();
        // SAFETY: ctx is boxed, so its address is stable for the app's
        // life; the trampoline only reads it.
        let ret = unsafe {
            ffi::pktio_app_open(
                cfg.ptr.as_ptr(),
                trampoline,
                &*ctx as *const AppCtx as *mut c_void,
                &mut out,
            )
        };
        if ret < 0 {
            return Err(Error::from_ret(ret));
        }
        let ptr = NonNull::new(out).ok_or_else(|| Error::new(12, "app: NULL"))?;
        Ok(App { ptr, ctx })
    }

    pub fn start(&mut self) -> Result<()> {
        // SAFETY: the app is open.
        let ret = unsafe { ffi::pktio_app_start(self.ptr.as_ptr()) };
        if ret < 0 {
            return Err(Error::from_ret(ret));
        }
        Ok(())
    }

    /// Stops and joins every worker.
    pub fn stop(&mut self) -> Result<()> {
        // SAFETY: the app is open.
        let ret = unsafe { ffi::pktio_app_stop(self.ptr.as_ptr()) };
        if ret < 0 {
            return Err(Error::from_ret(ret));
        }
        Ok(())
    }

    /// Handler calls that panicked (their bursts were dropped).
    pub fn panics(&self) -> u64 {
        self.ctx.panics.load(Ordering::Relaxed)
    }

    /// The names of the app's ports, in config order.
    pub fn port_names(&self) -> Vec<String> {
        // SAFETY: the app is open; port names are NUL-terminated.
        unsafe {
            let n = ffi::pktio_app_nports(self.ptr.as_ptr());
            (0..n)
                .filter_map(|i| {
                    let p = ffi::pktio_app_port_at(self.ptr.as_ptr(), i);
                    if p.is_null() {
                        return None;
                    }
                    let name = ffi::pktio_port_name(p);
                    (!name.is_null()).then(|| CStr::from_ptr(name).to_string_lossy().into_owned())
                })
                .collect()
        }
    }

    /// A port's counters, every queue added up.
    pub fn port_stats(&self, name: &str) -> Result<PortStats> {
        let n = CString::new(name).map_err(|_| Error::new(22, "port: contains NUL"))?;
        let mut s = PortStats::default();
        // SAFETY: the app is open; s is a plain struct.
        unsafe {
            let p = ffi::pktio_app_port(self.ptr.as_ptr(), n.as_ptr());
            if p.is_null() {
                return Err(Error::new(2, format!("port: '{name}' is not in the app")));
            }
            let ret = ffi::pktio_port_stats_total(p, &mut s);
            if ret < 0 {
                return Err(Error::from_ret(ret));
            }
        }
        Ok(s)
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // SAFETY: stops the workers (so the handler is no longer called),
        // then closes ports and pools; ctx is dropped after this.
        unsafe {
            ffi::pktio_app_close(self.ptr.as_ptr());
        }
    }
}
