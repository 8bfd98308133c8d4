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
    ///
    /// Literal runs between stars are matched leftmost-first, which is exact for `*`-only
    /// globs and linear in the candidate, so hostile account or entitlement names from an
    /// imported log cannot make matching backtrack exponentially.
    pub fn matches(&self, candidate: &str) -> bool {
        let candidate = candidate.to_lowercase();
        let mut rest = candidate.as_str();
        let Some((first, tail)) = self.tokens.split_first() else {
            return rest.is_empty();
        };
        let mut middle = tail;
        match first {
            Token::Lit(lit) => match rest.strip_prefix(lit.as_str()) {
                Some(after) => rest = after,
                None => return false,
            },
            _ => middle = &self.tokens[..],
        }
        if middle.is_empty() {
            return rest.is_empty();
        }
        // Past the first literal the tokens start with a star; a trailing literal must end
        // the candidate, and the literals between stars are found leftmost.
        let (last, inner) = match middle.split_last() {
            Some((Token::Lit(lit), inner)) => (Some(lit.as_str()), inner),
            _ => (None, middle),
        };
        for token in inner {
            if let Token::Lit(lit) = token {
                match rest.find(lit.as_str()) {
                    Some(at) => rest = &rest[at + lit.len()..],
                    None => return false,
                }
            }
        }
        last.is_none_or(|lit| rest.ends_with(lit))
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
        // The search backtracks; an account name from an imported log that is longer than
        // any real one (ARNs stop at 2048 bytes) is not worth the risk of a slow match.
        if account.len() > MAX_PATTERN_ACCOUNT_LEN {
            return Vec::new();
        }
        let mut found = Vec::new();
        walk(&self.tokens, &account.to_lowercase(), None, &mut found);
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

/// Longest account an [`AccountPattern`] is tried against, in bytes.
pub const MAX_PATTERN_ACCOUNT_LEN: usize = 2048;

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

/// Backtracking match that records the `{alias}` capture of every complete match. Account
/// patterns are short and written by the policy author (one `{alias}`, a star or two), so the
/// search stays small.
fn walk(tokens: &[Token], input: &str, capture: Option<&str>, found: &mut Vec<String>) {
    let Some((token, rest_tokens)) = tokens.split_first() else {
        if input.is_empty() {
            found.push(capture.unwrap_or_default().to_owned());
        }
        return;
    };
    match token {
        Token::Lit(lit) => {
            if let Some(rest) = input.strip_prefix(lit.as_str()) {
                walk(rest_tokens, rest, capture, found);
            }
        }
        Token::Star => {
            for (at, _) in input
                .char_indices()
                .chain(std::iter::once((input.len(), ' ')))
            {
                walk(rest_tokens, &input[at..], capture, found);
            }
        }
        Token::Alias => {
            let limit = input.find('/').unwrap_or(input.len());
            for (at, c) in input[..limit].char_indices() {
                let end = at + c.len_utf8();
                walk(rest_tokens, &input[end..], Some(&input[..end]), found);
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
            ("ab*ba", "aba", false),
            ("ab*ba", "abba", true),
            ("a*a", "a", false),
            ("*a*b", "xaxbxb", true),
            ("*a*b", "xaxbxbx", false),
            ("*:root", "linux:root", true),
            ("Adm*", "ADMIN", true),
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
    fn hostile_candidates_match_quickly() {
        let long = "a".repeat(100_000);
        assert!(!Glob::new("*a*a*a*a*a*a*b").matches(&long));
        assert!(Glob::new("*a*a*a*a*a*a*").matches(&long));
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
    fn hostile_accounts_are_not_pattern_matched_slowly() {
        let p = AccountPattern::new("arn:aws:iam::*:user/*/{alias}").unwrap();
        let near_limit = format!("arn:aws:iam::{}", ":user/a".repeat(290));
        assert!(near_limit.len() <= MAX_PATTERN_ACCOUNT_LEN);
        assert!(!p.captures(&near_limit).is_empty());
        let too_long = format!(
            "arn:aws:iam::1:user/x/{}",
            "a".repeat(MAX_PATTERN_ACCOUNT_LEN)
        );
        assert!(p.captures(&too_long).is_empty());
    }

    #[test]
    fn account_pattern_needs_one_alias() {
        assert!(AccountPattern::new("arn:aws:iam::*:user/*").is_err());
        assert!(AccountPattern::new("{alias}/{alias}").is_err());
    }
}
