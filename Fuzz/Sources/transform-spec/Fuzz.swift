import Foundation
import FuzzSupport
import ProspectCore

/// Transform specs: the parser must refuse malformed text, and what it accepts must print and
/// parse back to the same transform.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    if let t = try? LayerTransform(parsing: text) {
        guard let again = try? LayerTransform(parsing: t.description), again.description == t.description else {
            fatalError("\(t.description) does not parse back to itself")
        }
    }
    return 0
}

/// The entry point SwiftPM gives this executable target.
@_cdecl("fuzz_transform_spec_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
