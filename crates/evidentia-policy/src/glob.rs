//! The two small pattern languages of a policy: entitlement globs and account patterns.
//!
//! Both match ignoring case, because the same entitlement or login is spelt with different
//! case by different exports (Okta groups, Entra UPNs, GitHub logins), and a policy that
//! silently missed `admin` because it said `Admin` would under-report privileged access.

use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Lit(String),
    /// `*`: any run of characters, possibly empty.
    Star,
    /// `{alias}`: a non-empty run without `/`, captured for lookup.
    Alias,
}

/// An entitlement or account name with optional `*` wildcards (`Admin*`, `*:root`).
///
/// ```
/// use evidentia_policy::Glob;
/// assert!(Glob::new("Admin*").matches("AdministratorAccess"));
/// assert!(Glob::new("admin*").matches("AdminRole"));
/// assert!(!Glob::new("Admin*").matches("ReadOnlyAdmin"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    tokens: Vec<Token>,
}

impl Glob {
    /// Compiles a glob; every character but `*` is literal.
    pub fn new(text: &str) -> Glob {
        Glob {
            text: text.to_owned(),
            tokens: tokenize(text, false),
        }
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the glob has no wildcard and so names exactly one entitlement.
    pub fn is_exact(&self) -> bool {
        !self.tokens.contains(&Token::Star)
    }

    /// Whether `candidate` matches, ignoring case.
    pub fn matches(&self, candidate: &str) -> bool {
        let mut found = Vec::new();
        walk(
            &self.tokens,
            &candidate.to_lowercase(),
            None,
            &mut found,
            true,
        );
        !found.is_empty()
    }
}

impl Serialize for Glob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// A per-system account shape with one `{alias}` placeholder, such as
/// `arn:aws:iam::*:user/{alias}` or `{alias}@*`; the captured text is looked up among the
/// identities' aliases, emails and ids.
///
/// ```
/// use evidentia_policy::AccountPattern;
/// let p = AccountPattern::new("{alias}@*").unwrap();
/// assert_eq!(p.captures("alice@bastion-01"), vec!["alice".to_owned()]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPattern {
    text: String,
    tokens: Vec<Token>,
}

