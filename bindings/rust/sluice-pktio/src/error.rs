use std::ffi::CStr;
use std::fmt;

/// What a libpktio call refused: the errno it returned and the message the
/// library gave (which names the field or option and value at fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub errno: i32,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// From a negative errno and the library's last message.
    pub(crate) fn from_ret(ret: i32) -> Error {
        let errno = ret.checked_neg().unwrap_or(libc_einval());
        Error {
            errno,
            message: last_error(),
        }
    }

    pub(crate) fn new(errno: i32, message: impl Into<String>) -> Error {
        Error {
            errno,
            message: message.into(),
        }
    }

    /// From errno after a call that returned NULL.
    pub(crate) fn last_os() -> Error {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        Error {
            errno,
            message: last_error(),
        }
    }
}

const fn libc_einval() -> i32 {
    22
}

pub(crate) fn last_error() -> String {
    // SAFETY: the library returns NULL or a NUL-terminated string that
    // stays valid until the calling thread's next failing call.
    unsafe {
        let p = crate::ffi::pktio_last_error();
        if p.is_null() {
            String::new()
        } else {
            CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let os = std::io::Error::from_raw_os_error(self.errno);
        if self.message.is_empty() {
            write!(f, "{os}")
        } else {
            write!(f, "{} ({os})", self.message)
        }
    }
}

impl std::error::Error for Error {}
