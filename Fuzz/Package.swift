// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for the parsers a user can feed Prospect. A separate package so that
// building and testing Prospect never compiles them. Build and run one with
//   bash scripts/fuzz.sh TARGET SECONDS        (from the repository root)
// which builds with `-sanitize=fuzzer` and runs the target on its committed seed corpus.
let targets = ["model-json", "study-yaml", "fuzzy-expression", "transform-spec", "lightgbm-dump", "xgboost-dump", "csv-points"]

let package = Package(
    name: "ProspectFuzz",
    dependencies: [.package(name: "Prospect", path: "..")],
    targets: [.target(name: "FuzzSupport")] + targets.map { name in
        .executableTarget(
            name: "fuzz-\(name)",
            dependencies: [
                "FuzzSupport",
                .product(name: "ProspectCore", package: "Prospect"),
                .product(name: "ProspectGDAL", package: "Prospect"),
                .product(name: "ProspectPipeline", package: "Prospect"),
            ],
            path: "Sources/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    },
    swiftLanguageModes: [.v6]
)
