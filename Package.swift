// swift-tools-version:6.0
import Foundation
import PackageDescription

// Release builds of the core are compiled for the building machine's CPU (AVX2/FMA where it has
// them): the SIMD kernels then use 256-bit registers, measured 1.5× faster than the x86-64
// baseline (Benchmarks/README.md). Set PROSPECT_PORTABLE=1 to build for the baseline instead.
let portable = ProcessInfo.processInfo.environment["PROSPECT_PORTABLE"] == "1"
let coreSettings: [SwiftSetting] = portable ? [] : [.unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))]
// The AVX2 kernels are always built for AVX2 (Haswell's instruction set): the core calls them only
// on processors that have it, checked at run time, so they stay safe in a portable build.
#if arch(x86_64)
let avx2Settings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let avx2Settings: [SwiftSetting] = []
#endif

let package = Package(
    name: "Prospect",
    products: [
        .executable(name: "prospect", targets: ["prospect"]),
        .library(name: "ProspectCore", targets: ["ProspectCore"]),
        .library(name: "ProspectGDAL", targets: ["ProspectGDAL"]),
        .library(name: "ProspectPipeline", targets: ["ProspectPipeline"]),
        .library(name: "ProspectBench", targets: ["ProspectBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C libraries, reached through pkg-config; Debian/Ubuntu packages named as providers.
        .systemLibrary(
            name: "CGDAL",
            pkgConfig: "gdal",
            providers: [.apt(["libgdal-dev"])]
        ),
        .systemLibrary(
            name: "CPROJ",
            pkgConfig: "proj",
            providers: [.apt(["libproj-dev"])]
        ),
        // Zstandard, the library GDAL's GeoTIFF driver compresses ZSTD tiles with: the scorer
        // compresses a map's tiles on its workers with it (`ZstdCompressor`).
        .systemLibrary(
            name: "CZSTD",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // Swift kernels written with the compiler's x86 intrinsics (AVX2), empty on other processors.
        .target(name: "ProspectAVX2", swiftSettings: avx2Settings),
        // Pure Swift: grids, models, kernels, the parallel engine, metrics. Imports no C library.
        .target(name: "ProspectCore", dependencies: ["ProspectAVX2"], swiftSettings: coreSettings),
        // Safe wrapper over GDAL/OGR/OSR, PROJ and the Zstandard tile codec.
        .target(
            name: "ProspectGDAL",
            dependencies: ["CGDAL", "CPROJ", "CZSTD", "ProspectCore"]
        ),
        // File-level pipelines: prepare, train, score, targets, validate, study files, demo.
        .target(
            name: "ProspectPipeline",
            dependencies: ["ProspectCore", "ProspectGDAL", .product(name: "Yams", package: "Yams")]
        ),
        // The throughput measurements behind `prospect bench` and the `Benchmarks/` package; the
        // libraries above hold no benchmark code. Built like the core, so the STREAM triad it
        // measures against is compiled the same way as the kernels it is compared with.
        .target(
            name: "ProspectBench",
            dependencies: ["ProspectCore", "ProspectGDAL", "ProspectPipeline"],
            swiftSettings: coreSettings
        ),
        // The subcommands, as a library so tests can drive them in-process.
        .target(
            name: "ProspectCLI",
            dependencies: [
                "ProspectPipeline",
                "ProspectGDAL",
                "ProspectBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "prospect",
            dependencies: ["ProspectCLI"]
        ),
        // What the test targets share: one raster reader and writer, temporary folders that
        // remove themselves. Only test targets depend on it.
        .target(name: "ProspectTestSupport", dependencies: ["ProspectCore", "ProspectGDAL"], path: "Tests/ProspectTestSupport"),
        // No GDAL here: the core is tested without it.
        .testTarget(name: "ProspectCoreTests", dependencies: ["ProspectCore", "ProspectAVX2"]),
        .testTarget(name: "ProspectGDALTests", dependencies: ["ProspectGDAL", "ProspectTestSupport"]),
        .testTarget(name: "ProspectPipelineTests", dependencies: ["ProspectPipeline", "ProspectGDAL", "ProspectTestSupport"]),
        .testTarget(name: "ProspectBenchTests", dependencies: ["ProspectBench", "ProspectCore"]),
        // Depends on the executable so `swift test` builds the binary these tests run.
        .testTarget(name: "ProspectCLITests",
                    dependencies: ["prospect", "ProspectCLI", "ProspectCore", "ProspectGDAL", "ProspectTestSupport",
                                   .product(name: "Yams", package: "Yams")]),
    ],
    swiftLanguageModes: [.v6]
)
