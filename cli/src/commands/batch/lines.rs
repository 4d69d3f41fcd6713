//! A batch file's lines -> journal entries, every line checked before
//! anything is recorded or paid for (a refused line is reported with its
//! number and why; the others go on):
//! - bytes that are not UTF-8 refuse their own line only;
//! - the body is built as `seedance run` builds it ([`crate::body`]): const
//!   fields filled, `@path` images read from the batch file's folder
//!   (confined to it: [`crate::confine`]) and, for lines new to the journal
//!   only, sent the vendor's way (a rerun uploads nothing and keeps the
//!   recorded request);
//! - `out` is confined to `--out` and its destination checked as `run
//!   --out`'s ([`crate::destination`]); an existing file refuses a new line
//!   ("delete it or choose another out") but not a line the journal has (a
//!   resume: the file may be that job's own output);
//! - duplicates and clashing outputs are found.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};

use seedance::catalog::ModelInfo;
use seedance_journal::{NewEntry, body_hash, line_key, sha256_hex};
use seedance_runtime::media::MediaOptions;
use seedance_runtime::{Connection, VendorInfo};
use serde_json::{Map, Value};

use crate::body;
use crate::confine::confine;
use crate::connect;
use crate::destination::{self, Folders};
use crate::error::CliError;
use crate::schema::{self, Field, full_name};
use crate::sim::Simulator;

/// What a batch file holds.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Lines to record, in file order.
    pub entries: Vec<NewEntry>,
    /// Lines refused before anything was recorded: (line, why).
    pub invalid: Vec<(i64, String)>,
    /// Lines identical to an earlier one: (line, the earlier line).
    pub duplicates: Vec<(i64, i64)>,
    /// Image fields rewritten for the simulator (`--sim`).
    pub sim_rewrites: usize,
    /// The batch id: the same file gives the same id on every machine.
    pub batch: String,
    /// A vendor that could not be connected to (no token): the batch
    /// stops before anything is recorded, not the line alone.
    pub unconnected: Option<CliError>,
}

/// Opens the connection through which a line's local images are sent.
pub type Connect<'a> = dyn Fn(&VendorInfo) -> Result<Connection, CliError> + 'a;

/// How lines become entries.
pub struct Context<'a> {
    /// Absolute output folder: every `out` stays inside it.
    pub out_dir: PathBuf,
    /// Absolute folder `@path` images are read from, and confined to: the
    /// batch file's (the current folder for standard input).
    pub media_dir: PathBuf,
    /// Identical lines are separate jobs.
    pub allow_duplicates: bool,
    /// The simulator whose test images replace foreign image URLs.
    pub sim: Option<&'a Simulator>,
    /// Keys the journal already has: their lines are resumes.
    pub known: &'a HashSet<String>,
    /// Called once per vendor, only when a new line has local images.
    pub connect: &'a Connect<'a>,
}

/// Parses every line of `bytes` (blank lines are skipped).
pub async fn parse(bytes: &[u8], ctx: &Context<'_>) -> Parsed {
    let mut lines = Lines::new(ctx);
    for (index, raw) in bytes.split(|byte| *byte == b'\n').enumerate() {
        let line = i64::try_from(index + 1).unwrap_or(i64::MAX);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        match lines.line(line, raw).await {
            Ok(Some(entry)) => lines.parsed.entries.push(entry),
            Ok(None) => {}
            Err(message) => lines.parsed.invalid.push((line, message)),
        }
        if lines.parsed.unconnected.is_some() {
            break;
        }
    }
    let mut parsed = lines.parsed;
    parsed.rename();
    parsed
}

impl Parsed {
    /// `Err` when a vendor of the lines could not be connected to (its
    /// token is missing): nothing may be recorded then.
    pub fn connected(&mut self) -> Result<(), CliError> {
        self.unconnected.take().map_or(Ok(()), Err)
    }

    /// Names the batch after its lines' keys (the same lines give the same
    /// id on every machine) and puts every entry in it.
    pub fn rename(&mut self) {
        let keys: Vec<&str> = self.entries.iter().map(|e| e.key.as_str()).collect();
        self.batch = sha256_hex(keys.join("\n").as_bytes())[..16].to_owned();
        for entry in &mut self.entries {
            entry.batch = self.batch.clone();
        }
    }
}

