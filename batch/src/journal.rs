//! Journals: every finished replicate appended to its worker's file, so that a study that
//! was stopped (a killed process, a lost machine: timely is fail-stop) resumes where it
//! stopped instead of starting over.
//!
//! Each worker appends to `DIR/worker-<index>.rows` one record per row: its length as eight
//! little-endian bytes, then the row in bincode (timely's own wire format, exact for every
//! `f64`, NaN included). A record cut short by a crash is the file's last; it is ignored and
//! its replicate runs again. Because a replicate's row depends only on (study seed, key),
//! a resumed study's rows are bitwise those of an uninterrupted run.

use crate::BatchError;
use crate::hash::replicate_seed;
use crate::study::{Key, Row, Value};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The journal file of worker `index` in `dir`.
fn file_of(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("worker-{index}.rows"))
}

/// Appends rows to one worker's journal.
pub(crate) struct JournalWriter {
    path: PathBuf,
    file: BufWriter<File>,
}

impl JournalWriter {
    /// Opens (creating `dir` and the file if needed) worker `index`'s journal for appending.
    pub(crate) fn open(dir: &Path, index: usize) -> Result<Self, BatchError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| BatchError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = file_of(dir, index);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        Ok(JournalWriter {
            path,
            file: BufWriter::new(file),
        })
    }

    /// Appends `row` and hands it to the operating system (a crash of this process after
    /// the call keeps it).
    pub(crate) fn append<K: Key, R: Value>(&mut self, row: &Row<K, R>) -> Result<(), BatchError> {
        let bytes = bincode::serialize(row).map_err(|e| self.error(e.to_string()))?;
        let length = (bytes.len() as u64).to_le_bytes();
        let written = self
            .file
            .write_all(&length)
            .and_then(|()| self.file.write_all(&bytes))
            .and_then(|()| self.file.flush());
        written.map_err(|source| BatchError::Io {
            path: self.path.clone(),
            source,
        })
    }

    fn error(&self, message: String) -> BatchError {
        BatchError::Journal {
            path: self.path.clone(),
            message,
        }
    }
}

/// The rows journaled in `dir` for the study of `keys` with seed `study_seed`, by key.
///
/// Rows of keys outside the study are left out (the study may have shrunk); a row whose seed
/// is not the one this study gives its key means the journal belongs to another study, an
/// error rather than a silent mix.
pub(crate) fn journaled_rows<K: Key, R: Value>(
    dir: &Path,
    keys: &[K],
    study_seed: u64,
) -> Result<BTreeMap<K, Row<K, R>>, BatchError> {
    let mut rows = BTreeMap::new();
    if !dir.exists() {
        return Ok(rows);
    }
    let wanted: std::collections::BTreeSet<&K> = keys.iter().collect();
    for path in journal_files(dir)? {
        for row in read_file::<K, R>(&path)? {
            if !wanted.contains(&row.key) {
                continue;
            }
            let expected = replicate_seed(study_seed, &row.key);
            if row.seed != expected {
                return Err(BatchError::Journal {
                    path,
                    message: format!(
                        "key {:?} ran with seed {:#x}, but this study gives it {expected:#x}: \
                         the journal belongs to another study (use another directory)",
                        row.key, row.seed
                    ),
                });
            }
            rows.insert(row.key.clone(), row);
        }
    }
    Ok(rows)
}

/// The journal files in `dir`, in name order.
fn journal_files(dir: &Path) -> Result<Vec<PathBuf>, BatchError> {
    let io = |source| BatchError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "rows") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The complete records of one journal file (a cut-off last record is dropped).
fn read_file<K: Key, R: Value>(path: &Path) -> Result<Vec<Row<K, R>>, BatchError> {
    let bytes = std::fs::read(path).map_err(|source| BatchError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rows = Vec::new();
    let mut rest = bytes.as_slice();
    while rest.len() >= 8 {
        let (length, body) = rest.split_at(8);
        let length = u64::from_le_bytes(length.try_into().expect("eight bytes")) as usize;
        if body.len() < length {
            break;
        }
        let (record, after) = body.split_at(length);
        let row = bincode::deserialize(record).map_err(|e| BatchError::Journal {
            path: path.to_path_buf(),
            message: format!("record {}: {e}", rows.len() + 1),
        })?;
        rows.push(row);
        rest = after;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::Outcome;

    fn row(key: u64, study_seed: u64, value: f64) -> Row<u64, f64> {
        Row {
            key,
            seed: replicate_seed(study_seed, &key),
            outcome: Outcome::Ok(value),
        }
    }

    #[test]
    fn rows_come_back_bitwise_and_a_cut_record_is_dropped() {
        let dir = std::env::temp_dir().join(format!("doppl-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut writer = JournalWriter::open(&dir, 3).unwrap();
        for (k, v) in [(1, 0.1 + 0.2), (2, f64::NAN), (5, -0.0)] {
            writer.append(&row(k, 9, v)).unwrap();
        }
        drop(writer);
        // A crash in the middle of the fourth record.
        let path = file_of(&dir, 3);
        let mut cut = std::fs::read(&path).unwrap();
        cut.extend_from_slice(&100u64.to_le_bytes());
        cut.extend_from_slice(&[1, 2, 3]);
        std::fs::write(&path, cut).unwrap();
        let rows = journaled_rows::<u64, f64>(&dir, &[1, 2, 3], 9).unwrap();
        assert_eq!(rows.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
        let Outcome::Ok(v) = rows[&1].outcome else {
            panic!("an Ok row")
        };
        assert_eq!(v.to_bits(), (0.1f64 + 0.2).to_bits());
        assert!(matches!(rows[&2].outcome, Outcome::Ok(v) if v.is_nan()));
        // Another study's seed is an error naming the key.
        let other = journaled_rows::<u64, f64>(&dir, &[1], 10).unwrap_err();
        assert!(other.to_string().contains("key 1"), "{other}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
