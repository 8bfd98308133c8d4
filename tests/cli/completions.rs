//! `evidentia completions SHELL`: the scripts a package installs, and the one-line refusal.

use super::*;

#[test]
fn bash_zsh_and_fish_scripts_complete_the_commands() {
    for (shell, marker) in [
        ("bash", "complete -F _evidentia"),
        ("zsh", "#compdef evidentia"),
        ("fish", "complete -c evidentia"),
    ] {
        let out = run(&["completions", shell]);
        out.expect_code(0);
        assert!(
            out.stdout.contains(marker),
            "{shell}: {}",
            &out.stdout[..200]
        );
        // Every subcommand is offered, `completions` itself included.
        for command in ["import", "analyze", "verify", "pack", "completions"] {
            assert!(out.stdout.contains(command), "{shell} lacks {command}");
        }
        assert!(out.stderr.is_empty(), "{shell}: {}", out.stderr);
    }
}

#[test]
fn an_unsupported_shell_is_one_line_naming_the_supported_ones() {
    let out = run(&["completions", "tcsh"]);
    out.expect_one_line_error();
    assert_eq!(
        out.stderr.trim(),
        "error: no completions for the shell \"tcsh\": evidentia completes bash, zsh and fish"
    );
    assert!(out.stdout.is_empty());
}
