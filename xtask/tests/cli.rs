//! The xtask command line: every command answers `--help` and `-h` with
//! its usage on stdout and exit 0 (doing nothing else), and an unknown flag
//! still fails with a hint.

use std::process::{Command, Output};

/// Runs xtask in a folder that is no checkout, so a command that did more
/// than print its usage would fail.
fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap()
}

#[test]
fn every_command_answers_help() {
    let commands: [&[&str]; 4] = [&[], &["regen"], &["pull"], &["synth"]];
    for command in commands {
        for flag in ["--help", "-h"] {
            let args = [command, &[flag]].concat();
            let output = xtask(&args);
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "{args:?}: {stderr}");
            assert!(stdout.starts_with("usage:"), "{args:?}: {stdout}");
            let named = command
                .first()
                .is_none_or(|c| stdout.contains(&format!("cargo xtask {c}")));
            assert!(named, "{args:?} does not show its own usage: {stdout}");
        }
    }
}

#[test]
fn help_after_other_flags_still_only_prints_usage() {
    for args in [
        &["regen", "--check", "--help"][..],
        &["pull", "--check", "--vendor", "wavespeed", "-h"],
        &["synth", "3", "-h"],
    ] {
        let output = xtask(args);
        assert!(output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).starts_with("usage:"),
            "{args:?}"
        );
    }
}

#[test]
fn unknown_flags_and_commands_fail_with_a_hint() {
    for args in [
        &["--bogus"][..],
        &["bogus"],
        &["regen", "--bogus"],
        &["pull", "--bogus"],
        &["synth", "--bogus"],
        &["pull", "--vendor"],
        &[],
    ] {
        let output = xtask(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(stderr.contains("usage"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("--help"),
            "{args:?} gives no hint: {stderr}"
        );
    }
}
