//! A result table: printed to the terminal, and written between markers in docs/reliability.md.

/// One family of trials, its figures, and whether it met its bar.
#[derive(Debug, Clone)]
pub struct Table {
    /// The marker name in docs/reliability.md (`<!-- BEGIN trials:NAME -->`).
    pub name: &'static str,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Problems that make the run fail (a partial import, an undetected mutation, a panic...).
    pub failures: Vec<String>,
    /// A line under the table: command, seed, machine.
    pub note: String,
}

impl Table {
    pub fn new(name: &'static str, header: &[&str]) -> Self {
        Table {
            name,
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
            failures: Vec::new(),
            note: String::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn fail(&mut self, problem: impl Into<String>) {
        self.failures.push(problem.into());
    }

    /// GitHub-flavoured Markdown, as the docs show it.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("| {} |\n", self.header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(self.header.len())));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        if !self.note.is_empty() {
            out.push('\n');
            out.push_str(&self.note);
            out.push('\n');
        }
        if !self.failures.is_empty() {
            out.push_str("\nFailures:\n");
            for f in &self.failures {
                out.push_str(&format!("- {f}\n"));
            }
        }
        out
    }
}

/// Replaces the text between `<!-- BEGIN trials:NAME -->` and `<!-- END trials:NAME -->` with
/// the table; a document without the markers gets nothing (and an error, so it is noticed).
pub fn rewrite(doc: &str, table: &Table) -> Result<String, String> {
    let begin = format!("<!-- BEGIN trials:{} -->", table.name);
    let end = format!("<!-- END trials:{} -->", table.name);
    let start = doc
        .find(&begin)
        .ok_or_else(|| format!("no {begin} marker"))?
        + begin.len();
    let stop = doc[start..]
        .find(&end)
        .ok_or_else(|| format!("no {end} marker"))?
        + start;
    Ok(format!(
        "{}\n{}{}",
        &doc[..start],
        table.markdown(),
        &doc[stop..]
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rewrites_only_between_its_markers() {
        let mut t = Table::new("crash", &["a", "b"]);
        t.row(vec!["1".into(), "x|y".into()]);
        let doc = "intro\n<!-- BEGIN trials:crash -->\nold\n<!-- END trials:crash -->\nafter\n";
        let new = rewrite(doc, &t).unwrap();
        assert_eq!(
            new,
            "intro\n<!-- BEGIN trials:crash -->\n| a | b |\n|---|---|\n| 1 | x\\|y |\n<!-- END trials:crash -->\nafter\n"
        );
        assert!(rewrite("no markers", &t).is_err());
    }
}
