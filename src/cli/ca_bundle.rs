//! `--ssl-extra-ca-certs`: CAs trusted besides the system's. libcurl takes one CA file
//! (`CURLOPT_CAINFO`) that replaces its default, so the run gets a file of its own with the
//! system bundle followed by the extra certificates, as Node's `NODE_EXTRA_CA_CERTS` adds to
//! its roots.

use super::CliError;
use std::path::PathBuf;

/// Where distributions keep the system's CA bundle (after `SSL_CERT_FILE`, OpenSSL's override).
const SYSTEM_BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The combined bundle; the file is removed when this is dropped.
pub(super) struct CaBundle(PathBuf);

impl CaBundle {
    pub(super) fn with_extra(extra: &str) -> Result<CaBundle, CliError> {
        let certs = std::fs::read(extra)
            .map_err(|e| CliError::Input(format!("--ssl-extra-ca-certs `{extra}`: {e}")))?;
        if !certs
            .windows(27)
            .any(|w| w == b"-----BEGIN CERTIFICATE-----")
        {
            return Err(CliError::Input(format!(
                "--ssl-extra-ca-certs `{extra}` holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
            )));
        }
        let system = std::env::var_os("SSL_CERT_FILE")
            .map(PathBuf::from)
            .into_iter()
            .chain(SYSTEM_BUNDLES.iter().map(PathBuf::from))
            .find_map(|p| std::fs::read(p).ok())
            .unwrap_or_default();
        let mut bundle = system;
        if !bundle.is_empty() && !bundle.ends_with(b"\n") {
            bundle.push(b'\n');
        }
        bundle.extend_from_slice(&certs);
        // A new file only this user can read or write, with a name no one can guess: another
        // local user must not be able to put their own CA in it, or a symlink in its place.
        let mut suffix = [0u8; 8];
        getrandom::getrandom(&mut suffix)
            .map_err(|e| CliError::Input(format!("cannot name the CA bundle: {e}")))?;
        let path = std::env::temp_dir().join(format!(
            "vayu-ca-{}-{}.pem",
            std::process::id(),
            hex::encode(suffix)
        ));
        let written = {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .and_then(|mut f| f.write_all(&bundle))
        };
        written.map_err(|e| {
            CliError::Input(format!(
                "cannot write the CA bundle `{}`: {e}",
                path.display()
            ))
        })?;
        Ok(CaBundle(path))
    }

    pub(super) fn path(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

impl Drop for CaBundle {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
