internal import CZSTD

/// A Zstandard compression stream that compresses one GeoTIFF tile at a time the way libtiff
/// does, so its output is the tile GDAL's GeoTIFF driver writes, byte for byte.
///
/// libtiff's ZSTD codec (`tif_zstd.c`) starts a stream at the chosen level for each tile
/// (`ZSTD_initCStream`, no pledged size), feeds it the tile (after the predictor) with
/// `ZSTD_compressStream` and ends it with `ZSTD_endStream`; this does the same. One instance per
/// thread: a stream is not thread-safe.
public final class ZstdCompressor {
    private let stream: OpaquePointer
    /// The compression level, as GDAL's `ZSTD_LEVEL`.
    public let level: Int

    /// - Throws: `GDALError` when Zstandard cannot allocate a stream.
    public init(level: Int) throws {
        // NULL on allocation failure.
        guard let s = ZSTD_createCStream() else { throw GDALError(path: "zstd", message: "cannot allocate a compression stream") }
        stream = s
        self.level = level
    }

    deinit { ZSTD_freeCStream(stream) }

    /// The most bytes a tile of `bytes` bytes compresses to (`ZSTD_compressBound`).
    public static func bound(_ bytes: Int) -> Int { Int(ZSTD_compressBound(bytes)) }

    /// Compresses `input` into `output` as one Zstandard frame and returns its length.
    ///
    /// The corresponding C functions are `ZSTD_initCStream`, `ZSTD_compressStream` and
    /// `ZSTD_endStream`; each returns an error code that `ZSTD_isError` recognises.
    /// - Parameters:
    ///   - input: the tile's bytes, after the predictor.
    ///   - output: at least `bound(input.count)` bytes.
    /// - Throws: `GDALError` with Zstandard's message when a call fails.
    public func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(output.count >= Self.bound(input.count), "room for the worst case")
        try check(ZSTD_initCStream(stream, Int32(level)))
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var sink = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        // With room for the worst case, each call takes all its input and flushes everything.
        try check(ZSTD_compressStream(stream, &sink, &source))
        // Returns the bytes still to flush: 0 once the frame is complete.
        guard source.pos == source.size, try check(ZSTD_endStream(stream, &sink)) == 0 else {
            throw GDALError(path: "zstd", message: "compression stopped before the end of the tile")
        }
        return sink.pos
    }

    @discardableResult
    private func check(_ code: Int) throws -> Int {
        if ZSTD_isError(code) != 0 {
            throw GDALError(path: "zstd", message: "compression failed: \(String(cString: ZSTD_getErrorName(code)))")
        }
        return code
    }
}
