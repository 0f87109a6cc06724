import Foundation

/// The done-marker of one step of a sharded study (`shards/0003/prepare.done`, `train.done`):
/// written last, once every output of the step is in place, naming each output with its size
/// and checksum. A step whose marker is missing, unreadable, made for another plan, or names
/// an output that is gone or changed is not done, and is run again (its outputs replaced).
///
/// JSON.
struct ShardRecord: Codable, Equatable {
    static let formatName = "prospect-shard-done"

    struct Output: Codable, Equatable {
        /// Relative to the marker's folder.
        var path: String
        var bytes: Int64
        /// FNV-1a (64 bits) of the file's bytes, in hex.
        var fnv1a64: String
    }

    var format = Self.formatName
    var step: String
    /// The shard, for the array steps.
    var shard: Int?
    /// The checksum of the plan file the step ran for.
    var plan: String
    var tool: String
    var seconds: Double
    var outputs: [Output]
    /// Cells of each layer that held ±Inf (prepare).
    var infiniteCells: [Int]?
    /// Cells with a score (score).
    var validCells: Int?
    /// What the step reported, for the study's run.log.
    var log: [String]

    /// The record of `files` (relative to `folder`) as they are now.
    static func outputs(_ files: [String], in folder: String) throws -> [Output] {
        try files.map { name in
            let path = folder + "/" + name
            guard let (bytes, sum) = FileChecksum.fnv1a64(path) else {
                throw PipelineError(path, "the step's output cannot be read to record its checksum")
            }
            return Output(path: name, bytes: bytes, fnv1a64: sum)
        }
    }

    /// Writes the marker at `path` (a temporary renamed into place).
    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try Reports.writeText(String(decoding: try encoder.encode(self), as: UTF8.self) + "\n", to: path)
    }

    /// The marker at `path` when it is one for `plan` and every output it names is in place:
    /// the same size, and with `verify`, the same checksum (reading every byte). Nil otherwise.
    static func read(_ path: String, plan: String, verify: Bool) -> ShardRecord? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        guard let record = try? decoder.decode(ShardRecord.self, from: data), record.format == formatName, record.plan == plan else {
            return nil
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        for output in record.outputs {
            let file = folder + "/" + output.path
            var info = stat()
            guard stat(file, &info) == 0, Int64(info.st_size) == output.bytes else { return nil }
            if verify {
                guard let (_, sum) = FileChecksum.fnv1a64(file), sum == output.fnv1a64 else { return nil }
            }
        }
        return record
    }
}

/// Checksums of files, read in blocks of 1 MiB.
enum FileChecksum {
    /// FNV-1a, 64 bits (Fowler, Noll and Vo; offset basis 0xcbf29ce484222325, prime
    /// 0x100000001b3), of every byte of `data`, continuing from `hash`.
    static func fnv1a64(_ data: UnsafeRawBufferPointer, hash: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = hash
        for byte in data {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    /// The size and the FNV-1a checksum (16 hex digits) of the file at `path`; nil when it
    /// cannot be read.
    ///
    /// The corresponding C functions are `open`, `read` (retried on `EINTR`) and `close`.
    static func fnv1a64(_ path: String) -> (bytes: Int64, hex: String)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var total: Int64 = 0
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            hash = fnv1a64(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), hash: hash)
            total += Int64(n)
        }
        let hex = String(hash, radix: 16)
        return (total, String(repeating: "0", count: 16 - hex.count) + hex)
    }
}
