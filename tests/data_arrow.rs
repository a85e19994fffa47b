//! Model data from Arrow record batches (feature `arrow`): every numeric type, booleans,
//! strings and dictionaries read to the same values as the CSV path; nulls, negative counts,
//! float labels and unsupported types are typed errors naming the column and row.
#![cfg(feature = "arrow")]

use arrow_array::types::Int8Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float32Array, Float64Array, Int16Array,
    Int64Array, LargeStringArray, RecordBatch, StringArray, StringViewArray, UInt64Array,
};
use doppl::data::{DataError, Location, Table};
use std::sync::Arc;

fn batch(columns: Vec<(&str, ArrayRef)>) -> Table {
    Table::from_record_batch("frame", &RecordBatch::try_from_iter(columns).unwrap())
}

#[test]
fn every_numeric_type_reads_exactly() {
    let t = batch(vec![
        (
            "f64",
            Arc::new(Float64Array::from(vec![0.1, -2.5])) as ArrayRef,
        ),
        ("f32", Arc::new(Float32Array::from(vec![0.5, 3.0]))),
        ("i16", Arc::new(Int16Array::from(vec![-7, 12]))),
        ("u64", Arc::new(UInt64Array::from(vec![u64::MAX, 4]))),
        ("flag", Arc::new(BooleanArray::from(vec![true, false]))),
    ]);
    assert_eq!(t.len(), 2);
    assert_eq!(t.header(), &["f64", "f32", "i16", "u64", "flag"]);
    assert_eq!(t.column("f64").unwrap().as_slice(), &[0.1, -2.5]);
    assert_eq!(t.column("f32").unwrap().as_slice(), &[0.5, 3.0]);
    assert_eq!(t.column("flag").unwrap().as_slice(), &[1.0, 0.0]);
    assert_eq!(t.counts("u64").unwrap().as_slice(), &[u64::MAX, 4]);
    assert_eq!(t.counts("flag").unwrap().as_slice(), &[1, 0]);
    let x = t.matrix(&["i16", "f64"]).unwrap();
    assert_eq!((x[(0, 0)], x[(1, 0)], x[(1, 1)]), (-7.0, 12.0, -2.5));
    assert_eq!(
        t.indices("i16").unwrap(),
        (vec![0, 1], vec!["-7".to_string(), "12".to_string()])
    );
}

#[test]
fn strings_and_dictionaries_are_labels() {
    let dictionary: DictionaryArray<Int8Type> = vec!["b", "a", "b", "c"].into_iter().collect();
    let t = batch(vec![
        (
            "utf8",
            Arc::new(StringArray::from(vec!["x", " y ", "x", "z"])) as ArrayRef,
        ),
        (
            "large",
            Arc::new(LargeStringArray::from(vec!["1", "2", "3", "4"])),
        ),
        (
            "view",
            Arc::new(StringViewArray::from(vec!["p", "q", "q", "p"])),
        ),
        ("dict", Arc::new(dictionary)),
    ]);
    let levels = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        t.indices("utf8").unwrap(),
        (vec![0, 1, 0, 2], levels(&["x", "y", "z"]))
    );
    assert_eq!(t.indices("view").unwrap().0, vec![0, 1, 1, 0]);
    assert_eq!(
        t.indices("dict").unwrap(),
        (vec![0, 1, 0, 2], levels(&["b", "a", "c"]))
    );
    // Numbers written as strings parse as the CSV path parses them.
    assert_eq!(t.column("large").unwrap().as_slice(), &[1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn mistakes_are_typed_and_name_the_row() {
    let t = batch(vec![
        (
            "x",
            Arc::new(Float64Array::from(vec![Some(1.0), None, Some(3.0)])) as ArrayRef,
        ),
        ("n", Arc::new(Int64Array::from(vec![3, -1, 0]))),
        ("z", Arc::new(Float64Array::from(vec![0.5, f64::NAN, 1.0]))),
        ("day", Arc::new(Date32Array::from(vec![1, 2, 3]))),
    ]);
    let bad = |e: DataError| match e {
        DataError::BadCell {
            location, value, ..
        } => (location, value),
        other => panic!("expected a bad cell, got {other}"),
    };
    assert_eq!(
        bad(t.column("x").unwrap_err()),
        (Location::Row(1), "null".into())
    );
    assert_eq!(
        bad(t.counts("n").unwrap_err()),
        (Location::Row(1), "-1".into())
    );
    assert_eq!(
        bad(t.column("z").unwrap_err()),
        (Location::Row(1), "NaN".into())
    );
    assert_eq!(
        bad(t.indices("z").unwrap_err()),
        (Location::Row(0), "0.5".into())
    );
    let no_values: DictionaryArray<Int8Type> = vec![None::<&str>, None].into_iter().collect();
    let nulls = batch(vec![("group", Arc::new(no_values) as ArrayRef)]);
    assert_eq!(
        bad(nulls.indices("group").unwrap_err()),
        (Location::Row(0), "null".into())
    );
    let err = t.column("day").unwrap_err();
    assert!(matches!(err, DataError::ColumnType { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("column `day` is of Arrow type Date32"),
        "{err}"
    );
    let err = t.column("weight").unwrap_err();
    assert_eq!(
        err.to_string(),
        "frame has no column `weight` (its columns: x, n, z, day)"
    );
}

#[test]
fn a_batch_and_the_same_csv_give_the_same_data() {
    let csv = "age,treat,region\n30.5,1,north\n41,0,south\n25,1,north\n";
    let from_csv = Table::from_reader("units.csv", csv.as_bytes()).unwrap();
    let from_batch = batch(vec![
        (
            "age",
            Arc::new(Float64Array::from(vec![30.5, 41.0, 25.0])) as ArrayRef,
        ),
        (
            "treat",
            Arc::new(BooleanArray::from(vec![true, false, true])),
        ),
        (
            "region",
            Arc::new(StringArray::from(vec!["north", "south", "north"])),
        ),
    ]);
    for t in [&from_csv, &from_batch] {
        assert_eq!(
            t.matrix(&["age", "treat"]).unwrap(),
            from_csv.matrix(&["age", "treat"]).unwrap()
        );
        assert_eq!(t.counts("treat").unwrap().as_slice(), &[1, 0, 1]);
        assert_eq!(t.indices("region").unwrap().0, vec![0, 1, 0]);
    }
}
