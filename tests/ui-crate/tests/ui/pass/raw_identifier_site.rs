use doppl::prelude::*;

// A site named with a raw identifier is recorded under its plain name.
#[model]
fn raw_site() {
    let r#type = sample!(Normal::new(0.0, 1.0));
}

fn main() {
    let model = RawSite::new();
    assert_eq!(model.scenario().layout().unwrap().blocks[0].site, "type");
    let trace = model.intervene().r#type(2.0).sample_prior(&mut StdRng::seed_from_u64(0)).unwrap();
    assert_eq!(trace.r#type, 2.0);
}
