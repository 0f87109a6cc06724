// swift-tools-version:6.0
import PackageDescription

// Throughput suites for Prospect's kernels and engine. A separate package so that building
// and testing Prospect never compiles these suites; the measuring code they share with
// `prospect bench` is Prospect's `ProspectBench` library. Run from this folder:
//   swift run -c release prospect-benchmarks [--files]
//   swift run -c release prospect-benchmarks --prepare
let package = Package(
    name: "ProspectBenchmarks",
    dependencies: [.package(name: "Prospect", path: "..")],
    targets: [
        .executableTarget(
            name: "prospect-benchmarks",
            dependencies: [
                .product(name: "ProspectCore", package: "Prospect"),
                .product(name: "ProspectPipeline", package: "Prospect"),
                .product(name: "ProspectBench", package: "Prospect"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
