//! One framework's controls as a tree read from a catalog file, with the lookups reports need.

use std::collections::HashMap;

use serde::Deserialize;

use crate::CatalogError;

/// The `format` tag every catalog file carries, so a future layout change is detected rather
/// than misread.
pub const CATALOG_FORMAT: &str = "evidentia-catalog/1";

/// The shape of a catalog file; kept private so the file format and the API can evolve apart.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    format: String,
    id: String,
    title: String,
    version: String,
    publisher: String,
    source: String,
    licence: String,
    groups: Vec<NodeFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeFile {
    id: String,
    title: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    statement: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    children: Vec<NodeFile>,
}

/// One node of a catalog tree: a group (CSF function or category, ISO theme…) or, when it has
/// no children, a leaf control (CSF subcategory, OWASP risk, ISO control, SOC 2 criterion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    id: String,
    title: String,
    kind: Option<String>,
    statement: Option<String>,
    description: Option<String>,
    parent: Option<usize>,
    children: Vec<usize>,
}

impl Control {
    /// The identifier exactly as the framework writes it, e.g. `PR.AA-05` or `NHI1:2025`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The official title. CSF 2.0 subcategories have none, so NIST's data (and ours) uses the
    /// identifier as their title; show the statement beside it.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// What level of the framework this node is (`function`, `category`, `subcategory`, `risk`,
    /// `theme`, `control`, `series`, `criterion`…), when the catalog says.
    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    /// The official statement (verbatim), when the publisher's licence lets us carry it.
    pub fn statement(&self) -> Option<&str> {
        self.statement.as_deref()
    }

    /// A short description in our own words, not official text.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// True for leaf controls: the nodes checks map to and reports give a status.
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

/// A framework catalog: metadata plus a tree of [`Control`]s kept in document order.
#[derive(Debug, Clone)]
pub struct Catalog {
    id: String,
    title: String,
    version: String,
    publisher: String,
    source: String,
    licence: String,
    source_name: String,
    /// Every node in document (pre-)order; parents come before their children.
    controls: Vec<Control>,
    roots: Vec<usize>,
    index: HashMap<String, usize>,
}

impl Catalog {
    /// Reads a catalog file (format in `docs/frameworks.md`). `source_name` names the file in
    /// errors, e.g. its path.
    ///
    /// # Errors
    /// [`CatalogError::Syntax`] for malformed JSON or a wrong shape (with line and column),
    /// [`CatalogError::EmptyId`], [`CatalogError::DuplicateId`] and [`CatalogError::Invalid`]
    /// (with a JSON pointer) for content that breaks the format's rules.
    pub fn from_json(text: &str, source_name: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile =
            serde_json::from_str(text).map_err(|e| CatalogError::syntax(source_name, &e))?;
        if file.format != CATALOG_FORMAT {
            return Err(CatalogError::invalid(
                source_name,
                "/format",
                format!("expected {CATALOG_FORMAT:?}, found {:?}", file.format),
            ));
        }
        check_id(&file.id, source_name, "/id")?;
        for (field, value) in [
            ("title", &file.title),
            ("version", &file.version),
            ("publisher", &file.publisher),
            ("source", &file.source),
            ("licence", &file.licence),
        ] {
            check_text(value, source_name, &format!("/{field}"))?;
        }
        if file.groups.is_empty() {
            return Err(CatalogError::invalid(
                source_name,
                "/groups",
                "a catalog needs at least one group",
            ));
        }

        let mut builder = Builder {
            source_name,
            controls: Vec::new(),
            index: HashMap::new(),
            pointers: Vec::new(),
        };
        let mut roots = Vec::with_capacity(file.groups.len());
        for (i, node) in file.groups.into_iter().enumerate() {
            roots.push(builder.add(node, None, format!("/groups/{i}"))?);
        }
        Ok(Catalog {
            id: file.id,
            title: file.title,
            version: file.version,
            publisher: file.publisher,
            source: file.source,
            licence: file.licence,
            source_name: source_name.to_owned(),
            controls: builder.controls,
            roots,
            index: builder.index,
        })
    }

