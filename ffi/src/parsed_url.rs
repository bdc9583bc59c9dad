//! libcurl's parsed URL handle (`CURLU`), handed to easy handles with `CURLOPT_CURLU`.
//!
//! Given `CURLOPT_URL`, libcurl parses the URL string again on every transfer (6% of the
//! instructions per request in the closed-model profile). Given a `CURLU`, it copies the
//! parsed parts instead.

use curl::easy::Easy2;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_uint};
use std::ptr::NonNull;

#[repr(C)]
struct Curlu {
    _private: [u8; 0],
}

extern "C" {
    fn curl_url() -> *mut Curlu;
    fn curl_url_cleanup(handle: *mut Curlu);
    fn curl_url_set(
        handle: *mut Curlu,
        part: c_int,
        content: *const c_char,
        flags: c_uint,
    ) -> c_int;
}

const CURLUPART_URL: c_int = 0;
/// The flags libcurl itself parses `CURLOPT_URL` with.
const CURLU_NON_SUPPORT_SCHEME: c_uint = 1 << 3;
const CURLU_GUESS_SCHEME: c_uint = 1 << 9;
/// Keeps `.` and `..` path segments as written: Postman sends them so, and a server may route on
/// them (libcurl's `--path-as-is`).
const CURLU_PATH_AS_IS: c_uint = 1 << 4;
const CURLOPT_CURLU: curl_sys::CURLoption = curl_sys::CURLOPTTYPE_OBJECTPOINT + 282;

/// A URL parsed by libcurl. Owns its `CURLU`.
pub struct ParsedUrl(NonNull<Curlu>);

// SAFETY: a CURLU is plain data with no thread affinity; libcurl only reads it through an easy
// handle, and `&mut`/ownership rules keep it from being changed while shared.
unsafe impl Send for ParsedUrl {}

impl ParsedUrl {
    /// Parses `url` as `CURLOPT_URL` would; `CURLE_URL_MALFORMAT` if libcurl rejects it.
    pub fn parse(url: &str) -> Result<ParsedUrl, curl::Error> {
        let malformed = || curl::Error::new(curl_sys::CURLE_URL_MALFORMAT);
        let text = CString::new(url).map_err(|_| malformed())?;
        // SAFETY: curl_url has no preconditions; it returns a new handle or null.
        let handle = NonNull::new(unsafe { curl_url() })
            .ok_or_else(|| curl::Error::new(curl_sys::CURLE_OUT_OF_MEMORY))?;
        let parsed = ParsedUrl(handle);
        // SAFETY: the handle is live and `text` is a NUL-terminated string libcurl copies.
        let code = unsafe {
            curl_url_set(
                parsed.0.as_ptr(),
                CURLUPART_URL,
                text.as_ptr(),
                CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME | CURLU_PATH_AS_IS,
            )
        };
        if code == 0 {
            Ok(parsed)
        } else {
            Err(malformed())
        }
    }
}

impl std::fmt::Debug for ParsedUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ParsedUrl")
    }
}

impl Drop for ParsedUrl {
    fn drop(&mut self) {
        // SAFETY: we own the handle, and no easy handle reads it any more: it leaves the
        // table (`with_table`) only after its easy handle was pointed at another URL.
        unsafe { curl_url_cleanup(self.0.as_ptr()) }
    }
}

/// The URL each easy handle of this thread was last given, by the handle's address. A
/// `ParsedUrl` leaves the table only when a handle at that address is given another one, after
/// libcurl was pointed at it: a handle never reads a freed `CURLU`, whatever safe code does with
/// it (drops it, moves it to another thread, swaps its handler). Per thread, so a worker's
/// request path takes no lock; the table is never freed (leaked when its thread ends), because a
/// handle may outlive the thread that gave it its URL. It holds one URL per handle address.
fn with_table<R>(f: impl FnOnce(&mut HashMap<usize, ParsedUrl>) -> R) -> R {
    thread_local! {
        static IN_USE: &'static RefCell<HashMap<usize, ParsedUrl>> =
            Box::leak(Box::new(RefCell::new(HashMap::new())));
    }
    IN_USE.with(|table| f(&mut table.borrow_mut()))
}

/// Makes `easy` use `url` for its transfers (`CURLOPT_CURLU`); the URL is kept for as long as
/// `easy` may read it (see [`with_table`]).
pub fn set_url<H>(easy: &mut Easy2<H>, url: ParsedUrl) -> Result<(), curl::Error> {
    // SAFETY: `easy.raw()` is a live easy handle; libcurl stores the pointer, which stays valid:
    // `url` moves into this thread's table and leaves it only when a handle at this address is
    // pointed at another URL (below, after the setopt).
    let code = unsafe { curl_sys::curl_easy_setopt(easy.raw(), CURLOPT_CURLU, url.0.as_ptr()) };
    if code != curl_sys::CURLE_OK {
        return Err(curl::Error::new(code));
    }
    let previous = with_table(|table| table.insert(easy.raw() as usize, url));
    // The URL the handle read before, freed now that it reads the new one (outside the borrow).
    drop(previous);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_curl_accepts_and_refuses_the_rest() {
        assert!(ParsedUrl::parse("http://127.0.0.1:8080/a?b=c").is_ok());
        assert!(ParsedUrl::parse("http://[::1]/").is_ok());
        let err = ParsedUrl::parse("http://exa mple.com/").unwrap_err();
        assert!(err.is_url_malformed(), "{err}");
        assert!(ParsedUrl::parse("http://a\0b/").is_err());
    }

    struct Sink;

    impl curl::easy::Handler for Sink {}

    #[test]
    fn a_handle_keeps_the_url_it_reads_until_it_is_given_another() {
        let mut easy = Easy2::new(Sink);
        let key = easy.raw() as usize;
        set_url(&mut easy, ParsedUrl::parse("http://127.0.0.1:1/a").unwrap()).unwrap();
        let first = with_table(|t| t.get(&key).map(|u| u.0));
        set_url(&mut easy, ParsedUrl::parse("http://127.0.0.1:1/b").unwrap()).unwrap();
        let second = with_table(|t| t.get(&key).map(|u| u.0));
        assert!(first.is_some() && second.is_some() && first != second);
        // Dropped, the handle leaves its URL in the table: nothing it could read is freed.
        drop(easy);
        assert!(with_table(|t| t.contains_key(&key)));
    }

    extern "C" {
        fn curl_url_get(
            handle: *mut Curlu,
            part: c_int,
            content: *mut *mut c_char,
            flags: c_uint,
        ) -> c_int;
        fn curl_free(p: *mut std::ffi::c_void);
    }

    /// The URL libcurl will request, read back from the parsed handle.
    fn written(url: &ParsedUrl) -> String {
        let mut out: *mut c_char = std::ptr::null_mut();
        // SAFETY: the handle is live; libcurl writes a string it allocated, freed below.
        let code = unsafe { curl_url_get(url.0.as_ptr(), CURLUPART_URL, &mut out, 0) };
        assert_eq!(code, 0);
        // SAFETY: on success `out` is a NUL-terminated string from libcurl.
        let text = unsafe { std::ffi::CStr::from_ptr(out) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: `out` came from libcurl and is freed once.
        unsafe { curl_free(out.cast()) };
        text
    }

    #[test]
    fn dot_segments_stay_as_written() {
        let url = ParsedUrl::parse("http://h/a/./b/../c?q=%2a").unwrap();
        assert_eq!(written(&url), "http://h/a/./b/../c?q=%2a");
    }
}
