fn main() -> std::process::ExitCode {
    shopaudit::cli::main()
}