    /// The catalog's stable id, e.g. `nist-csf-2.0`; mappings refer to catalogs by it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The framework's full title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The framework version the catalog describes.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Who publishes the framework.
    pub fn publisher(&self) -> &str {
        &self.publisher
    }

    /// Where the catalog's content was taken from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The terms under which the content may be used, and what that means for what we carry.
    pub fn licence(&self) -> &str {
        &self.licence
    }

    /// The name the catalog was loaded under (a path, or `builtin:…` for embedded catalogs).
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// The node with this exact id (groups included), if any.
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.index.get(id).map(|&i| &self.controls[i])
    }

    /// Every node, groups included, in document order.
    pub fn controls(&self) -> impl Iterator<Item = &Control> {
        self.controls.iter()
    }

    /// The leaf controls in document order: what checks map to and reports list.
    pub fn leaves(&self) -> impl Iterator<Item = &Control> {
        self.controls.iter().filter(|c| c.is_leaf())
    }

    /// The top-level groups (CSF functions, ISO themes…), or the controls of a flat catalog.
    pub fn roots(&self) -> impl Iterator<Item = &Control> {
        self.roots.iter().map(|&i| &self.controls[i])
    }

    /// The direct children of a node of this catalog, in document order.
    pub fn children<'a>(&'a self, control: &'a Control) -> impl Iterator<Item = &'a Control> {
        control.children.iter().map(|&i| &self.controls[i])
    }

    /// The node directly above a node of this catalog.
    pub fn parent(&self, control: &Control) -> Option<&Control> {
        control.parent.map(|i| &self.controls[i])
    }

    /// The groups above a control, outermost first (for `PR.AA-05`: `PR`, then `PR.AA`);
    /// `None` when the id is unknown, empty for a top-level node.
    pub fn ancestors(&self, id: &str) -> Option<Vec<&Control>> {
        let mut at = self.control(id)?;
        let mut chain = Vec::new();
        while let Some(parent) = self.parent(at) {
            chain.push(parent);
            at = parent;
        }
        chain.reverse();
        Some(chain)
    }
}

/// Flattens the file's tree into document order while checking ids.
struct Builder<'s> {
    source_name: &'s str,
    controls: Vec<Control>,
    index: HashMap<String, usize>,
    /// JSON pointer of each control, to name the first occurrence of a duplicate.
    pointers: Vec<String>,
}

impl Builder<'_> {
    fn add(
        &mut self,
        node: NodeFile,
        parent: Option<usize>,
        pointer: String,
    ) -> Result<usize, CatalogError> {
        check_id(&node.id, self.source_name, &format!("{pointer}/id"))?;
        check_text(&node.title, self.source_name, &format!("{pointer}/title"))?;
        for (field, value) in [
            ("kind", &node.kind),
            ("statement", &node.statement),
            ("description", &node.description),
        ] {
            if let Some(value) = value {
                check_text(value, self.source_name, &format!("{pointer}/{field}"))?;
            }
        }
        if let Some(&first) = self.index.get(&node.id) {
            return Err(CatalogError::DuplicateId {
                source_name: self.source_name.to_owned(),
                id: node.id,
                pointer: format!("{pointer}/id"),
                first: format!("{}/id", self.pointers[first]),
            });
        }
        let at = self.controls.len();
        self.index.insert(node.id.clone(), at);
        self.pointers.push(pointer.clone());
        self.controls.push(Control {
            id: node.id,
            title: node.title,
            kind: node.kind,
            statement: node.statement,
            description: node.description,
            parent,
            children: Vec::new(),
        });
        let mut children = Vec::with_capacity(node.children.len());
        for (i, child) in node.children.into_iter().enumerate() {
            children.push(self.add(child, Some(at), format!("{pointer}/children/{i}"))?);
        }
        self.controls[at].children = children;
        Ok(at)
    }
}

/// Ids are compared exactly, so stray whitespace would make a control unreachable.
pub(crate) fn check_id(id: &str, source_name: &str, pointer: &str) -> Result<(), CatalogError> {
    if id.trim().is_empty() {
        return Err(CatalogError::EmptyId {
            source_name: source_name.to_owned(),
            pointer: pointer.to_owned(),
        });
    }
    if id.trim() != id {
        return Err(CatalogError::invalid(
            source_name,
            pointer,
            format!("id {id:?} has leading or trailing whitespace"),
        ));
    }
    Ok(())
}

