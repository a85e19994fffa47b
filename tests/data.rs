//! Reading model data from CSV: values, quoted fields, a byte-order mark, counts and group
//! indices; a missing column, a non-numeric cell, an empty file and a ragged row are typed
//! errors that say where. The real Lalonde file, when present, reads to the same numbers as
//! a hand count.

#[path = "common/ci.rs"]
mod ci;

use doppl::data::{DataError, Location, Table};

fn table(text: &str) -> Result<Table, DataError> {
    Table::from_reader("test.csv", text.as_bytes())
}

#[test]
fn values_quotes_and_a_byte_order_mark() {
    let t = table("\u{feff}name, x ,n,group\n\"Smith, J\",1.5,3,b\n\"Doe\", -2 ,0,a\n").unwrap();
    assert_eq!(t.header(), &["name", "x", "n", "group"]);
    assert_eq!(t.column("x").unwrap().as_slice(), &[1.5, -2.0]);
    assert_eq!(t.counts("n").unwrap().as_slice(), &[3, 0]);
    assert_eq!(
        t.indices("group").unwrap(),
        (vec![0, 1], vec!["b".into(), "a".into()])
    );
    assert_eq!(t.indices("name").unwrap().1[0], "Smith, J");
}

#[test]
fn mistakes_are_typed_and_say_where() {
    let t = table("a,b\n1,2\n3,x\n").unwrap();
    match t.column("b").unwrap_err() {
        DataError::BadCell {
            location,
            column,
            value,
            ..
        } => {
            assert_eq!(
                (location, column.as_str(), value.as_str()),
                (Location::Line(3), "b", "x")
            );
        }
        other => panic!("expected a bad cell, got {other}"),
    }
    let err = t.column("c").unwrap_err();
    assert_eq!(
        err.to_string(),
        "test.csv has no column `c` (its columns: a, b)"
    );
    let err = table("a,b\n1,-1\n").unwrap().counts("b").unwrap_err();
    assert!(err.to_string().contains("not a count"), "{err}");
    let err = table("a\n1\nNaN\n").unwrap().column("a").unwrap_err();
    assert!(err.to_string().contains("line 3"), "{err}");
    assert!(matches!(table(""), Err(DataError::Empty { .. })));
    assert!(matches!(table("a,b\n1,2,3\n"), Err(DataError::Csv { .. })));
    let err = Table::from_path("/nonexistent/units.csv").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot read /nonexistent/units.csv"),
        "{err}"
    );
}

#[test]
fn the_lalonde_file_reads_whole() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/lalonde.csv");
    let Ok(t) = Table::from_path(path) else {
        ci::skip_unless_ci("../shared/data/lalonde.csv");
        return;
    };
    assert_eq!(t.len(), 614);
    let treat = t.column("treat").unwrap();
    assert_eq!(treat.iter().filter(|v| **v == 1.0).count(), 185);
    let x = t.matrix(&["age", "educ", "re78"]).unwrap();
    assert_eq!((x[(0, 0)], x[(0, 1)], x[(0, 2)]), (37.0, 11.0, 9930.046));
}
