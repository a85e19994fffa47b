//! One CSV row per replicate, so that a study can be audited or its failures rerun alone.

use crate::BatchError;
use crate::study::{Outcome, Row};
use std::path::Path;

/// How a key or a result becomes CSV columns. Numbers should go through [`format_f64`] so
/// that bitwise-identical results give byte-identical files: the determinism tests compare
/// files, and a reviewer can `cmp` two runs.
pub trait Columns {
    /// The column names, in order.
    fn columns() -> Vec<&'static str>;
    /// This value's fields, one per column.
    fn values(&self) -> Vec<String>;
}

/// A bare integer key: one column `key`.
impl Columns for u64 {
    fn columns() -> Vec<&'static str> {
        vec!["key"]
    }

    fn values(&self) -> Vec<String> {
        vec![self.to_string()]
    }
}

/// A bare number as a result: one column `value`.
impl Columns for f64 {
    fn columns() -> Vec<&'static str> {
        vec!["value"]
    }

    fn values(&self) -> Vec<String> {
        vec![format_f64(*self)]
    }
}

/// A bare yes/no result (a decision): one column `value`, `true` or `false`.
impl Columns for bool {
    fn columns() -> Vec<&'static str> {
        vec!["value"]
    }

    fn values(&self) -> Vec<String> {
        vec![self.to_string()]
    }
}

/// The shortest decimal that reads back as the same `f64` (Rust's `{:?}`): equal bits give
/// equal text, different values different text, with an exponent for very small or large
/// magnitudes instead of hundreds of digits.
///
/// ```
/// use doppl_batch::format_f64;
/// assert_eq!(format_f64(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(format_f64(1e-300), "1e-300");
/// assert_eq!(format_f64(2.0), "2.0");
/// assert_eq!(format_f64(f64::NAN), "NaN");
/// ```
pub fn format_f64(x: f64) -> String {
    format!("{x:?}")
}

/// The header: key columns, `seed`, `status`, `message`, result columns.
fn header<K: Columns, R: Columns>() -> Vec<&'static str> {
    let mut names = K::columns();
    names.extend(["seed", "status", "message"]);
    names.extend(R::columns());
    names
}

/// A row's fields; a failed row has empty result columns and its message.
fn fields<K: Columns, R: Columns>(row: &Row<K, R>) -> Vec<String> {
    let mut fields = row.key.values();
    fields.push(row.seed.to_string());
    match &row.outcome {
        Outcome::Ok(result) => {
            fields.extend(["ok".to_string(), String::new()]);
            fields.extend(result.values());
        }
        Outcome::Failed(message) => {
            fields.extend(["failed".to_string(), message.clone()]);
            fields.extend(R::columns().iter().map(|_| String::new()));
        }
    }
    fields
}

/// The CSV text of `rows` (header first), quoted where a message needs it.
///
/// ```
/// use doppl_batch::{Outcome, Row, csv_bytes};
/// let rows = vec![
///     Row { key: 1u64, seed: 9, outcome: Outcome::Ok(0.5) },
///     Row { key: 2u64, seed: 4, outcome: Outcome::Failed("no, \"never\"".into()) },
/// ];
/// let text = String::from_utf8(csv_bytes(&rows).unwrap()).unwrap();
/// assert_eq!(text, "key,seed,status,message,value\n1,9,ok,,0.5\n2,4,failed,\"no, \"\"never\"\"\",\n");
/// ```
pub fn csv_bytes<K: Columns, R: Columns>(rows: &[Row<K, R>]) -> Result<Vec<u8>, BatchError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header::<K, R>())?;
    for row in rows {
        writer.write_record(fields(row))?;
    }
    writer
        .into_inner()
        .map_err(|e| BatchError::Csv(e.into_error().into()))
}

/// Writes `rows` to `path` through a temporary file beside it and a rename, so that a
/// reader (or a resumed study) never sees half a file. Call it on process 0, the one that
/// has the rows.
pub fn write_csv<K: Columns, R: Columns>(
    path: &Path,
    rows: &[Row<K, R>],
) -> Result<(), BatchError> {
    let bytes = csv_bytes(rows)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let io = |source| BatchError::Io {
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
