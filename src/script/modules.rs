//! The sandbox's JavaScript libraries (chai, lodash, crypto-js, moment, uuid, ajv, tv4, xml2js,
//! ...), bundled at build time from `js/package-lock.json` (see `build.rs`) and embedded here.
//! A runtime evaluates a library the first time a script asks for it, never before.

macro_rules! bundles {
    ($($name:literal),* $(,)?) => {
        /// The bundled source of a module by its bundle name; each evaluates to the module's exports.
        pub(crate) fn source(name: &str) -> Option<&'static str> {
            match name {
                $($name => Some(include_str!(concat!(env!("OUT_DIR"), "/js/", $name, ".js"))),)*
                _ => None,
            }
        }
    };
}

bundles!(
    "ajv",
    "atob",
    "btoa",
    "buffer",
    "chai",
    "chai-postman",
    "crypto-js",
    "faker",
    "iconv-lite",
    "lodash",
    "lodash3",
    "moment",
    "postman-collection",
    "postman-collection-transformer",
    "sugar",
    "sugar-names",
    "tough-cookie",
    "tv4",
    "uuid",
    "xml2js",
);

#[cfg(test)]
mod tests {
    #[test]
    fn every_bundle_is_embedded_and_unknown_names_are_not() {
        for name in ["chai", "lodash", "postman-collection", "xml2js"] {
            let source = super::source(name).unwrap_or_default();
            assert!(source.len() > 1000, "{name} is missing or empty");
        }
        assert!(super::source("fs").is_none());
    }
}
