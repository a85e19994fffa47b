//! Model data from CSV: named columns as `DVector<f64>`, a `DMatrix<f64>` of several
//! columns, counts, or group indices, with typed errors that name the file, the column, the
//! row and the value.
//!
//! ```
//! use doppl::data::Table;
//! let csv = "id,age,treat,region\nA,30,1,north\nB,41,0,south\nC,25,1,north\n";
//! let table = Table::from_reader("units.csv", csv.as_bytes()).unwrap();
//! assert_eq!(table.len(), 3);
//! assert_eq!(table.column("age").unwrap().as_slice(), &[30.0, 41.0, 25.0]);
//! let x = table.matrix(&["age", "treat"]).unwrap();
//! assert_eq!((x.nrows(), x.ncols(), x[(1, 0)]), (3, 2, 41.0));
//! let (region, levels) = table.indices("region").unwrap();
//! assert_eq!((region, levels), (vec![0, 1, 0], vec!["north".to_string(), "south".to_string()]));
//! let err = table.column("income").unwrap_err();
//! assert!(err.to_string().contains("its columns: id, age, treat, region"), "{err}");
//! ```

use nalgebra::{DMatrix, DVector};
use std::io::Read;

/// What can go wrong when reading model data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be read.
    #[error("cannot read {source_name}: {error}")]
    Io {
        /// The file.
        source_name: String,
        /// Why.
        error: std::io::Error,
    },
    /// The CSV itself is malformed (a row with another number of fields, invalid UTF-8).
    #[error("{source_name}: {message}")]
    Csv {
        /// The file.
        source_name: String,
        /// What the CSV reader said.
        message: String,
    },
    /// No header (an empty file).
    #[error("{source_name} is empty: a header line with the column names is needed")]
    Empty {
        /// The file.
        source_name: String,
    },
    /// A column that is not in the header.
    #[error("{source_name} has no column `{column}` (its columns: {})", header.join(", "))]
    MissingColumn {
        /// The file.
        source_name: String,
        /// The column asked for.
        column: String,
        /// The header.
        header: Vec<String>,
    },
    /// A cell that is not what the column should hold.
    #[error("{source_name}, line {line}: column `{column}` holds `{value}`, not {expected}")]
    BadCell {
        /// The file.
        source_name: String,
        /// The line in the file (the header is line 1).
        line: u64,
        /// The column.
        column: String,
        /// The cell as written.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
}

/// A CSV file held in memory, read by column name.
#[derive(Clone, Debug)]
pub struct Table {
    source_name: String,
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

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
        let rows = csv
            .records()
            .map(|r| {
                let r = r.map_err(csv_error)?;
                let line = r.position().map_or(0, |p| p.line());
                Ok((line, r.iter().map(String::from).collect()))
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        Ok(Table {
            source_name: source_name.to_string(),
            header,
            rows,
        })
    }

    /// The number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    fn position(&self, column: &str) -> Result<usize, DataError> {
        self.header
            .iter()
            .position(|h| h == column)
            .ok_or_else(|| DataError::MissingColumn {
                source_name: self.source_name.clone(),
                column: column.to_string(),
                header: self.header.clone(),
            })
    }

    /// Every cell of `column` parsed by `parse`, or the first bad cell.
    fn cells<T>(
        &self,
        column: &str,
        expected: &'static str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, DataError> {
        let k = self.position(column)?;
        self.rows
            .iter()
            .map(|(line, cells)| {
                parse(&cells[k]).ok_or_else(|| DataError::BadCell {
                    source_name: self.source_name.clone(),
                    line: *line,
                    column: column.to_string(),
                    value: cells[k].clone(),
                    expected,
                })
            })
            .collect()
    }

    /// A column of finite numbers.
    pub fn column(&self, column: &str) -> Result<DVector<f64>, DataError> {
        let values = self.cells(column, "a finite number", |c| {
            c.parse::<f64>().ok().filter(|v| v.is_finite())
        })?;
        Ok(DVector::from_vec(values))
    }

    /// Several columns of finite numbers as the columns of a matrix (a design matrix).
    pub fn matrix(&self, columns: &[&str]) -> Result<DMatrix<f64>, DataError> {
        let parts = columns
            .iter()
            .map(|c| self.column(c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DMatrix::from_fn(self.len(), columns.len(), |i, j| {
            parts[j][i]
        }))
    }

    /// A column of counts (non-negative integers), for `Poisson` / `Binomial` sites.
    pub fn counts(&self, column: &str) -> Result<DVector<u64>, DataError> {
        let values = self.cells(column, "a count (a non-negative integer)", |c| {
            c.parse::<u64>().ok()
        })?;
        Ok(DVector::from_vec(values))
    }

    /// A column of labels as group indices 0, 1, … in the order the labels first appear, and
    /// the labels (`alpha.gather(&group)` in a model).
    pub fn indices(&self, column: &str) -> Result<(Vec<usize>, Vec<String>), DataError> {
        let labels = self.cells(column, "a label", |c| Some(c.to_string()))?;
        let mut levels: Vec<String> = Vec::new();
        let codes = labels
            .into_iter()
            .map(|l| match levels.iter().position(|v| *v == l) {
                Some(i) => i,
                None => {
                    levels.push(l);
                    levels.len() - 1
                }
            })
            .collect();
        Ok((codes, levels))
    }
}