fn check_text(text: &str, source_name: &str, pointer: &str) -> Result<(), CatalogError> {
    if text.trim().is_empty() {
        return Err(CatalogError::invalid(
            source_name,
            pointer,
            "must not be empty",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(groups: &str) -> Result<Catalog, CatalogError> {
        let text = format!(
            r#"{{"format":"evidentia-catalog/1","id":"t","title":"T","version":"1",
            "publisher":"P","source":"S","licence":"L","groups":{groups}}}"#
        );
        Catalog::from_json(&text, "t.json")
    }

    fn error(groups: &str) -> String {
        catalog(groups).unwrap_err().to_string()
    }

    #[test]
    fn tree_lookups_follow_document_order() {
        let c = catalog(
            r#"[{"id":"A","title":"Alpha","children":[
                  {"id":"A.1","title":"One","children":[{"id":"A.1-01","title":"A.1-01","statement":"s"}]},
                  {"id":"A.2","title":"Two"}]},
                {"id":"B","title":"Beta"}]"#,
        )
        .unwrap();
        let leaves: Vec<_> = c.leaves().map(Control::id).collect();
        assert_eq!(leaves, ["A.1-01", "A.2", "B"]);
        let all: Vec<_> = c.controls().map(Control::id).collect();
        assert_eq!(all, ["A", "A.1", "A.1-01", "A.2", "B"]);
        let up: Vec<_> = c
            .ancestors("A.1-01")
            .unwrap()
            .into_iter()
            .map(Control::id)
            .collect();
        assert_eq!(up, ["A", "A.1"]);
        assert!(c.ancestors("B").unwrap().is_empty());
        assert!(c.ancestors("nope").is_none());
        assert_eq!(c.control("A.1-01").unwrap().statement(), Some("s"));
        let a = c.control("A").unwrap();
        assert_eq!(
            c.children(a).map(Control::id).collect::<Vec<_>>(),
            ["A.1", "A.2"]
        );
        assert_eq!(c.roots().count(), 2);
    }

    #[test]
    fn rule_breaks_name_the_file_and_pointer() {
        let check = |groups: &str, expected: &str| assert_eq!(error(groups), expected);
        check(
            r#"[{"id":"A","title":"x","children":[{"id":" ","title":"y"}]}]"#,
            "t.json at /groups/0/children/0/id: empty id",
        );
        check(
            r#"[{"id":"A","title":"x"},{"id":"B","title":"y","children":[{"id":"A","title":"z"}]}]"#,
            r#"t.json at /groups/1/children/0/id: duplicate id "A" (first used at /groups/0/id)"#,
        );
        check(
            r#"[{"id":"A","title":""}]"#,
            "t.json at /groups/0/title: must not be empty",
        );
        check(
            r#"[{"id":"A ","title":"x"}]"#,
            r#"t.json at /groups/0/id: id "A " has leading or trailing whitespace"#,
        );
        check(
            "[]",
            "t.json at /groups: a catalog needs at least one group",
        );
    }

    #[test]
    fn shape_errors_carry_line_and_column() {
        let err = Catalog::from_json("{\n \"format\": 1\n}", "x.json").unwrap_err();
        assert!(matches!(err, CatalogError::Syntax { line: 2, .. }), "{err}");
        assert!(err.to_string().starts_with("x.json:2:"), "{err}");
        let err = error(r#"[{"id":"A","title":"x","colour":"red"}]"#);
        assert!(err.contains("unknown field `colour`"), "{err}");
        let err = Catalog::from_json(r#"{"format":"other/2"}"#, "y.json").unwrap_err();
        assert!(err.to_string().contains("missing field"), "{err}");
    }

    #[test]
    fn wrong_format_tag_is_rejected() {
        let text = r#"{"format":"evidentia-catalog/9","id":"t","title":"T","version":"1",
            "publisher":"P","source":"S","licence":"L","groups":[{"id":"A","title":"x"}]}"#;
        let err = Catalog::from_json(text, "z.json").unwrap_err().to_string();
        assert!(err.starts_with("z.json at /format: expected"), "{err}");
    }
}
