//! Model data by column name: `DVector<f64>` columns, a `DMatrix<f64>` of several columns,
//! counts, or group indices, from a CSV file or (feature `arrow`) an Arrow `RecordBatch`,
//! with typed errors that name the source, the column, the line or row and the value.
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
//!
//! # DataFrames
//!
//! With the cargo feature `arrow`, `Table::from_record_batch` reads an Arrow
//! `RecordBatch` (arrow-rs): what Parquet readers, DuckDB and DataFusion return, and what a
//! Polars `DataFrame` converts to. Polars itself is not a dependency: a clean release build
//! of the README's main command took 5 min 51 s with `polars` 0.55 (no default features)
//! against 1 min 58 s without, past the 5-minute budget for an optional input path; with
//! `arrow` it took 2 min 35 s (figures in BENCHMARKS.md, "Time to first result").

mod from_csv;

#[cfg(feature = "arrow")]
mod from_arrow;

use nalgebra::{DMatrix, DVector};
use std::borrow::Cow;
use std::fmt;

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
    #[error("{source_name}, {location}: column `{column}` holds `{value}`, not {expected}")]
    BadCell {
        /// The file.
        source_name: String,
        /// Where the cell is: its line in a CSV file, its row in a record batch.
        location: Location,
        /// The column.
        column: String,
        /// The cell as written (`null` for a missing value).
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// A record-batch column of an Arrow type that holds no numbers or labels.
    #[error(
        "{source_name}: column `{column}` is of Arrow type {data_type}; model data are read \
         from integer, floating-point, boolean, string and dictionary columns (cast decimals \
         and dates to one of those first)"
    )]
    ColumnType {
        /// The batch.
        source_name: String,
        /// The column.
        column: String,
        /// Its Arrow data type.
        data_type: String,
    },
}

/// Where a cell is in its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A line of a CSV file (the header is line 1).
    Line(u64),
    /// A row of a record batch, counted from 0.
    Row(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(line) => write!(f, "line {line}"),
            Location::Row(row) => write!(f, "row {row} (counting from 0)"),
        }
    }
}

/// One cell as its source holds it (CSV cells are all text).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "arrow"), allow(dead_code))]
enum Cell<'a> {
    Text(Cow<'a, str>),
    Float(f64),
    /// Every Arrow integer type (and booleans as 0/1) fits in an `i128`.
    Integer(i128),
    Null,
}

impl Cell<'_> {
    fn number(&self) -> Option<f64> {
        let v = match self {
            Cell::Text(t) => t.parse::<f64>().ok()?,
            Cell::Float(v) => *v,
            Cell::Integer(v) => *v as f64,
            Cell::Null => return None,
        };
        v.is_finite().then_some(v)
    }

    fn count(&self) -> Option<u64> {
        match self {
            Cell::Text(t) => t.parse::<u64>().ok(),
            Cell::Integer(v) => u64::try_from(*v).ok(),
            Cell::Float(_) | Cell::Null => None,
        }
    }

    /// A group label: text, or an integer code written out. Floats are not labels (0.1 + 0.2
    /// and 0.3 would be two groups).
    fn label(&self) -> Option<String> {
        match self {
            Cell::Text(t) => Some(t.to_string()),
            Cell::Integer(v) => Some(v.to_string()),
            Cell::Float(_) | Cell::Null => None,
        }
    }

    fn written(&self) -> String {
        match self {
            Cell::Text(t) => t.to_string(),
            Cell::Float(v) => v.to_string(),
            Cell::Integer(v) => v.to_string(),
            Cell::Null => "null".to_string(),
        }
    }
}

/// One column of a table.
#[derive(Clone, Debug)]
enum Column {
    /// CSV cells, trimmed and unquoted.
    Text(Vec<String>),
    /// A record-batch column.
    #[cfg(feature = "arrow")]
    Arrow(arrow_array::ArrayRef),
}

/// Model data held in memory (a CSV file or a record batch), read by column name.
#[derive(Clone, Debug)]
pub struct Table {
    source_name: String,
    header: Vec<String>,
    columns: Vec<Column>,
    /// The CSV line of each row; `None` for a record batch (rows are counted from 0).
    lines: Option<Vec<u64>>,
    len: usize,
}

impl Table {
    /// The number of data rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no data rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
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

    fn location(&self, row: usize) -> Location {
        match &self.lines {
            Some(lines) => Location::Line(lines[row]),
            None => Location::Row(row),
        }
    }

    /// Every cell of `column` read by `read`, or the first bad cell.
    fn cells<T>(
        &self,
        column: &str,
        expected: &'static str,
        read: impl Fn(&Cell<'_>) -> Option<T>,
    ) -> Result<Vec<T>, DataError> {
        let bad = |row: usize, cell: &Cell<'_>| DataError::BadCell {
            source_name: self.source_name.clone(),
            location: self.location(row),
            column: column.to_string(),
            value: cell.written(),
            expected,
        };
        match &self.columns[self.position(column)?] {
            Column::Text(cells) => (cells.iter().enumerate())
                .map(|(row, c)| {
                    let cell = Cell::Text(Cow::Borrowed(c));
                    read(&cell).ok_or_else(|| bad(row, &cell))
                })
                .collect(),
            #[cfg(feature = "arrow")]
            Column::Arrow(array) => {
                let cell_at = from_arrow::cell_reader(&self.source_name, column, array)?;
                (0..self.len)
                    .map(|row| {
                        let cell = cell_at(row);
                        read(&cell).ok_or_else(|| bad(row, &cell))
                    })
                    .collect()
            }
        }
    }

    /// A column of finite numbers.
    pub fn column(&self, column: &str) -> Result<DVector<f64>, DataError> {
        let values = self.cells(column, "a finite number", |c| c.number())?;
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
        let values = self.cells(column, "a count (a non-negative integer)", |c| c.count())?;
        Ok(DVector::from_vec(values))
    }

    /// A column of labels (text or integer codes) as group indices 0, 1, … in the order the
    /// labels first appear, and the labels (`alpha.gather(&group)` in a model).
    pub fn indices(&self, column: &str) -> Result<(Vec<usize>, Vec<String>), DataError> {
        let labels = self.cells(column, "a label (text or an integer)", |c| c.label())?;
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
