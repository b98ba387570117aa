//! Finding a key that a JSON object repeats. JSON parsers (serde_json among them) keep the last
//! of two equal keys, so a file giving `hidden_size` twice, or listing a tensor twice, would be
//! read as something other than what half of it says; this walk finds the repetition first.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// The first key repeated within one object of the JSON document `json`, as the path of keys
/// from the top (the repeated key last; arrays are looked into but add nothing to the path).
/// `None` when every object's keys are distinct, and also when `json` is not valid JSON: the
/// caller's parser reports that.
///
/// ```
/// let path = tinyrnn_schema::duplicate_key(r#"{"a": 1, "t": {"x": 1, "x": 2}}"#);
/// assert_eq!(path, Some(vec!["t".to_string(), "x".to_string()]));
/// assert_eq!(tinyrnn_schema::duplicate_key(r#"{"a": [{"x": 1}, {"x": 2}]}"#), None);
/// ```
pub fn duplicate_key(json: &str) -> Option<Vec<String>> {
    let mut found = None;
    let mut path = Vec::new();
    let mut parser = serde_json::Deserializer::from_str(json);
    // The walk stops with an error at the first repetition; any other error is not ours.
    let _ = Walk {
        path: &mut path,
        found: &mut found,
    }
    .deserialize(&mut parser);
    found
}

/// One value of the document, at `path`.
struct Walk<'a> {
    path: &'a mut Vec<String>,
    found: &'a mut Option<Vec<String>>,
}

impl Walk<'_> {
    fn nested(&mut self) -> Walk<'_> {
        Walk {
            path: self.path,
            found: self.found,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                let mut path = self.path.clone();
                path.push(key);
                *self.found = Some(path);
                return Err(de::Error::custom("repeated key"));
            }
            self.path.push(key.clone());
            map.next_value_seed(self.nested())?;
            self.path.pop();
            seen.insert(key);
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self.nested())?.is_some() {}
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::duplicate_key;

    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        let at = |json: &str| duplicate_key(json).map(|p| p.join("."));
        assert_eq!(at(r#"{"a":1,"b":2,"a":3}"#).as_deref(), Some("a"));
        assert_eq!(at(r#"{"m":{"k":"1","k":"2"}}"#).as_deref(), Some("m.k"));
        assert_eq!(at(r#"[{"x":[{"y":1,"y":1}]}]"#).as_deref(), Some("x.y"));
        assert_eq!(at(r#"{"a":{"b":1},"c":{"b":1}}"#), None);
        assert_eq!(at("not json"), None);
        assert_eq!(at(&"[".repeat(100_000)), None); // too deep: serde_json's limit, no crash
    }
}