/// The state carried from line to line.
struct Lines<'c, 'a> {
    ctx: &'c Context<'a>,
    parsed: Parsed,
    /// First key of each distinct line: (its line, copies so far).
    seen: HashMap<String, (i64, u32)>,
    /// Each `out` taken, by line.
    outs: HashMap<PathBuf, i64>,
    fields: HashMap<&'static str, Vec<Field>>,
    conns: HashMap<&'static str, Connection>,
    /// `--out` checked once for the lines saved as `JOB_ID.mp4`.
    out_dir_checked: Option<Result<(), String>>,
}

impl<'c, 'a> Lines<'c, 'a> {
    fn new(ctx: &'c Context<'a>) -> Self {
        Lines {
            ctx,
            parsed: Parsed::default(),
            seen: HashMap::new(),
            outs: HashMap::new(),
            fields: HashMap::new(),
            conns: HashMap::new(),
            out_dir_checked: None,
        }
    }

    /// One line: its entry, `None` for a blank line or a duplicate (noted),
    /// or why it is refused.
    async fn line(&mut self, line: i64, raw: &[u8]) -> Result<Option<NewEntry>, String> {
        let text = std::str::from_utf8(raw)
            .map_err(|err| format!("not UTF-8 at byte {}", err.valid_up_to() + 1))?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        let spec = read_line(text)?;
        let info = match connect::model(&spec.model) {
            Ok(info) => info,
            Err(unknown) => return self.recorded(line, &spec, unknown.to_string()),
        };
        let name = full_name(info);
        let Some(key) = self.key(line, info.vendor.id, &name, &spec) else {
            return Ok(None);
        };
        let known = self.ctx.known.contains(&key);
        let out_path = self.out(line, spec.out.as_deref(), known)?;
        let (path, body) = self.request(info, spec.input, known).await?;
        Ok(Some(NewEntry {
            key,
            batch: String::new(),
            line,
            vendor: info.vendor.id.to_owned(),
            model: name,
            path,
            body_hash: body_hash(body.as_bytes()),
            body,
            out_path: out_path.map(|p| p.display().to_string()),
            out_dir: Some(self.ctx.out_dir.display().to_string()),
            // Priced before it is recorded (`batch::prices`).
            quote: None,
            quote_note: None,
        }))
    }

    /// A line whose model cannot be read now (a catalog model its catalog
    /// no longer serves, with nothing cached) but whose job the journal
    /// already has: its entry, so the job is followed from the journal,
    /// which holds its body; nothing of it is checked or sent again. Any
    /// other such line is refused with `unknown`.
    fn recorded(
        &mut self,
        line: i64,
        spec: &Spec,
        unknown: String,
    ) -> Result<Option<NewEntry>, String> {
        let Some((vendor, _)) = connect::split_vendor(&spec.model) else {
            return Err(unknown);
        };
        let Some(key) = self.key(line, vendor.id, &spec.model, spec) else {
            return Ok(None);
        };
        if !self.ctx.known.contains(&key) {
            return Err(unknown);
        }
        let out_path = self.out(line, spec.out.as_deref(), true)?;
        Ok(Some(NewEntry {
            key,
            batch: String::new(),
            line,
            vendor: vendor.id.to_owned(),
            model: spec.model.clone(),
            // The journal's row keeps its own path and body.
            path: String::new(),
            body_hash: String::new(),
            body: String::new(),
            out_path: out_path.map(|p| p.display().to_string()),
            out_dir: Some(self.ctx.out_dir.display().to_string()),
            quote: None,
            quote_note: None,
        }))
    }

    /// The line's journal key, from the line as written (before any
    /// upload); `None` for a duplicate, which is noted.
    fn key(&mut self, line: i64, vendor: &str, name: &str, spec: &Spec) -> Option<String> {
        let input = Value::Object(spec.input.clone());
        let key = |copy| line_key(vendor, name, &input, spec.out.as_deref(), copy);
        let first = key(0);
        match self.seen.get_mut(&first) {
            None => {
                self.seen.insert(first.clone(), (line, 0));
                Some(first)
            }
            Some((earlier, _)) if !self.ctx.allow_duplicates => {
                self.parsed.duplicates.push((line, *earlier));
                None
            }
            Some((_, count)) => {
                *count += 1;
                Some(key(*count))
            }
        }
    }

