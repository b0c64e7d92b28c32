use std::fmt;
use std::ptr::NonNull;

use crate::error::{Error, Result};
use crate::ffi;

/// One packet: it owns a reference to a libpktio buffer and gives it back
/// to its pool when dropped.  `#[repr(transparent)]` so that a
/// `Vec<Packet>` is an array of `struct pktio_buf *` the C bursts take.
#[repr(transparent)]
pub struct Packet(NonNull<ffi::pktio_buf>);

// SAFETY: a buffer may be freed from any thread (the pool's per-thread
// caches and its locked stack), and a Packet is its one owner.
unsafe impl Send for Packet {}

impl Packet {
    pub(crate) fn from_raw(b: NonNull<ffi::pktio_buf>) -> Packet {
        Packet(b)
    }

    fn buf(&self) -> &ffi::pktio_buf {
        // SAFETY: we hold a reference, so the buffer is alive.
        unsafe { self.0.as_ref() }
    }

    /// The packet's bytes.
    pub fn data(&self) -> &[u8] {
        let b = self.buf();
        // SAFETY: frame + data_off .. + len lies inside the buffer's frame.
        unsafe { std::slice::from_raw_parts(b.frame.add(b.data_off as usize), b.len as usize) }
    }

    /// The packet's bytes to change, or None while the buffer is shared
    /// (after [`Packet::try_clone`]: the other reference sees the data).
    pub fn data_mut(&mut self) -> Option<&mut [u8]> {
        if self.is_shared() {
            return None;
        }
        let b = self.buf();
        // SAFETY: as in data(), and this is the buffer's only reference.
        Some(unsafe {
            std::slice::from_raw_parts_mut(b.frame.add(b.data_off as usize), b.len as usize)
        })
    }

    pub fn len(&self) -> usize {
        self.buf().len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn headroom(&self) -> usize {
        self.buf().data_off as usize
    }

    pub fn tailroom(&self) -> usize {
        let b = self.buf();
        (b.buf_size - b.data_off - b.len) as usize
    }

    /// The port id the packet arrived on, if it arrived.
    pub fn port(&self) -> Option<u16> {
        let p = self.buf().port;
        (p != ffi::PKTIO_PORT_NONE).then_some(p)
    }

    pub fn queue(&self) -> u16 {
        self.buf().queue
    }

    pub fn is_shared(&self) -> bool {
        // SAFETY: refcnt is read atomically, as pktio_buf_refcnt() does.
        let rc = unsafe {
            let p = std::ptr::addr_of!((*self.0.as_ptr()).refcnt);
            (*(p as *const std::sync::atomic::AtomicU32)).load(std::sync::atomic::Ordering::Acquire)
        };
        rc > 1
    }

    fn region<'a>(&'a mut self, p: *mut std::ffi::c_void, n: usize) -> Result<&'a mut [u8]> {
        if p.is_null() {
            return Err(Error::last_os());
        }
        // SAFETY: the library returned n bytes inside this buffer.
        Ok(unsafe { std::slice::from_raw_parts_mut(p as *mut u8, n) })
    }

    /// `n` bytes more at the end, to fill.
    pub fn append(&mut self, n: usize) -> Result<&mut [u8]> {
        let n32 = u32::try_from(n).map_err(|_| Error::new(28, "append: too long"))?;
        // SAFETY: we own a reference to a live buffer.
        let p = unsafe { ffi::pktio_buf_append(self.0.as_ptr(), n32) };
        self.region(p, n)
    }

    /// `n` bytes more in front (taken from the headroom), to fill.
    pub fn prepend(&mut self, n: usize) -> Result<&mut [u8]> {
        let n32 = u32::try_from(n).map_err(|_| Error::new(28, "prepend: too long"))?;
        // SAFETY: as above.
        let p = unsafe { ffi::pktio_buf_prepend(self.0.as_ptr(), n32) };
        self.region(p, n)
    }

    /// Removes `n` bytes at the start.
    pub fn adj(&mut self, n: usize) -> Result<()> {
        let n32 = u32::try_from(n).map_err(|_| Error::new(22, "adj: too long"))?;
        // SAFETY: as above.
        let p = unsafe { ffi::pktio_buf_adj(self.0.as_ptr(), n32) };
        if p.is_null() {
            return Err(Error::last_os());
        }
        Ok(())
    }

    /// Removes `n` bytes at the end.
    pub fn trim(&mut self, n: usize) -> Result<()> {
        let n32 = u32::try_from(n).map_err(|_| Error::new(22, "trim: too long"))?;
        // SAFETY: as above.
        let ret = unsafe { ffi::pktio_buf_trim(self.0.as_ptr(), n32) };
        if ret < 0 {
            return Err(Error::from_ret(ret));
        }
        Ok(())
    }

    /// A second reference to the same buffer: the data goes back to the
    /// pool when the last one is dropped, and neither can change it
    /// meanwhile.
    pub fn try_clone(&self) -> Packet {
        // SAFETY: we hold a reference, so the buffer is alive.
        let b = unsafe { ffi::pktio_buf_clone(self.0.as_ptr()) };
        Packet(NonNull::new(b).expect("pktio_buf_clone returns its argument"))
    }
}

impl Drop for Packet {
    fn drop(&mut self) {
        // SAFETY: we own one reference; this gives it back.
        unsafe { ffi::pktio_buf_free(self.0.as_ptr()) }
    }
}

impl fmt::Debug for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Packet")
            .field("len", &self.len())
            .field("port", &self.port())
            .field("queue", &self.queue())
            .finish()
    }
}
