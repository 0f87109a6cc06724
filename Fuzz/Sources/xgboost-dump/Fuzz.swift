import Foundation
import FuzzSupport
import ProspectCore

/// XGBoost `save_model` JSON: refused with a `TreeImportError`, never a trap; an accepted
/// model's ensemble passes its structural check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    if let trees = try? XGBoostDump.parse(Data(bytes: bytes, count: count)), trees.ensemble.structuralProblem != nil {
        fatalError("accepted a structurally invalid ensemble")
    }
    return 0
}

/// The entry point SwiftPM gives this executable target.
@_cdecl("fuzz_xgboost_dump_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
