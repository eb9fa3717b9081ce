//! Truth files (docs/DESIGN.md §5): write → read round trips, golden NPY bytes, refusal to
//! overwrite, staging clean-up, the manifest, selectors, corrupt files, and `numpy.load`.

use dashi_les::truth::{
    DiagnosticsRow, Manifest, NpyProblem, Timestamp, Truth, TruthError, TruthMeta, TruthWriter, default_truth_id,
    resolve,
};
use std::path::{Path, PathBuf};
use std::process::Command;

const SHELLS: usize = 5;

/// Vorticity of frame `k` on an `n × n` grid: distinct, exactly representable in f32.
fn omega(n: usize, k: usize) -> Vec<f64> {
    (0..n * n).map(|i| (i as f64 - (n * n) as f64 / 2.0) * 0.125 + k as f64).collect()
}

fn spectrum(k: usize) -> Vec<f64> {
    (0..SHELLS).map(|s| 1.0 / (1.0 + s as f64) + 0.1 * k as f64).collect()
}

fn row(k: usize) -> DiagnosticsRow {
    let k = k as f64;
    DiagnosticsRow {
        step: 10 * k as u64,
        time: 0.1 * k,
        energy: 0.5 - 0.01 * k,
        enstrophy: 1.0 / 3.0 + k,
        palinstrophy: 2.0e-7 * (k + 1.0),
        max_abs_omega: 4.0 + k,
        cfl: 0.123456789 + k,
    }
}

fn created(seconds: i64) -> Timestamp {
    Timestamp::from_unix(1_780_000_000 + seconds, 0).unwrap()
}

fn meta(id: &str, backend: &str, n: usize, created_at: Timestamp) -> TruthMeta {
    let params = serde_json::json!({"dt": 0.01, "nu": 1e-4, "ic": "taylor-green", "seed": 7, "stride": 10});
    let mut meta = TruthMeta::new(id, "spectral_les_v1", n, params.as_object().unwrap().clone()).with_backend(
        "auto",
        backend,
        format!("test {backend} device"),
    );
    meta.created = created_at;
    meta
}

