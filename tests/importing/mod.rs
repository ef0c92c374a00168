//! What the end-to-end tests share: a temporary registry and a way to run
//! the real binary on it, with the date and the actor fixed.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const TODAY: &str = "2024-01-15";

/// A registry file in a temporary directory.
pub struct Reg {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Reg {
    /// An empty registry.
    pub fn empty() -> Reg {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("registry.sqlite");
        let reg = Reg { dir, db };
        reg.ok(&["init"]);
        reg
    }

    /// A registry holding the demo data.
    pub fn demo() -> Reg {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("registry.sqlite");
        let reg = Reg { dir, db };
        reg.ok(&["init", "--demo"]);
        reg
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `ipart --db REGISTRY ARGS`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("ipart").unwrap();
        cmd.env("IPART_TODAY", TODAY)
            .env("IPART_ACTOR", "tester")
            .env("NO_COLOR", "1")
            .env_remove("IPART_DB")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("--db")
            .arg(&self.db)
            .args(args);
        cmd
    }

    /// Runs and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs, requires success, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.run(args);
        assert_eq!(code, 0, "ipart {args:?} failed:\n{stderr}");
        stdout
    }

    /// Every kind exported as native CSV: a fingerprint of the registry's
    /// records (and, with `import log`, of its batches).
    pub fn snapshot(&self) -> String {
        let mut all = String::new();
        for kind in KINDS {
            all.push_str(&self.ok(&["export", kind]));
        }
        all.push_str(&self.ok(&["import", "log", "--format", "csv"]));
        all
    }
}

pub const KINDS: [&str; 11] = [
    "themes",
    "partners",
    "labs",
    "communities",
    "assignments",
    "phds",
    "activities",
    "curricula",
    "chairs",
    "questions",
    "metrics",
];

/// A file of the repository.
pub fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).display().to_string()
}

pub const OSIRIS_MAP: &str = "fixtures/import/hanze-osiris/osiris.toml";
