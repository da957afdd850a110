//! What is known of a ccTLD without asking anyone: its country (the ISO 3166 name of its code)
//! and the regional organisation it belongs with — the table the demo roster is made from
//! (`assets/demo/roster.csv`, whose contacts are invented and not read here). IANA whois
//! records carry no region and sometimes no address: an import fills them from here.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::domain::region::Region;
use crate::domain::tld::TldCode;

const TABLE: &str = include_str!("../../../assets/demo/roster.csv");

/// code → (country, region).
static BY_CODE: LazyLock<HashMap<TldCode, (String, Option<Region>)>> = LazyLock::new(|| {
    let mut reader = ::csv::Reader::from_reader(TABLE.as_bytes());
    let headers = reader.headers().cloned().unwrap_or_default();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(tld), Some(country), Some(region)) =
        (column("tld"), column("country"), column("region"))
    else {
        return HashMap::new();
    };
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            let code = TldCode::parse(r.get(tld)?).ok()?;
            let region = Region::parse_optional(r.get(region)?).ok()?;
            Some((code, (r.get(country)?.to_string(), region)))
        })
        .collect()
});

/// The country of `code` (`Netherlands` for `.nl`), when the table knows the code.
pub fn country_of(code: &TldCode) -> Option<&'static str> {
    BY_CODE.get(code).map(|(c, _)| c.as_str())
}

/// The regional organisation of `code` (`CENTR` for `.nl`); `None` when the table does not
/// know the code or it belongs with none.
pub fn region_of(code: &TldCode) -> Option<Region> {
    BY_CODE.get(code).and_then(|(_, r)| *r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cctld_of_the_table_has_a_country_and_most_a_region() {
        let code = |c: &str| TldCode::parse(c).unwrap();
        assert_eq!(country_of(&code("nl")), Some("Netherlands"));
        assert_eq!(region_of(&code("nl")), Some(Region::Centr));
        assert_eq!(region_of(&code("br")), Some(Region::Lactld));
        assert_eq!(region_of(&code("рф")), region_of(&code("ru")));
        assert_eq!(
            region_of(&code("us")),
            None,
            "with no regional organisation"
        );
        assert_eq!(country_of(&code("zz")), None);
        assert!(BY_CODE.len() > 300, "{}", BY_CODE.len());
    }
}
