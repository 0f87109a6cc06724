import Foundation
import FuzzSupport
import ProspectCore

/// Fuzzy expressions: the parser must refuse malformed text with a `ParseError`, and what it
/// accepts must print and parse back to the same text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    let layers = ["a", "b", "thorium", "fault_distance"]
    if let e = try? FuzzyExpression(parsing: text, layers: layers) {
        let printed = e.text(layers: layers)
        guard let again = try? FuzzyExpression(parsing: printed, layers: layers), again.text(layers: layers) == printed else {
            fatalError("\(printed) does not parse back to itself")
        }
    }
    return 0
}

/// The entry point SwiftPM gives this executable target.
@_cdecl("fuzz_fuzzy_expression_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
