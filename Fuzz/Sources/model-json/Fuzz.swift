import Foundation
import FuzzSupport
import ProspectCore

/// Model files: `ModelFile.decode` must refuse malformed bytes with a `FormatError`, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    if let model = try? ModelFile.decode(data) {
        // A model that loads must also compile for scoring and encode again.
        _ = model.scorer(nodata: model.layers.map { _ in .nan })
        _ = try? model.encoded()
    }
    return 0
}

/// The entry point SwiftPM gives this executable target.
@_cdecl("fuzz_model_json_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
