//! YAML documents (OpenAPI is often written in YAML) read into JSON values, merge keys (`<<`)
//! applied, with alias expansion bounded: an alias stands for its anchor's whole node, so a
//! small document can stand for terabytes ("billion laughs"), and the parser expands it.

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde_json::Value;
use std::cell::Cell;

/// Bytes a document may stand for with its aliases expanded: far above any real API
/// description (GitHub's, 1,223 operations, is 13 MB as JSON).
const MAX_EXPANDED: usize = 64 * 1024 * 1024;

/// `text` as a JSON value; a document whose aliases expand past `MAX_EXPANDED` is refused
/// before it is built.
pub(super) fn parse_yaml(text: &str) -> Result<Value, String> {
    let budget = Cell::new(MAX_EXPANDED);
    Budget(&budget)
        .deserialize(serde_norway::Deserializer::from_str(text))
        .map_err(|e| e.to_string())?;
    let mut yaml: serde_norway::Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    yaml.apply_merge().map_err(|e| e.to_string())?;
    serde_json::to_value(yaml).map_err(|e| e.to_string())
}

/// Walks a document as it expands, building nothing, charging each value's bytes.
#[derive(Clone, Copy)]
struct Budget<'a>(&'a Cell<usize>);

impl Budget<'_> {
    fn spend<E: de::Error>(self, bytes: usize) -> Result<(), E> {
        let left = self.0.get();
        if bytes > left {
            return Err(E::custom(format!(
                "the document's aliases expand past {} MiB; write it without repeating large anchors",
                MAX_EXPANDED / (1024 * 1024)
            )));
        }
        self.0.set(left - bytes);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Budget<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Budget<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.spend(8)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.spend(8)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.spend(8)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.spend(8)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.spend(v.len() + 2)
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.spend(v.len() + 2)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.spend(4)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.spend(4)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {
            self.spend(1)?;
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
    /// A tagged value (`!Tag value`).
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        let ((), variant) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_that_expand_past_the_budget_are_refused_and_others_read() {
        let anchor = "x".repeat(1024 * 1024);
        let mut text = format!("a: &a \"{anchor}\"\nb:\n");
        for _ in 0..100 {
            text.push_str("  - *a\n");
        }
        let error = parse_yaml(&text).unwrap_err();
        assert!(error.contains("aliases expand past 64 MiB"), "{error}");
        let small = "base: &b {x: 1}\nthis:\n  <<: *b\n  y: !Tag 2\nlist: [*b, *b]\n";
        let doc = parse_yaml(small).unwrap();
        assert_eq!(doc["this"]["x"], 1);
        assert_eq!(doc["list"][1]["x"], 1);
    }
}
