//! Why a policy file was refused, located by file, line and dotted key.

use std::fmt;

/// One thing wrong with a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the offending key or value.
    pub line: usize,
    /// Dotted key path as TOML would write it (`systems.aws.revocation_sla`).
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.line, self.message)
        } else {
            write!(f, "{}: {}: {}", self.line, self.key, self.message)
        }
    }
}

/// A policy that could not be loaded. Nothing of a refused policy is used: a half-understood
/// policy would produce findings nobody can trust.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The text is not TOML at all.
    #[error("{source_name}:{line}: {message}")]
    Syntax {
        source_name: String,
        line: usize,
        message: String,
    },
    /// The TOML parsed but breaks the policy format; every problem found is listed, in file
    /// order, so a generator or a person can fix them in one pass.
    #[error("{}", render(source_name, problems))]
    Invalid {
        source_name: String,
        problems: Vec<Problem>,
    },
}

impl PolicyError {
    /// Every problem with its line and key (a syntax error has one, without a key).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            PolicyError::Syntax { line, message, .. } => vec![Problem {
                line: *line,
                key: String::new(),
                message: message.clone(),
            }],
            PolicyError::Invalid { problems, .. } => problems.clone(),
        }
    }
}

fn render(source_name: &str, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{source_name}:{p}"))
        .collect::<Vec<_>>()
        .join("\n")
}
