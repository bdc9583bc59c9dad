//! Easy-handle options the `curl` crate does not offer.

use curl::easy::Easy2;
use std::ffi::CString;
use std::os::raw::c_long;

const CURLOPT_FOLLOWLOCATION: curl_sys::CURLoption = curl_sys::CURLOPTTYPE_LONG + 52;
const CURLOPT_TLS13_CIPHERS: curl_sys::CURLoption = curl_sys::CURLOPTTYPE_OBJECTPOINT + 276;
/// `CURLFOLLOW_OBEYCODE` (libcurl 8.13): follow redirects and change the method as the status
/// code says (GET after 301/302/303 unless `CURLOPT_POSTREDIR` keeps a POST), a custom method
/// (`PUT`, `DELETE`) included. Plain `CURLFOLLOW_ALL` keeps a custom method on every hop.
const CURLFOLLOW_OBEYCODE: c_long = 2;

fn check(code: curl_sys::CURLcode) -> Result<(), curl::Error> {
    if code == curl_sys::CURLE_OK {
        Ok(())
    } else {
        Err(curl::Error::new(code))
    }
}

/// Follows redirects as browsers and Postman do: the method becomes GET after 301, 302 and 303
/// (HEAD stays HEAD), whatever method was set.
pub fn follow_location_obeying_code<H>(easy: &mut Easy2<H>) -> Result<(), curl::Error> {
    // SAFETY: `easy.raw()` is a live easy handle; the option takes a `long` by value.
    check(unsafe {
        curl_sys::curl_easy_setopt(easy.raw(), CURLOPT_FOLLOWLOCATION, CURLFOLLOW_OBEYCODE)
    })
}

/// The TLS 1.3 cipher suites to offer (`CURLOPT_TLS13_CIPHERS`, colon-separated).
pub fn set_tls13_ciphers<H>(easy: &mut Easy2<H>, ciphers: &str) -> Result<(), curl::Error> {
    let text = CString::new(ciphers)
        .map_err(|_| curl::Error::new(curl_sys::CURLE_BAD_FUNCTION_ARGUMENT))?;
    // SAFETY: `easy.raw()` is a live easy handle and `text` a NUL-terminated string that
    // libcurl copies before returning.
    check(unsafe { curl_sys::curl_easy_setopt(easy.raw(), CURLOPT_TLS13_CIPHERS, text.as_ptr()) })
}
