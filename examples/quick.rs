fn main() {
    let path = std::env::args().nth(1).unwrap();
    let sc = flowsim::scenario::Scenario::load(std::path::Path::new(&path)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let t = std::time::Instant::now();
    let s = flowsim::runner::simulate(&sc, Default::default(), &|_| {}).unwrap();
    eprintln!("{:?}", t.elapsed());
    println!("{}", serde_json::to_string_pretty(&s).unwrap());
}
