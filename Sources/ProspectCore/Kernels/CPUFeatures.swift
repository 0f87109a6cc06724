import Foundation

/// Processor features the kernels choose between at run time.
public enum CPUFeatures {
    /// Whether the `ProspectAVX2` kernels may run: an x86-64 processor with AVX2 (and an OS
    /// that saves its registers, which every x86-64 Linux and macOS does), unless the
    /// environment sets `PROSPECT_NO_AVX2=1` to force the portable kernels.
    public static let avx2: Bool = {
        #if arch(x86_64)
            if ProcessInfo.processInfo.environment["PROSPECT_NO_AVX2"] == "1" { return false }
            #if os(Linux)
                // The kernel lists the features it enables on the "flags" line. A probe: without a
                // readable /proc/cpuinfo the portable kernels run, which give the same results.
                guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
                    let flags = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
                else { return false }
                return flags.split(separator: " ").contains("avx2")
            #elseif canImport(Darwin)
                var value: Int32 = 0
                var size = MemoryLayout<Int32>.size
                return sysctlbyname("hw.optional.avx2_0", &value, &size, nil, 0) == 0 && value == 1
            #else
                return false
            #endif
        #else
            return false
        #endif
    }()
}
