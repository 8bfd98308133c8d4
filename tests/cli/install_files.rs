//! What a package installs beside the binary: `evidentia completions SHELL` (and its one-line
//! refusal of other shells) and the manual pages `evidentia manpages` writes.

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

#[test]
fn manual_pages_cover_every_command_and_render() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    run(&["manpages", "--out", path_str(&out)]).expect_code(0);
    let main = std::fs::read_to_string(out.join("evidentia.1")).unwrap();
    assert!(
        main.starts_with(".ie") || main.contains(".TH evidentia 1"),
        "{}",
        &main[..200]
    );
    for command in [
        "import",
        "analyze",
        "verify",
        "pack",
        "completions",
        "policy-set",
    ] {
        let page = out.join(format!("evidentia-{command}.1"));
        let text = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{page:?}: {e}"));
        assert!(text.contains(".SH SYNOPSIS"), "{command}");
    }
    // The hidden command that writes them has no page of its own.
    assert!(!out.join("evidentia-manpages.1").exists());
    // Rendered as `man` shows it, where the machine has man.
    if let Ok(rendered) = std::process::Command::new("man")
        .args(["-l", path_str(&out.join("evidentia-verify.1"))])
        .env("MANWIDTH", "80")
        .output()
    {
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(
            text.contains("NAME") && text.contains("trusted-checkpoint"),
            "{text}"
        );
    }
}