impl AccountPattern {
    /// Compiles a pattern; it must hold `{alias}` exactly once.
    pub fn new(text: &str) -> Result<AccountPattern, String> {
        let tokens = tokenize(text, true);
        let aliases = tokens.iter().filter(|t| **t == Token::Alias).count();
        if aliases != 1 {
            return Err(format!(
                "{text:?} must contain {{alias}} exactly once (found {aliases})"
            ));
        }
        Ok(AccountPattern {
            text: text.to_owned(),
            tokens,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Every text `{alias}` can stand for in `account`, lower-cased, sorted, without
    /// duplicates; empty when the account does not have this shape. Several captures are
    /// possible (`a@b@c` against `{alias}@*`), and all are tried so that no reading of the
    /// pattern hides an ambiguity.
    pub fn captures(&self, account: &str) -> Vec<String> {
        let mut found = Vec::new();
        walk(
            &self.tokens,
            &account.to_lowercase(),
            None,
            &mut found,
            false,
        );
        found.sort();
        found.dedup();
        found
    }
}

impl Serialize for AccountPattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

fn tokenize(text: &str, with_alias: bool) -> Vec<Token> {
    let lower = text.to_lowercase();
    let mut tokens = Vec::new();
    let mut lit = String::new();
    let mut rest = lower.as_str();
    while let Some(c) = rest.chars().next() {
        if c == '*' {
            flush(&mut lit, &mut tokens);
            // `**` means the same as `*`; collapsing keeps matching linear in practice.
            if tokens.last() != Some(&Token::Star) {
                tokens.push(Token::Star);
            }
            rest = &rest[1..];
        } else if with_alias && rest.starts_with("{alias}") {
            flush(&mut lit, &mut tokens);
            tokens.push(Token::Alias);
            rest = &rest["{alias}".len()..];
        } else {
            lit.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    flush(&mut lit, &mut tokens);
    tokens
}

fn flush(lit: &mut String, tokens: &mut Vec<Token>) {
    if !lit.is_empty() {
        tokens.push(Token::Lit(std::mem::take(lit)));
    }
}

/// Backtracking match that records the `{alias}` capture of every complete match; with
/// `first_only` it stops at the first (globs only need a yes or no).
fn walk(
    tokens: &[Token],
    input: &str,
    capture: Option<&str>,
    found: &mut Vec<String>,
    first_only: bool,
) {
    if first_only && !found.is_empty() {
        return;
    }
    let Some((token, rest_tokens)) = tokens.split_first() else {
        if input.is_empty() {
            found.push(capture.unwrap_or_default().to_owned());
        }
        return;
    };
    match token {
        Token::Lit(lit) => {
            if let Some(rest) = input.strip_prefix(lit.as_str()) {
                walk(rest_tokens, rest, capture, found, first_only);
            }
        }
        Token::Star => {
            for (at, _) in input
                .char_indices()
                .chain(std::iter::once((input.len(), ' ')))
            {
                walk(rest_tokens, &input[at..], capture, found, first_only);
            }
        }
        Token::Alias => {
            let limit = input.find('/').unwrap_or(input.len());
            for (at, c) in input[..limit].char_indices() {
                let end = at + c.len_utf8();
                walk(
                    rest_tokens,
                    &input[end..],
                    Some(&input[..end]),
                    found,
                    first_only,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let cases: &[(&str, &str, bool)] = &[
            ("ReadOnly", "ReadOnly", true),
            ("ReadOnly", "readonly", true),
            ("ReadOnly", "ReadOnlyAccess", false),
            ("Admin*", "Admin", true),
            ("Admin*", "AdministratorAccess", true),
            ("*Admin*", "OrgAdminRole", true),
            ("*Admin", "OrgAdminRole", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("*", "", true),
            ("", "", true),
            ("", "x", false),
            ("{alias}", "{alias}", true),
        ];
        for (glob, candidate, expected) in cases {
            assert_eq!(
                Glob::new(glob).matches(candidate),
                *expected,
                "{glob:?} vs {candidate:?}"
            );
        }
    }

    #[test]
    fn account_patterns() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "arn:aws:iam::*:user/{alias}",
                "arn:aws:iam::123456789012:user/alice",
                &["alice"],
            ),
            (
                "arn:aws:iam::*:user/{alias}",
                "arn:aws:iam::123456789012:user/path/alice",
                &[],
            ),
            (
                "arn:aws:iam::*:user/*/{alias}",
                "arn:aws:iam::123456789012:user/path/alice",
                &["alice"],
            ),
            (
                "arn:aws:iam::*:user/*/{alias}",
                "arn:aws:iam::1:user/a/b/alice",
                &["alice"],
            ),
            (
                "arn:aws:iam::*:user/{alias}",
                "ARN:AWS:IAM::1:USER/Alice",
                &["alice"],
            ),
            ("{alias}@*", "alice@bastion-01", &["alice"]),
            ("{alias}@*", "alice", &[]),
            ("{alias}@*", "a@b@c", &["a", "a@b"]),
            (
                "system:serviceaccount:{alias}",
                "system:serviceaccount:payments:api",
                &["payments:api"],
            ),
            ("{alias}", "", &[]),
        ];
        for (pattern, account, expected) in cases {
            let p = AccountPattern::new(pattern).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(p.captures(account), *expected, "{pattern:?} vs {account:?}");
        }
    }

    #[test]
    fn account_pattern_needs_one_alias() {
        assert!(AccountPattern::new("arn:aws:iam::*:user/*").is_err());
        assert!(AccountPattern::new("{alias}/{alias}").is_err());
    }
}
