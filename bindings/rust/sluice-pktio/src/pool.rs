use std::ffi::CString;
use std::ptr::{self, NonNull};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::ffi;
use crate::packet::Packet;

/// How to make a pool; the defaults are libpktio's (2048-byte buffers,
/// 256 bytes of headroom, 64 buffers cached per thread).
#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub name: Option<String>,
    pub count: u32,
    pub buf_size: u32,
    pub headroom: u32,
    pub cache_size: u32,
}

impl PoolConfig {
    pub fn new(count: u32) -> PoolConfig {
        // SAFETY: pktio_pool_cfg_init only writes the struct it is given.
        let c = unsafe {
            let mut c: ffi::pktio_pool_cfg = std::mem::zeroed();
            ffi::pktio_pool_cfg_init(&mut c, count);
            c
        };
        PoolConfig {
            name: None,
            count: c.count,
            buf_size: c.buf_size,
            headroom: c.headroom,
            cache_size: c.cache_size,
        }
    }
}

/// A pool's counters.
pub type PoolStats = ffi::pktio_pool_stats;

pub(crate) struct PoolInner {
    pub(crate) ptr: NonNull<ffi::pktio_pool>,
}

// SAFETY: a pool is shared by threads by design: allocation and free go
// through per-thread caches and a locked shared stack.
unsafe impl Send for PoolInner {}
unsafe impl Sync for PoolInner {}

impl Drop for PoolInner {
    fn drop(&mut self) {
        // SAFETY: the last handle is going away.  With buffers still out
        // (packets alive, or held by a port that outlived every handle)
        // the library refuses with EBUSY and frees nothing: the memory is
        // then leaked, never freed under a live packet.
        unsafe {
            ffi::pktio_pool_destroy(self.ptr.as_ptr());
        }
    }
}

/// A pool of packet buffers (for AF_XDP, the UMEM).  Cloning a `Pool`
/// gives another handle to the same pool.
#[derive(Clone)]
pub struct Pool {
    pub(crate) inner: Arc<PoolInner>,
}

impl Pool {
    /// A pool of `count` buffers with the default sizes.
    pub fn new(count: u32) -> Result<Pool> {
        Pool::with_config(&PoolConfig::new(count))
    }

    pub fn with_config(cfg: &PoolConfig) -> Result<Pool> {
        let name = match &cfg.name {
            Some(n) => Some(
                CString::new(n.as_str()).map_err(|_| Error::new(22, "pool name: contains NUL"))?,
            ),
            None => None,
        };
        let c = ffi::pktio_pool_cfg {
            name: name.as_ref().map_or(ptr::null(), |n| n.as_ptr()),
            count: cfg.count,
            buf_size: cfg.buf_size,
            headroom: cfg.headroom,
            cache_size: cfg.cache_size,
        };
        let mut out = ptr::null_mut();
        // SAFETY: c and the name it points to live across the call.
        let ret = unsafe { ffi::pktio_pool_create(&c, &mut out) };
        if ret < 0 {
            return Err(Error::from_ret(ret));
        }
        let ptr = NonNull::new(out).ok_or_else(|| Error::new(12, "pool: NULL"))?;
        Ok(Pool {
            inner: Arc::new(PoolInner { ptr }),
        })
    }

    pub(crate) fn as_ptr(&self) -> *mut ffi::pktio_pool {
        self.inner.ptr.as_ptr()
    }

    /// One empty buffer (data at the headroom).
    pub fn alloc(&self) -> Result<Packet> {
        // SAFETY: the pool is alive (self).
        let b = unsafe { ffi::pktio_buf_alloc(self.as_ptr()) };
        NonNull::new(b)
            .map(Packet::from_raw)
            .ok_or_else(Error::last_os)
    }

    /// A buffer holding a copy of `data`.
    pub fn packet_from(&self, data: &[u8]) -> Result<Packet> {
        let mut p = self.alloc()?;
        p.append(data.len())?.copy_from_slice(data);
        Ok(p)
    }

    /// Buffers in the pool now (every thread's cache included).
    pub fn avail(&self) -> u32 {
        // SAFETY: the pool is alive.
        unsafe { ffi::pktio_pool_avail(self.as_ptr()) }
    }

    pub fn count(&self) -> u32 {
        // SAFETY: the pool is alive.
        unsafe { ffi::pktio_pool_count(self.as_ptr()) }
    }

    pub fn stats(&self) -> PoolStats {
        let mut s = PoolStats::default();
        // SAFETY: the pool is alive; s is a plain struct.
        unsafe { ffi::pktio_pool_stats(self.as_ptr(), &mut s) };
        s
    }
}
