//! The `flowsim` command: a thin layer over the library (see `cli`).

fn main() -> std::process::ExitCode {
    flowsim::cli::main()
}
