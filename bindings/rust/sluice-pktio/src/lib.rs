//! A safe Rust binding of sluice's libpktio (docs/pktio.md).
//!
//! One packet I/O API whatever the backend: an application opens a
//! [`Port`] on a driver ("af_xdp", "af_packet", "tap", "tun", "memif" or
//! "ring"), receives [`Packet`]s in bursts and sends them back, without
//! copies where the driver allows it.  A `Packet` owns its buffer and gives
//! it back to its pool when it is dropped; nothing in the public API is
//! `unsafe`.
//!
//! ```no_run
//! use sluice_pktio::{Pool, Port, PortConfig};
//! let pool = Pool::new(4096).unwrap();
//! let mut port = Port::open(&PortConfig::new("af_packet", "veth0", &pool)).unwrap();
//! let mut burst = Vec::with_capacity(32);
//! port.rx_burst(0, &mut burst, 32);
//! port.tx_burst(0, &mut burst);
//! ```

mod config;
mod error;
pub mod ffi;
mod packet;
mod pool;
mod port;

pub use config::{App, Burst, Config};
pub use error::{Error, Result};
pub use packet::Packet;
pub use pool::{Pool, PoolConfig, PoolStats};
pub use port::{Port, PortConfig, PortInfo, PortStats, QueueInfo};
