//! Seeds, the split of keys among workers, and the rows across layouts: the assignment of
//! replicates to workers never changes a number.

mod common;

use common::{Sim, keys, study};
use doppl_batch::{
    ArgsError, BatchError, Layout, Outcome, Study, csv_bytes, failures_by, owner, power_by,
    read_hostfile, replicate_seed, stable_hash,
};
use std::collections::BTreeSet;

#[test]
fn seeds_are_golden() {
    // FNV-1a of eight zero bytes (a u64 fed little-endian), from the published algorithm.
    assert_eq!(stable_hash(&0u64), 0xa8c7f832281a39c5);
    // Computed once; a change here changes every published study's numbers.
    assert_eq!(stable_hash("power"), 0xfa3296fb07b7067b);
    assert_eq!(
        replicate_seed(2024, &Sim { n: 500, sim: 0 }),
        0xa48539ac374e8802
    );
    assert_eq!(
        replicate_seed(2024, &Sim { n: 500, sim: 1 }),
        0xffbae4b4a4bb9d76
    );
    assert_eq!(replicate_seed(1, &(500u64, 0u64)), 0xbfb2abde3c4309fe);
    assert_eq!(replicate_seed(1, &7u64), 0xee88d9de27246bb5);
}

#[test]
fn seeds_differ_between_keys_and_study_seeds() {
    let all = keys(&[500, 1000, 2000, 5000], 1000);
    let seeds: BTreeSet<u64> = all.iter().map(|k| replicate_seed(1, k)).collect();
    assert_eq!(seeds.len(), all.len());
    let other: BTreeSet<u64> = all.iter().map(|k| replicate_seed(2, k)).collect();
    assert!(seeds.is_disjoint(&other));
}

#[test]
fn keys_are_split_disjointly_and_completely() {
    let all = keys(&[500, 1000, 2000, 5000], 250);
    for peers in 1..=8 {
        let shares: Vec<Vec<&Sim>> = (0..peers)
            .map(|w| all.iter().filter(|k| owner(*k, peers) == w).collect())
            .collect();
        let union: BTreeSet<&Sim> = shares.iter().flatten().copied().collect();
        assert_eq!(union.len(), all.len(), "{peers} peers: a key is missing");
        let total: usize = shares.iter().map(Vec::len).sum();
        assert_eq!(total, all.len(), "{peers} peers: a key is run twice");
        let fair = all.len() / peers;
        for (w, share) in shares.iter().enumerate() {
            assert!(
                share.len() * 10 > fair * 8,
                "{peers} peers: worker {w} has {}",
                share.len()
            );
        }
    }
}

#[test]
fn rows_are_the_same_in_every_layout_and_key_order() {
    let sizes = [20, 50];
    let reference = study(keys(&sizes, 20))
        .run(&Layout::Threads(1))
        .unwrap()
        .unwrap();
    let bytes = csv_bytes(&reference).unwrap();
    for layout in [
        Layout::Threads(2),
        Layout::SerializedThreads(2),
        Layout::Threads(3),
    ] {
        let rows = study(keys(&sizes, 20)).run(&layout).unwrap().unwrap();
        assert_eq!(rows, reference, "{layout:?}");
        assert_eq!(csv_bytes(&rows).unwrap(), bytes, "{layout:?}");
    }
    // Reversed and interleaved: the same rows, sorted by key.
    let mut shuffled = keys(&sizes, 20);
    shuffled.reverse();
    shuffled.rotate_left(7);
    let rows = study(shuffled).run(&Layout::Threads(2)).unwrap().unwrap();
    assert_eq!(csv_bytes(&rows).unwrap(), bytes);
    // Rerunning one key alone with its recorded seed gives its row.
    let row = &reference[5];
    assert_eq!(
        Outcome::Ok(common::replicate(&row.key, row.seed).unwrap()),
        row.outcome
    );
}

#[test]
fn failed_replicates_are_rows_with_their_key_and_message() {
    let rows = study(keys(&[20, 50], 20))
        .run(&Layout::Threads(2))
        .unwrap()
        .unwrap();
    assert_eq!(rows.len(), 40);
    let failed: Vec<(&Sim, &str)> = rows
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(m) => Some((&r.key, m.as_str())),
            Outcome::Ok(_) => None,
        })
        .collect();
    assert_eq!(
        failed,
        [
            (
                &Sim { n: 20, sim: 7 },
                "panicked: model code panicked at n = 20"
            ),
            (&Sim { n: 20, sim: 13 }, "no data for simulation 13"),
            (&Sim { n: 50, sim: 13 }, "no data for simulation 13"),
        ]
    );
    let power = power_by(&rows, |k| k.n, |fit: &common::Fit| fit.positive);
    assert_eq!((power[&20].completed, power[&20].failures), (18, 2));
    assert_eq!((power[&50].completed, power[&50].failures), (19, 1));
    assert_eq!(failures_by(&rows, |k| k.n)[&20].len(), 2);
    let text = String::from_utf8(csv_bytes(&rows).unwrap()).unwrap();
    assert!(
        text.contains(",failed,panicked: model code panicked at n = 20,,,,\n"),
        "{text}"
    );
}

#[test]
fn duplicate_keys_are_refused() {
    let study = Study::new(vec![1u64, 2, 1], 0, |k: &u64, _| Ok(*k));
    assert!(matches!(
        study.run(&Layout::Threads(1)),
        Err(BatchError::DuplicateKey { key }) if key == "1"
    ));
}

#[test]
fn layout_flags_and_hostfiles_are_checked() {
    let parse = |args: &[&str]| Layout::from_args(args.iter().map(|s| s.to_string()));
    assert_eq!(parse(&["--threads", "2"]).unwrap().0, Layout::Threads(2));
    assert!(matches!(
        parse(&["--threads"]),
        Err(ArgsError::MissingValue { .. })
    ));
    assert!(matches!(
        parse(&["--threads", "0"]),
        Err(ArgsError::BadValue { .. })
    ));
    assert!(matches!(
        parse(&["--processes", "x"]),
        Err(ArgsError::BadValue { .. })
    ));
    assert!(matches!(
        parse(&["--processes", "2", "--process", "2"]),
        Err(ArgsError::ProcessOutOfRange {
            process: 2,
            processes: 2
        })
    ));
    let dir = std::env::temp_dir().join(format!("doppl-batch-hosts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hosts = dir.join("hosts.txt");
    std::fs::write(&hosts, "# two machines\nnode0.example:2101\n\n").unwrap();
    assert!(matches!(
        read_hostfile(&hosts, 2),
        Err(BatchError::Hostfile {
            found: 1,
            processes: 2,
            ..
        })
    ));
    std::fs::write(&hosts, "a:1\n b:2 \nc:3\n").unwrap();
    assert_eq!(read_hostfile(&hosts, 2).unwrap(), ["a:1", "b:2"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