    /// Where the line's video goes: its `out` inside `--out`, checked as
    /// `run --out` is (replacing an existing file only for a resume), or
    /// `None` for `JOB_ID.mp4` in `--out`, whose folder is checked.
    fn out(
        &mut self,
        line: i64,
        out: Option<&str>,
        known: bool,
    ) -> Result<Option<PathBuf>, String> {
        let Some(out) = out else {
            let out_dir = &self.ctx.out_dir;
            let checked = self.out_dir_checked.get_or_insert_with(|| {
                destination::check_folder(out_dir, Folders::Created)
                    .map_err(|err| format!("--out {}: {err}", out_dir.display()))
            });
            return checked.clone().map(|()| None);
        };
        let path = confine(&self.ctx.out_dir, Path::new(out))
            .map_err(|err| format!("out {out:?} {err}"))?;
        destination::check(&path, known, Folders::Created).map_err(|err| {
            if err.kind() == io::ErrorKind::AlreadyExists {
                format!(
                    "out {out:?}: {} exists; delete it or choose another out",
                    path.display()
                )
            } else {
                format!("out {out:?}: {err}")
            }
        })?;
        if let Some(other) = self.outs.insert(path.clone(), line) {
            return Err(format!(
                "out {} is also line {other}'s output",
                path.display()
            ));
        }
        Ok(Some(path))
    }

    /// The exact body to POST and its path, built as `seedance run` builds
    /// it; local images are sent the vendor's way for new lines only.
    async fn request(
        &mut self,
        info: &'static ModelInfo,
        input: Map<String, Value>,
        known: bool,
    ) -> Result<(String, String), String> {
        let fields = self
            .fields
            .entry(info.module)
            .or_insert_with(|| schema::fields(info));
        let sources = body::Sources {
            media_root: Some(&self.ctx.media_dir),
            media: MediaOptions::default(),
            sim: self.ctx.sim,
        };
        let mut prepared = body::prepare(info, fields, input, &sources)
            .await
            .map_err(|e| e.to_string())?;
        self.parsed.sim_rewrites += prepared.sim_notes.len();
        prepared.model.validate().map_err(|e| e.to_string())?;
        if !known && !prepared.locals.is_empty() {
            let conn = self.connection(info)?;
            prepared.deliver(conn).await.map_err(|e| e.to_string())?;
        }
        let (path, body) = prepared.request().map_err(|e| e.to_string())?;
        Ok((path, String::from_utf8_lossy(&body).into_owned()))
    }

    /// The vendor's connection, opened on first use; a failure to open it
    /// is the batch's ([`Parsed::unconnected`]), not only this line's.
    fn connection(&mut self, info: &'static ModelInfo) -> Result<&Connection, String> {
        let vendor = info.vendor;
        if !self.conns.contains_key(vendor.id) {
            let conn = (self.ctx.connect)(vendor).map_err(|err| {
                let message = err.to_string();
                self.parsed.unconnected = Some(err);
                message
            })?;
            self.conns.insert(vendor.id, conn);
        }
        Ok(&self.conns[vendor.id])
    }
}

struct Spec {
    model: String,
    input: Map<String, Value>,
    out: Option<String>,
}

/// `{"model": "...", "input": {...}, "out": "optional/path.mp4"}`.
fn read_line(raw: &str) -> Result<Spec, String> {
    let value: Value = serde_json::from_str(raw).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(mut map) = value else {
        return Err("expected an object {\"model\", \"input\", \"out\"?}".to_owned());
    };
    let model = match map.remove("model") {
        Some(Value::String(model)) => model,
        _ => return Err("\"model\" (a name from `seedance models`) is missing".to_owned()),
    };
    let input = match map.remove("input") {
        Some(Value::Object(input)) => input,
        _ => return Err("\"input\" (an object of fields) is missing".to_owned()),
    };
    let out = match map.remove("out") {
        None | Some(Value::Null) => None,
        Some(Value::String(out)) if !out.is_empty() => Some(out),
        Some(_) => return Err("\"out\" must be a file path".to_owned()),
    };
    if let Some(extra) = map.keys().next() {
        return Err(format!(
            "unknown key {extra:?} (expected model, input, out)"
        ));
    }
    Ok(Spec { model, input, out })
}