/// Writes a finished truth with `frames` frames.
fn write_truth(root: &Path, id: &str, backend: &str, created_at: Timestamp, n: usize, frames: usize) -> PathBuf {
    let mut writer = TruthWriter::create(root, meta(id, backend, n, created_at)).unwrap();
    for k in 0..frames {
        writer.push_frame(&omega(n, k), &spectrum(k), row(k)).unwrap();
    }
    writer.finish().unwrap()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn round_trip_write_then_open() {
    let root = tempdir();
    let dir = write_truth(root.path(), "round-trip", "cpu", created(0), 8, 3);
    assert_eq!(dir, root.path().join("round-trip"));
    assert_eq!(names_in(&dir), ["diagnostics.csv", "meta.json", "omega.npy", "spectrum.npy", "t.npy"]);

    let truth = Truth::open(&dir).unwrap();
    assert_eq!(truth.n(), 8);
    assert_eq!(truth.frame_count(), 3);
    assert_eq!(truth.shells(), SHELLS);
    for k in 0..3 {
        let expected: Vec<f32> = omega(8, k).iter().map(|&v| v as f32).collect();
        assert_eq!(truth.frame(k).unwrap(), expected);
        assert_eq!(truth.spectrum(k).unwrap(), spectrum(k).as_slice());
        assert_eq!(truth.diagnostics()[k], row(k));
        assert_eq!(truth.times()[k], row(k).time);
    }
    assert!(truth.frame(3).is_err() && truth.spectrum(3).is_none());
    assert_eq!(truth.frames(0..3).unwrap().len(), 3 * 64);

    let meta = truth.meta();
    assert_eq!(meta.truth_id, "round-trip");
    assert_eq!(meta.solver_id, "spectral_les_v1");
    assert_eq!(meta.frames, 3);
    assert_eq!(meta.created, created(0));
    assert_eq!((meta.fft_norm.as_str(), meta.stored_dtype.as_str()), ("backward", "f32"));
    assert_eq!(meta.crate_version, env!("CARGO_PKG_VERSION"));
    assert_eq!((meta.backend_requested.as_str(), meta.backend_used.as_str()), ("auto", "cpu"));
    assert_eq!(meta.params["seed"], 7);

    let csv = std::fs::read_to_string(dir.join("diagnostics.csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("step,time,energy,enstrophy,palinstrophy,max_abs_omega,cfl"));
    assert_eq!(csv.lines().count(), 4);
}

#[test]
fn empty_truth_round_trips() {
    let root = tempdir();
    let dir = TruthWriter::create(root.path(), meta("empty", "cpu", 4, created(0))).unwrap().finish().unwrap();
    let truth = Truth::open(&dir).unwrap();
    assert_eq!((truth.frame_count(), truth.shells(), truth.meta().frames), (0, 0, 0));
    assert!(truth.frame(0).is_err());
}

#[test]
fn omega_npy_golden_bytes() {
    let root = tempdir();
    let mut writer = TruthWriter::create(root.path(), meta("golden", "cpu", 2, created(0))).unwrap();
    writer.push_frame(&[1.0, -2.0, 0.5, 0.0], &[1.0], row(0)).unwrap();
    let dir = writer.finish().unwrap();

    let bytes = std::fs::read(dir.join("omega.npy")).unwrap();
    let mut expected =
        b"\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }".to_vec();
    expected.resize(127, b' ');
    expected.push(b'\n');
    for value in [1.0f32, -2.0, 0.5, 0.0] {
        expected.extend_from_slice(&value.to_le_bytes());
    }
    assert_eq!(bytes, expected);

    let t = std::fs::read(dir.join("t.npy")).unwrap();
    assert!(t.starts_with(b"\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }"));
    assert_eq!(t.len(), 128 + 8);
}

#[test]
fn refuses_to_overwrite() {
    let root = tempdir();
    write_truth(root.path(), "taken", "cpu", created(0), 4, 1);
    let before = std::fs::read(root.path().join("taken/omega.npy")).unwrap();
    match TruthWriter::create(root.path(), meta("taken", "gpu", 4, created(1))) {
        Err(TruthError::AlreadyExists { path }) => assert_eq!(path, root.path().join("taken")),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(std::fs::read(root.path().join("taken/omega.npy")).unwrap(), before);

    std::fs::create_dir(root.path().join("plain-dir")).unwrap();
    assert!(matches!(
        TruthWriter::create(root.path(), meta("plain-dir", "cpu", 4, created(0))),
        Err(TruthError::AlreadyExists { .. })
    ));

    let _first = TruthWriter::create(root.path(), meta("busy", "cpu", 4, created(0))).unwrap();
    match TruthWriter::create(root.path(), meta("busy", "cpu", 4, created(0))) {
        Err(TruthError::StagingInUse { path }) => assert_eq!(path, root.path().join(".busy.partial")),
        other => panic!("expected StagingInUse, got {other:?}"),
    }
}

#[test]
fn staging_dir_gone_after_drop_and_after_finish() {
    let root = tempdir();
    let mut writer = TruthWriter::create(root.path(), meta("dropped", "cpu", 4, created(0))).unwrap();
    writer.push_frame(&omega(4, 0), &spectrum(0), row(0)).unwrap();
    let staging = writer.staging_dir().to_path_buf();
    assert_eq!(staging, root.path().join(".dropped.partial"));
    assert!(staging.is_dir());
    drop(writer);
    assert!(!staging.exists());
    assert!(!root.path().join("dropped").exists());
    // Only the root's lock file remains (docs/RELIABILITY.md §1).
    assert_eq!(names_in(root.path()), [".lock"]);

    let mut writer = TruthWriter::create(root.path(), meta("finished", "cpu", 4, created(0))).unwrap();
    writer.push_frame(&omega(4, 0), &spectrum(0), row(0)).unwrap();
    let staging = writer.staging_dir().to_path_buf();
    assert_eq!(writer.final_dir(), root.path().join("finished"));
    writer.finish().unwrap();
    assert!(!staging.exists());
    assert_eq!(names_in(root.path()), [".lock", "finished", "manifest.json"]);
}

#[test]
fn manifest_lists_every_truth() {
    let root = tempdir();
    write_truth(root.path(), "first", "cpu", created(0), 4, 2);
    assert_eq!(Manifest::load(root.path()).unwrap().unwrap().entries().len(), 1);
    write_truth(root.path(), "second", "gpu", created(5), 8, 3);

    let manifest = Manifest::load(root.path()).unwrap().unwrap();
    let entries = manifest.entries();
    assert_eq!(entries.len(), 2);
    let (first, second) = (&entries[0], &entries[1]);
    assert_eq!((first.truth_id.as_str(), first.path.as_str(), first.backend_used.as_str()), ("first", "first", "cpu"));
    assert_eq!((first.n, first.frames, first.created), (4, 2, created(0)));
    assert_eq!(
        (second.truth_id.as_str(), second.backend_used.as_str(), second.n, second.frames),
        ("second", "gpu", 8, 3)
    );
    assert_eq!(second.solver_id, "spectral_les_v1");
    assert_eq!(Manifest::entry_dir(root.path(), second), root.path().join("second"));

    let text = std::fs::read_to_string(root.path().join("manifest.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["format"], "dashi-truth-manifest");
    assert_eq!(json["truths"][1]["created"], created(5).to_rfc3339());
    assert!(!root.path().join("manifest.json.tmp").exists());
}

/// A root with three truths: two CPU, one GPU; `les-mcw-c` is the newest.
fn selector_root() -> tempfile::TempDir {
    let root = tempdir();
    write_truth(root.path(), "les-tg-a", "cpu", created(0), 4, 1);
    write_truth(root.path(), "les-tg-b", "gpu", created(10), 4, 1);
    write_truth(root.path(), "les-mcw-c", "cpu", created(20), 4, 1);
    root
}

#[test]
fn selectors_resolve_to_one_truth() {
    let root = selector_root();
    let at = |id: &str| root.path().join(id);
    assert_eq!(resolve(root.path(), "latest").unwrap(), at("les-mcw-c"));
    assert_eq!(resolve(root.path(), "latest:gpu").unwrap(), at("les-tg-b"));
    assert_eq!(resolve(root.path(), "latest:cpu").unwrap(), at("les-mcw-c"));
    assert_eq!(resolve(root.path(), "les-tg-a").unwrap(), at("les-tg-a"));
    assert_eq!(resolve(root.path(), "les-mc").unwrap(), at("les-mcw-c"));
    let dir = at("les-tg-b");
    assert_eq!(resolve(root.path(), dir.to_str().unwrap()).unwrap(), dir);
    assert_eq!(Truth::open(&resolve(root.path(), "latest:gpu").unwrap()).unwrap().meta().backend_used, "gpu");
}

#[test]
fn exact_id_wins_over_prefix() {
    let root = tempdir();
    write_truth(root.path(), "run1", "cpu", created(0), 4, 1);
    write_truth(root.path(), "run10", "cpu", created(1), 4, 1);
    assert_eq!(resolve(root.path(), "run1").unwrap(), root.path().join("run1"));
    assert!(matches!(resolve(root.path(), "run"), Err(TruthError::SelectorAmbiguous { .. })));
}

#[test]
fn ambiguous_prefix_lists_the_matches() {
    let root = selector_root();
    match resolve(root.path(), "les-tg") {
        Err(TruthError::SelectorAmbiguous { selector, matches }) => {
            assert_eq!(selector, "les-tg");
            assert_eq!(matches, ["les-tg-a", "les-tg-b"]);
        }
        other => panic!("expected SelectorAmbiguous, got {other:?}"),
    }
}

#[test]
fn latest_tie_is_ambiguous() {
    let root = tempdir();
    write_truth(root.path(), "twin-a", "cpu", created(3), 4, 1);
    write_truth(root.path(), "twin-b", "gpu", created(3), 4, 1);
    let err = resolve(root.path(), "latest").unwrap_err();
    assert!(matches!(&err, TruthError::SelectorAmbiguous { matches, .. } if matches == &["twin-a", "twin-b"]), "{err}");
    assert_eq!(resolve(root.path(), "latest:gpu").unwrap(), root.path().join("twin-b"));
}

#[test]
fn missing_id_lists_what_exists() {
    let root = selector_root();
    let err = resolve(root.path(), "nope").unwrap_err();
    match &err {
        TruthError::SelectorNotFound { selector, available } => {
            assert_eq!(selector, "nope");
            assert_eq!(available, &["les-tg-a", "les-tg-b", "les-mcw-c"]);
        }
        other => panic!("expected SelectorNotFound, got {other:?}"),
    }
    assert!(err.to_string().contains("les-mcw-c"), "{err}");
    let err = resolve(root.path(), "latest:tpu").unwrap_err();
    assert!(matches!(&err, TruthError::SelectorNotFound { available, .. } if available.len() == 3), "{err}");
    assert!(err.to_string().contains("les-tg-b (backend_used = gpu)"), "{err}");
    assert!(matches!(resolve(root.path(), ""), Err(TruthError::SelectorNotFound { .. })));
}

#[test]
fn missing_manifest() {
    let root = tempdir();
    match resolve(root.path(), "latest") {
        Err(TruthError::NoManifest { selector, manifest }) => {
            assert_eq!(selector, "latest");
            assert_eq!(manifest, root.path().join("manifest.json"));
        }
        other => panic!("expected NoManifest, got {other:?}"),
    }
}

#[test]
fn corrupt_manifest_is_an_error_and_is_kept() {
    let root = selector_root();
    let manifest = root.path().join("manifest.json");
    for garbage in [&b"{\"truths\": [ oops"[..], b"[]", b"{\"format\": \"other\", \"version\": 1, \"truths\": []}"] {
        std::fs::write(&manifest, garbage).unwrap();
        match resolve(root.path(), "latest") {
            Err(TruthError::Corrupt { path, .. }) => assert_eq!(path, manifest),
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(matches!(
            TruthWriter::create(root.path(), meta("after-corruption", "cpu", 4, created(30))),
            Err(TruthError::Corrupt { .. })
        ));
        assert_eq!(std::fs::read(&manifest).unwrap(), garbage);
    }
    assert!(!root.path().join(".after-corruption.partial").exists());
}

#[test]
fn manifest_entries_must_point_inside_the_root_at_a_truth() {
    let root = selector_root();
    let manifest = root.path().join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"path\": \"les-tg-a\"", "\"path\": \"../les-tg-a\"")).unwrap();
    assert!(matches!(resolve(root.path(), "latest"), Err(TruthError::Corrupt { .. })));

    std::fs::write(&manifest, &text).unwrap();
    std::fs::remove_dir_all(root.path().join("les-mcw-c")).unwrap();
    let err = resolve(root.path(), "latest").unwrap_err();
    assert!(matches!(&err, TruthError::Corrupt { reason, .. } if reason.contains("les-mcw-c")), "{err}");
}

/// Replaces the first occurrence of `from` by `to` in `path`.
fn patch(path: &Path, from: &[u8], to: &[u8]) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.windows(from.len()).position(|w| w == from).expect("pattern present");
    bytes.splice(at..at + from.len(), to.iter().copied());
    std::fs::write(path, bytes).unwrap();
}

/// Opens a fresh copy of a 2-frame truth after `damage` and returns the NPY problem.
fn npy_problem_after(file: &str, damage: impl FnOnce(&Path)) -> NpyProblem {
    let root = tempdir();
    let dir = write_truth(root.path(), "victim", "cpu", created(0), 4, 2);
    let path = dir.join(file);
    damage(&path);
    match Truth::open(&dir) {
        Err(TruthError::Npy { path: reported, problem }) => {
            assert_eq!(reported, path);
            problem
        }
        other => panic!("expected an NPY error for {file}, got {other:?}"),
    }
}

#[test]
fn corrupt_npy_files_give_typed_errors() {
    let truncate =
        |len: u64| move |path: &Path| std::fs::File::options().write(true).open(path).unwrap().set_len(len).unwrap();
    let file_len = 128 + 2 * 16 * 4;

    let problem = npy_problem_after("omega.npy", truncate(file_len - 4));
    assert_eq!(problem, NpyProblem::DataLength { shape: vec![2, 4, 4], expected_bytes: 128, found_bytes: 124 });
    assert!(matches!(npy_problem_after("omega.npy", truncate(5)), NpyProblem::TruncatedHeader { file_bytes: 5, .. }));
    assert!(matches!(npy_problem_after("omega.npy", truncate(0)), NpyProblem::TruncatedHeader { .. }));
    assert!(matches!(npy_problem_after("omega.npy", truncate(60)), NpyProblem::TruncatedHeader { .. }));
    assert_eq!(npy_problem_after("omega.npy", |p| patch(p, b"\x93NUMPY", b"\x93NUMPZ")), NpyProblem::BadMagic);
    assert_eq!(
        npy_problem_after("omega.npy", |p| patch(p, b"NUMPY\x01\x00", b"NUMPY\x09\x00")),
        NpyProblem::UnsupportedVersion { major: 9, minor: 0 }
    );
    assert_eq!(
        npy_problem_after("omega.npy", |p| patch(p, b"'<f4'", b"'>f4'")),
        NpyProblem::UnsupportedDescr { found: ">f4".into(), expected: "<f4" }
    );
    assert_eq!(
        npy_problem_after("omega.npy", |p| patch(p, b"'fortran_order': False", b"'fortran_order': True ")),
        NpyProblem::FortranOrder
    );
    assert_eq!(
        npy_problem_after("omega.npy", |p| patch(p, b"(2, 4, 4)", b"(2, 16)  ")),
        NpyProblem::UnexpectedRank { expected: 3, shape: vec![2, 16] }
    );
    assert!(matches!(
        npy_problem_after("omega.npy", |p| patch(p, b"(2, 4, 4)", b"(2, 4, 4")),
        NpyProblem::MalformedHeader { .. }
    ));
    assert!(matches!(
        npy_problem_after("omega.npy", |p| patch(p, b"'shape'", b"'shapf'")),
        NpyProblem::MalformedHeader { .. }
    ));
    assert!(matches!(
        npy_problem_after("omega.npy", |p| patch(p, b"(2, 4, 4)", b"(99999999999999999999, 4, 4)")),
        NpyProblem::ShapeOverflow { .. } | NpyProblem::MalformedHeader { .. }
    ));
    assert!(matches!(
        npy_problem_after("omega.npy", |p| patch(p, b"(2, 4, 4)", b"(2305843009213693952, 4, 4)")),
        NpyProblem::ShapeOverflow { .. }
    ));
    let problem = npy_problem_after("t.npy", |p| {
        let mut bytes = std::fs::read(p).unwrap();
        bytes.extend_from_slice(&[0; 8]);
        std::fs::write(p, bytes).unwrap();
    });
    assert_eq!(problem, NpyProblem::DataLength { shape: vec![2], expected_bytes: 16, found_bytes: 24 });
    assert!(matches!(
        npy_problem_after("spectrum.npy", |p| patch(p, b"'<f8'", b"'<f4'")),
        NpyProblem::UnsupportedDescr { .. }
    ));
}

#[test]
fn inconsistent_or_damaged_truths_are_refused() {
    let root = tempdir();
    let dir = write_truth(root.path(), "victim", "cpu", created(0), 4, 2);
    let keep = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let (meta_json, csv, omega_npy) = (keep("meta.json"), keep("diagnostics.csv"), keep("omega.npy"));

    patch(&dir.join("meta.json"), b"\"frames\": 2", b"\"frames\": 3");
    match Truth::open(&dir) {
        Err(TruthError::ShapeMismatch { expected, found, .. }) => {
            assert_eq!((expected, found), (vec![3, 4, 4], vec![2, 4, 4]));
        }
        other => panic!("expected ShapeMismatch, got {other:?}"),
    }
    std::fs::write(dir.join("meta.json"), b"{ not json").unwrap();
    assert!(matches!(Truth::open(&dir), Err(TruthError::Corrupt { path, .. }) if path == dir.join("meta.json")));
    std::fs::write(dir.join("meta.json"), &meta_json).unwrap();

    let text = String::from_utf8(csv.clone()).unwrap();
    let without_last_row: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("diagnostics.csv"), without_last_row).unwrap();
    assert!(matches!(Truth::open(&dir), Err(TruthError::Corrupt { path, .. }) if path == dir.join("diagnostics.csv")));
    std::fs::write(dir.join("diagnostics.csv"), text.replacen("step,", "stop,", 1)).unwrap();
    assert!(matches!(Truth::open(&dir), Err(TruthError::Corrupt { .. })));
    std::fs::write(dir.join("diagnostics.csv"), &csv).unwrap();

    let mut nan = omega_npy.clone();
    let at = 128 + 16 * 4 + 3 * 4;
    nan[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    std::fs::write(dir.join("omega.npy"), nan).unwrap();
    match Truth::open(&dir) {
        Err(TruthError::NonFinite { frame, index, .. }) => assert_eq!((frame, index), (1, 3)),
        other => panic!("expected NonFinite, got {other:?}"),
    }
    std::fs::remove_file(dir.join("omega.npy")).unwrap();
    assert!(matches!(Truth::open(&dir), Err(TruthError::Io { path, .. }) if path == dir.join("omega.npy")));
    std::fs::write(dir.join("omega.npy"), &omega_npy).unwrap();
    Truth::open(&dir).unwrap();
}

#[test]
fn bad_frames_are_rejected_and_the_writer_stays_usable() {
    let root = tempdir();
    let mut writer = TruthWriter::create(root.path(), meta("strict", "cpu", 4, created(0))).unwrap();
    let mut field = omega(4, 0);
    field[5] = f64::NAN;
    match writer.push_frame(&field, &spectrum(0), row(0)) {
        Err(TruthError::NonFinite { frame, index, value, .. }) => {
            assert_eq!((frame, index), (0, 5));
            assert!(value.is_nan());
        }
        other => panic!("expected NonFinite, got {other:?}"),
    }
    field[5] = 1e39; // finite in f64, infinite in f32
    assert!(matches!(writer.push_frame(&field, &spectrum(0), row(0)), Err(TruthError::NonFinite { index: 5, .. })));
    let mut bad_spectrum = spectrum(0);
    bad_spectrum[2] = f64::INFINITY;
    assert!(matches!(
        writer.push_frame(&omega(4, 0), &bad_spectrum, row(0)),
        Err(TruthError::NonFinite { index: 2, .. })
    ));
    let bad_row = DiagnosticsRow { cfl: f64::NAN, ..row(0) };
    assert!(matches!(writer.push_frame(&omega(4, 0), &spectrum(0), bad_row), Err(TruthError::NonFinite { .. })));
    match writer.push_frame(&omega(4, 0)[..15], &spectrum(0), row(0)) {
        Err(TruthError::ShapeMismatch { expected, found, .. }) => assert_eq!((expected, found), (vec![16], vec![15])),
        other => panic!("expected ShapeMismatch, got {other:?}"),
    }
    assert_eq!(writer.frames(), 0);

    writer.push_frame(&omega(4, 0), &spectrum(0), row(0)).unwrap();
    assert!(matches!(
        writer.push_frame(&omega(4, 1), &spectrum(1)[..3], row(1)),
        Err(TruthError::ShapeMismatch { .. })
    ));
    writer.push_frame(&omega(4, 1), &spectrum(1), row(1)).unwrap();
    let truth = Truth::open(&writer.finish().unwrap()).unwrap();
    assert_eq!(truth.frame_count(), 2);
    assert_eq!(truth.diagnostics(), &[row(0), row(1)]);
}

#[test]
fn invalid_metadata_is_refused_before_anything_is_written() {
    let root = tempdir();
    for bad in [
        TruthMeta { truth_id: "../escape".into(), ..meta("x", "cpu", 4, created(0)) },
        TruthMeta { truth_id: "latest".into(), ..meta("x", "cpu", 4, created(0)) },
        meta("no-backend", "", 4, created(0)),
        meta("no-grid", "cpu", 0, created(0)),
        TruthMeta { stored_dtype: "f64".into(), ..meta("x", "cpu", 4, created(0)) },
    ] {
        let err = TruthWriter::create(root.path(), bad).unwrap_err();
        assert!(matches!(err, TruthError::InvalidTruthId { .. } | TruthError::InvalidMeta { .. }), "{err}");
    }
    assert!(names_in(root.path()).is_empty());
}

#[test]
fn default_truth_ids_are_descriptive_and_unique() {
    let root = tempdir();
    let at = Timestamp::parse_rfc3339("2026-05-01T12:34:56.5Z").unwrap();
    let id = default_truth_id(root.path(), "Taylor-Green", 128, 42, "gpu", at);
    assert_eq!(id, "les-taylor-green-n128-s42-gpu-20260501T123456Z");
    write_truth(root.path(), &id, "gpu", at, 4, 1);
    let second = default_truth_id(root.path(), "Taylor-Green", 128, 42, "gpu", at);
    assert_eq!(second, format!("{id}-2"));
    let _busy = TruthWriter::create(root.path(), meta(&second, "gpu", 4, at)).unwrap();
    assert_eq!(default_truth_id(root.path(), "Taylor-Green", 128, 42, "gpu", at), format!("{id}-3"));
}

/// A Python interpreter that can `import numpy`: `$DASHI_PYTHON`, `/usr/bin/python3`, then
/// `python3` on the PATH.
fn python_with_numpy() -> Option<String> {
    let candidates =
        std::env::var("DASHI_PYTHON").ok().into_iter().chain(["/usr/bin/python3".into(), "python3".into()]);
    candidates
        .into_iter()
        .find(|python| Command::new(python).args(["-c", "import numpy"]).output().is_ok_and(|out| out.status.success()))
}

const NUMPY_CHECK: &str = r#"
import json, sys
import numpy as np
d = sys.argv[1]
omega = np.load(d + "/omega.npy")
t = np.load(d + "/t.npy")
spectrum = np.load(d + "/spectrum.npy")
mapped = np.load(d + "/omega.npy", mmap_mode="r")
print(json.dumps({
    "omega": [list(omega.shape), str(omega.dtype), bool(omega.flags["C_CONTIGUOUS"])],
    "t": [list(t.shape), str(t.dtype)],
    "spectrum": [list(spectrum.shape), str(spectrum.dtype)],
    "omega_values": [float(omega[0, 0, 0]), float(omega[1, 2, 3]), float(omega[2, 7, 7])],
    "omega_sum": float(omega.astype(np.float64).sum()),
    "mapped_equal": bool((mapped == omega).all()),
    "t_values": t.tolist(),
    "spectrum_values": [float(spectrum[0, 0]), float(spectrum[2, 4])],
}))
"#;

#[test]
fn numpy_load() {
    let Some(python) = python_with_numpy() else {
        assert!(
            std::env::var("DASHI_REQUIRE_NUMPY").as_deref() != Ok("1"),
            "DASHI_REQUIRE_NUMPY=1 but no python3 with numpy was found (tried $DASHI_PYTHON, /usr/bin/python3, python3)"
        );
        println!("skipped: numpy_load (no python3 with numpy)");
        return;
    };
    let root = tempdir();
    let dir = write_truth(root.path(), "for-numpy", "cpu", created(0), 8, 3);
    let out = Command::new(&python).arg("-c").arg(NUMPY_CHECK).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{python} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    assert_eq!(report["omega"], serde_json::json!([[3, 8, 8], "float32", true]));
    assert_eq!(report["t"], serde_json::json!([[3], "float64"]));
    assert_eq!(report["spectrum"], serde_json::json!([[3, SHELLS], "float64"]));
    let value = |k: usize, iy: usize, ix: usize| omega(8, k)[iy * 8 + ix] as f32 as f64;
    assert_eq!(report["omega_values"], serde_json::json!([value(0, 0, 0), value(1, 2, 3), value(2, 7, 7)]));
    let sum: f64 = (0..3).flat_map(|k| omega(8, k)).map(|v| v as f32 as f64).sum();
    assert_eq!(report["omega_sum"].as_f64().unwrap(), sum);
    assert_eq!(report["mapped_equal"], true);
    assert_eq!(report["t_values"], serde_json::json!([row(0).time, row(1).time, row(2).time]));
    assert_eq!(report["spectrum_values"], serde_json::json!([spectrum(0)[0], spectrum(2)[4]]));
}
