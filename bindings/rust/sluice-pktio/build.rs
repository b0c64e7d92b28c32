//! Links libsluice-pktio.  Where it is, in this order:
//!   1. SLUICE_PKTIO_LIB_DIR (a directory holding libsluice-pktio.so);
//!   2. `pkg-config --libs sluice-pktio` (PKG_CONFIG_PATH=<build> for a
//!      tree that was built but not installed);
//!   3. the tree this crate sits in: ../../../build.
//! The library is linked shared, with an rpath to its directory, so
//! `cargo test` and the examples run without LD_LIBRARY_PATH.  Cargo gives
//! a link argument to this package's own targets only: an application's
//! build script reads the directory from DEP_SLUICE_PKTIO_LIB_DIR (the
//! `links` key) and sets its own rpath (docs/pktio.md, "The Rust binding").
use std::env;
use std::path::PathBuf;
use std::process::Command;

fn from_pkg_config() -> Option<Vec<String>> {
    let out = Command::new("pkg-config")
        .args(["--libs", "sluice-pktio"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let dirs: Vec<String> = text
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("-L").map(str::to_string))
        .collect();
    Some(dirs)
}

fn main() {
    println!("cargo:rerun-if-env-changed=SLUICE_PKTIO_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let dirs: Vec<String> = if let Ok(d) = env::var("SLUICE_PKTIO_LIB_DIR") {
        vec![d]
    } else if let Some(d) = from_pkg_config() {
        d
    } else {
        let tree = manifest.join("../../../build");
        vec![tree.to_string_lossy().into_owned()]
    };
    for d in &dirs {
        println!("cargo:rustc-link-search=native={d}");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{d}");
    }
    if let Some(d) = dirs.first() {
        println!("cargo:lib_dir={d}");
    }
    println!("cargo:rustc-link-lib=dylib=sluice-pktio");
}
