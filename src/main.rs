// The crawl allocates and frees the parse of every page on several threads: glibc's malloc
// took a sixth of the crawl's CPU time (perf, 10,000-page store); jemalloc takes 15% less CPU
// in all for the same peak memory (mimalloc doubled the peak).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

// jemalloc reads its options from this symbol before `main` (`_RJEM_MALLOC_CONF` in the
// environment still overrides them). One arena for all threads instead of four per core: peak
// RSS at 30,000 pages 115 MB instead of 127, at 1,000 pages 30 MB instead of 33, for the same
// CPU time (medians of runs in turn on the generated stores of `bench/run`).
#[cfg(feature = "jemalloc")]
#[export_name = "_rjem_malloc_conf"]
#[used]
static JEMALLOC_OPTIONS: &[u8; 10] = b"narenas:1\0";

fn main() -> std::process::ExitCode {
    shopaudit::cli::main()
}
