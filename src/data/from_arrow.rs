//! Reading a [`Table`] from an Arrow `RecordBatch` (feature `arrow`).
//!
//! The batch's columns are kept as they are (no copy) and read cell by cell when a model
//! asks for a column: integers and booleans as exact integers, floats as floats, strings
//! and dictionaries of strings as labels; a null is a bad cell wherever a value is needed.

use super::{Cell, Column, DataError, Table};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use std::borrow::Cow;

impl Table {
    /// Model data from an Arrow record batch: one column per field, named by the schema;
    /// `source_name` names the batch in errors, whose locations are rows counted from 0.
    ///
    /// ```
    /// use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
    /// use doppl::data::Table;
    /// use std::sync::Arc;
    /// let batch = RecordBatch::try_from_iter([
    ///     ("age", Arc::new(Float64Array::from(vec![30.0, 41.0, 25.0])) as ArrayRef),
    ///     ("visits", Arc::new(Int64Array::from(vec![2, 0, 7])) as ArrayRef),
    ///     ("region", Arc::new(StringArray::from(vec!["north", "south", "north"])) as ArrayRef),
    /// ])
    /// .unwrap();
    /// let table = Table::from_record_batch("units", &batch);
    /// assert_eq!(table.column("age").unwrap().as_slice(), &[30.0, 41.0, 25.0]);
    /// assert_eq!(table.counts("visits").unwrap().as_slice(), &[2, 0, 7]);
    /// assert_eq!(table.indices("region").unwrap().0, vec![0, 1, 0]);
    /// let err = table.counts("age").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "units, row 0 (counting from 0): column `age` holds `30`, not a count (a \
    ///      non-negative integer)"
    /// );
    /// ```
    pub fn from_record_batch(source_name: &str, batch: &RecordBatch) -> Self {
        let schema = batch.schema();
        Table {
            source_name: source_name.to_string(),
            header: schema.fields().iter().map(|f| f.name().clone()).collect(),
            columns: batch.columns().iter().cloned().map(Column::Arrow).collect(),
            lines: None,
            len: batch.num_rows(),
        }
    }
}

/// A reader of one column's cells by row.
type CellReader<'a> = Box<dyn Fn(usize) -> Cell<'a> + 'a>;

/// The reader of `array`'s cells, or [`DataError::ColumnType`] for a type that holds no
/// numbers or labels (dates, lists, structs, binary).
pub(super) fn cell_reader<'a>(
    source_name: &str,
    column: &str,
    array: &'a ArrayRef,
) -> Result<CellReader<'a>, DataError> {
    reader_of(array.as_ref()).ok_or_else(|| DataError::ColumnType {
        source_name: source_name.to_string(),
        column: column.to_string(),
        data_type: array.data_type().to_string(),
    })
}

/// A reader for the primitive array types, tried in turn.
macro_rules! primitive_readers {
    ($array:ident, $( $ty:ty => $cell:ident ),* $(,)?) => {
        $(
            if let Some(values) = $array.as_primitive_opt::<$ty>() {
                return Some(Box::new(move |row| match values.is_null(row) {
                    true => Cell::Null,
                    false => Cell::$cell(values.value(row).into()),
                }));
            }
        )*
    };
}

fn reader_of(array: &dyn Array) -> Option<CellReader<'_>> {
    primitive_readers!(array,
        Float64Type => Float, Float32Type => Float,
        Int8Type => Integer, Int16Type => Integer, Int32Type => Integer, Int64Type => Integer,
        UInt8Type => Integer, UInt16Type => Integer, UInt32Type => Integer, UInt64Type => Integer,
    );
    if let Some(values) = array.as_boolean_opt() {
        return Some(Box::new(move |row| match values.is_null(row) {
            true => Cell::Null,
            false => Cell::Integer(values.value(row).into()),
        }));
    }
    if let Some(text) = text_reader(array) {
        return Some(text);
    }
    let dictionary = array.as_any_dictionary_opt()?;
    if dictionary.values().is_empty() {
        // No values: every row is null (and arrow's `normalized_keys` would panic).
        return Some(Box::new(|_| Cell::Null));
    }
    let keys = dictionary.normalized_keys();
    let values = reader_of(dictionary.values().as_ref())?;
    Some(Box::new(move |row| match array.is_null(row) {
        true => Cell::Null,
        false => values(keys[row]),
    }))
}

/// A reader for the three string layouts (32- and 64-bit offsets, views).
fn text_reader(array: &dyn Array) -> Option<CellReader<'_>> {
    let text = move |row: usize, value: &str| match array.is_null(row) {
        true => Cell::Null,
        false => Cell::Text(Cow::Owned(value.trim().to_string())),
    };
    if let Some(strings) = array.as_string_opt::<i32>() {
        return Some(Box::new(move |row| text(row, strings.value(row))));
    }
    if let Some(strings) = array.as_string_opt::<i64>() {
        return Some(Box::new(move |row| text(row, strings.value(row))));
    }
    let strings = array.as_string_view_opt()?;
    Some(Box::new(move |row| text(row, strings.value(row))))
}