/// `dir` made absolute (against the current folder).
pub fn absolute(dir: &Path) -> PathBuf {
    if dir.is_absolute() {
        dir.to_owned()
    } else if dir.as_os_str().is_empty() || dir == Path::new(".") {
        // The current folder itself, not `/cwd/.` (shown in paths).
        std::env::current_dir().unwrap_or_default()
    } else {
        std::env::current_dir().map_or_else(|_| dir.to_owned(), |cwd| cwd.join(dir))
    }
}

/// The folder a batch file's `@path` images are read from: the file's own
/// (so a batch folder can be moved or shared whole), the current folder
/// for standard input (`-`).
pub fn media_dir(file: &str) -> PathBuf {
    let parent = match Path::new(file).parent() {
        Some(parent) if file != "-" => parent,
        _ => Path::new(""),
    };
    absolute(parent)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use seedance_sim::{ImageFormat, ImageSpec};

    use super::*;

    const MODEL: &str = "runcomfy/bytedance/seedance-1-0/pro/image-to-video";
    const AIMLAPI: &str = "aimlapi/bytedance/seedance-1-0-lite-i2v";
    const WAVESPEED: &str = "wavespeed/bytedance/seedance-v1-lite/reference-to-video";

    /// A batch folder (`media_dir`) with `out/` (`--out`) inside.
    struct Folder {
        dir: tempfile::TempDir,
    }

    impl Folder {
        fn new() -> Self {
            let dir = tempfile::tempdir().expect("temporary folder");
            std::fs::create_dir(dir.path().join("out")).expect("mkdir out");
            Folder { dir }
        }

        fn out(&self) -> PathBuf {
            self.dir.path().join("out")
        }

        /// Parses `text` with `known` keys; returns what it made and how
        /// many connections were asked for (WaveSpeed's is refused: no
        /// uploads in unit tests; others connect to a closed port, unused).
        async fn parse(&self, text: &[u8], known: &HashSet<String>, dup: bool) -> (Parsed, usize) {
            let calls = Cell::new(0);
            let connect = |vendor: &VendorInfo| {
                calls.set(calls.get() + 1);
                if vendor.id == "wavespeed" {
                    return Err(CliError::Http("no uploads in unit tests".to_owned()));
                }
                Ok(Connection::builder(vendor)
                    .base_url("http://127.0.0.1:9")
                    .token("unused")
                    .build()?)
            };
            let ctx = Context {
                out_dir: self.out(),
                media_dir: self.dir.path().to_owned(),
                allow_duplicates: dup,
                sim: None,
                known,
                connect: &connect,
            };
            let parsed = parse(text, &ctx).await;
            (parsed, calls.get())
        }
    }

    fn line(prompt: &str, out: Option<&str>) -> String {
        let mut v = serde_json::json!({"model": MODEL, "input": {
            "prompt": prompt, "first_frame_image_url": "https://example.com/a.jpg"}});
        if let Some(out) = out {
            v["out"] = Value::from(out);
        }
        v.to_string()
    }

    fn lines(items: &[String]) -> Vec<u8> {
        items.join("\n").into_bytes()
    }

    /// (line, reason) of each refused line.
    fn refused(parsed: &Parsed) -> Vec<(i64, &str)> {
        parsed
            .invalid
            .iter()
            .map(|(line, why)| (*line, why.as_str()))
            .collect()
    }

    fn assert_refused(parsed: &Parsed, expected: &[(i64, &str)]) {
        let got = refused(parsed);
        assert_eq!(got.len(), expected.len(), "{got:#?}");
        for ((line, why), (want_line, want)) in got.iter().zip(expected) {
            assert_eq!(line, want_line, "{got:#?}");
            assert!(why.contains(want), "line {line}: {why:?} lacks {want:?}");
        }
    }

    fn no_keys() -> HashSet<String> {
        HashSet::new()
    }

    fn photo(dir: &Path) {
        let png = ImageSpec::new(ImageFormat::Png, 800, 600).bytes();
        std::fs::write(dir.join("photo.png"), png).expect("write photo");
    }

    #[tokio::test]
    async fn identical_lines_are_duplicates_unless_allowed() {
        let folder = Folder::new();
        let text = lines(&[
            line("fox", None),
            String::new(),
            line("fox", None),
            line("cat", None),
        ]);
        let (parsed, _) = folder.parse(&text, &no_keys(), false).await;
        assert_eq!(parsed.entries.len(), 2);
        assert_eq!(parsed.duplicates, [(3, 1)]);
        let (allowed, _) = folder.parse(&text, &no_keys(), true).await;
        assert_eq!(allowed.entries.len(), 3);
        assert_eq!(
            allowed.entries[1].key,
            format!("{}#1", allowed.entries[0].key)
        );
        assert_ne!(parsed.batch, allowed.batch);
        let (again, _) = folder.parse(&text, &no_keys(), false).await;
        assert_eq!(parsed.batch, again.batch, "same file, same batch");
    }

    #[tokio::test]
    async fn bad_lines_are_refused_with_a_reason_and_others_kept() {
        let folder = Folder::new();
        let text = lines(&[
            "not json".to_owned(),
            r#"{"model": "nope", "input": {}}"#.to_owned(),
            format!(r#"{{"model": "{MODEL}", "input": {{"prompt": "x"}}}}"#),
            line("ok", Some("a.mp4")),
            line("ok2", Some("a.mp4")),
        ]);
        let (parsed, _) = folder.parse(&text, &no_keys(), false).await;
        assert_refused(
            &parsed,
            &[
                (1, "not JSON"),
                (2, "nope"),
                (3, "first_frame_image_url"),
                (5, "also line 4's output"),
            ],
        );
        assert_eq!(parsed.entries.len(), 1);
        let expected = folder.out().join("a.mp4");
        assert_eq!(
            parsed.entries[0].out_path.as_deref(),
            Some(expected.display().to_string().as_str())
        );
        assert!(parsed.entries[0].path.starts_with("/v1/models/bytedance/"));
    }

    #[tokio::test]
    async fn outs_that_leave_the_out_folder_are_refused() {
        let folder = Folder::new();
        let outside = tempfile::tempdir().expect("outside");
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), folder.out().join("away")).expect("link");
        let text = lines(&[
            line("up", Some("../x.mp4")),
            line("abs", Some("/abs/x.mp4")),
            line("deep", Some("a/../../x.mp4")),
            line("link", Some("away/x.mp4")),
            line("ok", Some("new/folder/x.mp4")),
        ]);
        let (parsed, _) = folder.parse(&text, &no_keys(), false).await;
        let mut expected = vec![
            (1, "contains `..`"),
            (2, "is an absolute path"),
            (3, "contains `..`"),
        ];
        if cfg!(unix) {
            expected.push((4, "a symlink leading outside"));
        }
        assert_refused(&parsed, &expected);
        assert_eq!(parsed.entries.len(), 5 - expected.len());
        assert!(parsed.entries.iter().all(|e| {
            e.out_path
                .as_deref()
                .is_some_and(|p| p.starts_with(&*folder.out().to_string_lossy()))
        }));
    }

    #[tokio::test]
    async fn destinations_are_checked_before_anything_is_paid() {
        let folder = Folder::new();
        let out = folder.out();
        std::fs::write(out.join("taken.mp4"), b"precious").expect("write");
        std::fs::create_dir(out.join("folder.mp4")).expect("mkdir");
        #[cfg(unix)]
        std::os::unix::fs::symlink(out.join("none"), out.join("dangling.mp4")).expect("link");
        let text = lines(&[
            line("taken", Some("taken.mp4")),
            line("dot", Some(".")),
            line("slash", Some("x/")),
            line("folder", Some("folder.mp4")),
            line("under a file", Some("taken.mp4/x.mp4")),
            line("null", Some("/dev/null")),
            line("dangling", Some("dangling.mp4")),
            line("ok", Some("fine.mp4")),
        ]);
        let (parsed, _) = folder.parse(&text, &no_keys(), false).await;
        let mut expected = vec![
            (1, "exists; delete it or choose another out"),
            (2, "does not name a file"),
            (3, "does not name a file"),
            (4, "not a regular file"),
            (5, "is not a folder"),
            (6, "is an absolute path"),
        ];
        if cfg!(unix) {
            expected.push((7, "symlink"));
        }
        assert_refused(&parsed, &expected);
        assert_eq!(parsed.entries.len(), 1);
        assert_eq!(parsed.entries[0].line, 8);
        assert_eq!(
            std::fs::read(out.join("taken.mp4")).expect("read"),
            b"precious"
        );
    }

    #[tokio::test]
    async fn an_existing_out_is_fine_for_a_line_the_journal_has() {
        let folder = Folder::new();
        std::fs::write(folder.out().join("done.mp4"), b"its own video").expect("write");
        let text = line("resumed", Some("done.mp4"));
        let (first, _) = folder.parse(text.as_bytes(), &no_keys(), false).await;
        assert_refused(&first, &[(1, "exists")]);
        let input = serde_json::json!({
            "prompt": "resumed", "first_frame_image_url": "https://example.com/a.jpg"});
        let known = HashSet::from([line_key("runcomfy", MODEL, &input, Some("done.mp4"), 0)]);
        let (resumed, _) = folder.parse(text.as_bytes(), &known, false).await;
        assert_refused(&resumed, &[]);
        assert_eq!(resumed.entries.len(), 1);
    }

    #[tokio::test]
    async fn lines_that_are_not_utf8_are_refused_alone() {
        let folder = Folder::new();
        let mut text = lines(&[line("one", None), String::new()]);
        text.extend_from_slice(b"{\"model\": \"\xff\"}\n");
        text.extend_from_slice(line("three", None).as_bytes());
        text.extend_from_slice(b"\r\n");
        let (parsed, _) = folder.parse(&text, &no_keys(), false).await;
        assert_refused(&parsed, &[(2, "not UTF-8 at byte 12")]);
        let kept: Vec<i64> = parsed.entries.iter().map(|e| e.line).collect();
        assert_eq!(kept, [1, 3]);
    }

    #[tokio::test]
    async fn aimlapi_lines_get_their_constant_model_field() {
        let folder = Folder::new();
        let text = serde_json::json!({"model": AIMLAPI, "input": {
            "prompt": "a fox", "image_url": "https://example.com/a.jpg"}})
        .to_string();
        let (parsed, _) = folder.parse(text.as_bytes(), &no_keys(), false).await;
        assert_refused(&parsed, &[]);
        let body: Value = serde_json::from_str(&parsed.entries[0].body).expect("JSON");
        assert_eq!(body["model"], "bytedance/seedance-1-0-lite-i2v");
    }

    #[tokio::test]
    async fn local_images_are_read_from_the_batch_folder_only() {
        let folder = Folder::new();
        photo(folder.dir.path());
        let outside = tempfile::tempdir().expect("outside");
        photo(outside.path());
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            outside.path().join("photo.png"),
            folder.dir.path().join("l.png"),
        )
        .expect("link");
        let at = |path: &str| {
            serde_json::json!({"model": AIMLAPI, "input": {"prompt": path, "image_url": path}})
                .to_string()
        };
        let escape = format!("@{}", outside.path().join("photo.png").display());
        let text = lines(&[
            at("@photo.png"),
            at("@../photo.png"),
            at(&escape),
            at("@l.png"),
        ]);
        let (parsed, calls) = folder.parse(&text, &no_keys(), false).await;
        let mut expected = vec![
            (2, "image_url: `@../photo.png` contains `..`"),
            (3, "absolute"),
        ];
        if cfg!(unix) {
            expected.push((4, "a symlink leading outside"));
        }
        assert_refused(&parsed, &expected);
        assert_eq!(calls, 1, "one connection, for the AI/ML API line");
        let body: Value = serde_json::from_str(&parsed.entries[0].body).expect("JSON");
        assert!(
            body["image_url"]
                .as_str()
                .is_some_and(|v| v.starts_with("data:image/png;base64,"))
        );
    }

    #[tokio::test]
    async fn local_images_are_uploaded_for_new_lines_only() {
        let folder = Folder::new();
        photo(folder.dir.path());
        let input = serde_json::json!({"prompt": "a fox", "reference_images": ["@photo.png"]});
        let text = serde_json::json!({"model": WAVESPEED, "input": input}).to_string();
        let (new, calls) = folder.parse(text.as_bytes(), &no_keys(), false).await;
        assert_refused(&new, &[(1, "no uploads in unit tests")]);
        assert_eq!(calls, 1, "a new line uploads");
        let known = HashSet::from([line_key("wavespeed", WAVESPEED, &input, None, 0)]);
        let (resumed, calls) = folder.parse(text.as_bytes(), &known, false).await;
        assert_refused(&resumed, &[]);
        assert_eq!(calls, 0, "a line the journal has uploads nothing");
        assert_eq!(resumed.entries[0].key, *known.iter().next().expect("key"));
    }
}
