import Foundation
import FuzzSupport
import ProspectPipeline

/// Study files: `StudyFile.load` must refuse malformed YAML with one error, never trap or run
/// away with memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let path = "/dev/shm/prospect-fuzz-study-\(getpid()).yaml"
    FileManager.default.createFile(atPath: path, contents: Data(bytes: bytes, count: count))
    _ = try? StudyFile.load(path)
    return 0
}

/// The entry point SwiftPM gives this executable target.
@_cdecl("fuzz_study_yaml_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
