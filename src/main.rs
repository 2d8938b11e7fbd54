// The crawl allocates and frees the parse of every page on several threads: glibc's malloc
// took a sixth of the crawl's CPU time (perf, 10,000-page store); jemalloc takes 15% less CPU
// in all for the same peak memory (mimalloc doubled the peak).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    shopaudit::cli::main()
}
