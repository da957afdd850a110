//! The mail templates in use: the bundled ones (`assets/templates/`), each replaceable by a
//! file of the same name in the `templates/` folder next to the config file.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::ConfigError;
use crate::domain::template::{Kind, Template, bundled};

#[derive(Clone, Debug)]
pub struct Templates {
    by_kind: BTreeMap<Kind, Template>,
}

impl Templates {
    /// The bundled templates only.
    pub fn bundled() -> Templates {
        let by_kind = Kind::ALL
            .into_iter()
            .map(|k| {
                (
                    k,
                    Template::parse(k, bundled(k)).expect("bundled templates are tested"),
                )
            })
            .collect();
        Templates { by_kind }
    }

    /// The bundled templates, overridden by `dir/<kind>.txt` where such a file exists. A bad
    /// override is an error naming the file, so no mail is ever sent from it.
    pub fn load(dir: &Path) -> Result<Templates, ConfigError> {
        let mut t = Templates::bundled();
        for kind in Kind::ALL {
            let file = dir.join(format!("{}.txt", kind.name()));
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(ConfigError::plain(format!(
                        "template {}: {e}",
                        file.display()
                    )));
                }
            };
            let template = Template::parse(kind, &text)
                .map_err(|e| ConfigError::plain(format!("template {}: {e}", file.display())))?;
            t.by_kind.insert(kind, template);
        }
        Ok(t)
    }

    pub fn get(&self, kind: Kind) -> &Template {
        &self.by_kind[&kind]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("rejection.txt"),
            "Subject: No\n\n{reason}\n",
        )
        .unwrap();
        let t = Templates::load(dir.path()).unwrap();
        let values = BTreeMap::from([("reason", "because".to_string())]);
        assert_eq!(t.get(Kind::Rejection).render(&values).unwrap().0, "No");
        std::fs::write(dir.path().join("welcome.txt"), "Subject: Hi {nmae}\n\nx\n").unwrap();
        let err = Templates::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("welcome.txt: unknown placeholder {nmae}"),
            "{err}"
        );
    }
}
