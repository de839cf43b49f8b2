import CSystemCalls

/// A command that runs until it is stopped (the console, the agent): its heap keeps glibc's ways.
protocol RunsUntilStopped {}

enum HeapGrowth {
    /// For a command that ends soon: each malloc arena is made whole (64 MiB of address space, the
    /// most an arena's heap holds) when it is made, rather than grown a page or so at a time with
    /// an `mprotect` each (2,261 of them for a `status` of 10,000 files). Memory freed then stays
    /// with its arena, which a command that ends does not mind; the console's peak rose by a sixth.
    static func inLargeSteps() {
        _ = plumb_malloc_top_pad(64 << 20)
    }
}
