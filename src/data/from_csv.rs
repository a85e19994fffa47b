//! Reading a [`Table`] from CSV text with the `csv` crate.

use super::{Column, DataError, Table};
use std::io::Read;

impl Table {
    /// Reads a CSV file with a header line.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self, DataError> {
        let path = path.as_ref();
        let source_name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|error| DataError::Io {
            source_name: source_name.clone(),
            error,
        })?;
        Self::from_reader(&source_name, file)
    }

    /// Reads CSV text with a header line from `reader`; `source_name` names it in errors.
    /// A UTF-8 byte-order mark is skipped, quoted fields are unquoted, cells are trimmed.
    pub fn from_reader(source_name: &str, mut reader: impl Read) -> Result<Self, DataError> {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(|error| DataError::Io {
                source_name: source_name.to_string(),
                error,
            })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let csv_error = |e: csv::Error| DataError::Csv {
            source_name: source_name.to_string(),
            message: e.to_string(),
        };
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header: Vec<String> = csv
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(String::from)
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(DataError::Empty {
                source_name: source_name.to_string(),
            });
        }
        let mut columns = vec![Vec::new(); header.len()];
        let mut lines = Vec::new();
        for record in csv.records() {
            let record = record.map_err(csv_error)?;
            lines.push(record.position().map_or(0, |p| p.line()));
            for (column, cell) in columns.iter_mut().zip(&record) {
                column.push(cell.to_string());
            }
        }
        Ok(Table {
            source_name: source_name.to_string(),
            header,
            columns: columns.into_iter().map(Column::Text).collect(),
            len: lines.len(),
            lines: Some(lines),
        })
    }
}
