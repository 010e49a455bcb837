//! Stable STIX ids: UUIDv5 of havenwatch's own ids, so the same entity, finding or claim gets the
//! same STIX id in every export and a partner's store updates it instead of adding a copy.

use uuid::Uuid;

/// havenwatch's UUIDv5 namespace (itself a UUIDv5 of its name in the URL namespace).
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://havenwatch.invalid/stix")
}

/// `<type>--<uuid5(type:key)>`.
pub fn stix_id(object_type: &str, key: &str) -> String {
    let uuid = Uuid::new_v5(&namespace(), format!("{object_type}:{key}").as_bytes());
    format!("{object_type}--{uuid}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_v5_and_distinct() {
        let a = stix_id("threat-actor", "un:QDe.132");
        assert_eq!(a, stix_id("threat-actor", "un:QDe.132"));
        assert_ne!(a, stix_id("threat-actor", "un:QDe.133"));
        assert_ne!(a, stix_id("identity", "un:QDe.132"));
        let uuid = a.strip_prefix("threat-actor--").unwrap();
        assert_eq!(Uuid::parse_str(uuid).unwrap().get_version_num(), 5);
    }
}
