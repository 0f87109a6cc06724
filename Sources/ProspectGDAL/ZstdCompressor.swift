internal import CZSTD

/// How `ZstdCompressor` compresses a tile.
public enum ZstdSetting: Sendable, Equatable {
    /// GDAL's `ZSTD_LEVEL`, run as libtiff runs it: the tile GDAL's GeoTIFF driver writes.
    case level(Int)
    /// Zstandard's fast strategy with a 2 KiB hash table (`hashLog` 11), matches of at least 5
    /// bytes and acceleration 2 (`targetLength`), the tile's size known up front.
    ///
    /// Chosen on tiles of scored maps after the floating-point predictor (Benchmarks/README.md,
    /// "Compressed output"): where two of the four byte planes are noise it compressed 1.8× as
    /// fast as level 1 for 1–4 % more bytes; the presets' negative levels were slower for the
    /// same size. Where the planes are mostly runs (maps of a few classes) level 1 is as fast
    /// and far smaller, so `TileEncoder` keeps level 1 there.
    case fast
}

/// A Zstandard compression context that compresses one GeoTIFF tile at a time into one frame.
///
/// At `.level(n)` it runs as libtiff's ZSTD codec (`tif_zstd.c`) does: a stream started at the
/// level for each tile (`ZSTD_initCStream`, no pledged size), fed the tile (after the
/// predictor) with `ZSTD_compressStream` and ended with `ZSTD_endStream`, so its output is the
/// tile GDAL's GeoTIFF driver writes, byte for byte. Any Zstandard decoder reads either
/// setting's frames. One instance per thread: a context is not thread-safe.
public final class ZstdCompressor {
    /// A compression context; Zstandard's streams are contexts (`ZSTD_CStream` is `ZSTD_CCtx`).
    private let stream: OpaquePointer

    /// - Throws: `GDALError` when Zstandard cannot allocate a context.
    public init() throws {
        // NULL on allocation failure.
        guard let s = ZSTD_createCStream() else { throw GDALError(path: "zstd", message: "cannot allocate a compression stream") }
        stream = s
    }

    deinit { ZSTD_freeCStream(stream) }

    /// The most bytes a tile of `bytes` bytes compresses to (`ZSTD_compressBound`).
    public static func bound(_ bytes: Int) -> Int { Int(ZSTD_compressBound(bytes)) }

    /// Compresses `input` into `output` as one Zstandard frame and returns its length.
    ///
    /// The corresponding C functions are `ZSTD_CCtx_reset`, then `ZSTD_initCStream`,
    /// `ZSTD_compressStream` and `ZSTD_endStream` for `.level`, `ZSTD_CCtx_setParameter` and
    /// `ZSTD_compress2` for `.fast`; each returns an error code that `ZSTD_isError` recognises.
    /// - Parameters:
    ///   - input: the tile's bytes, after the predictor.
    ///   - output: at least `bound(input.count)` bytes.
    /// - Throws: `GDALError` with Zstandard's message when a call fails.
    public func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, setting: ZstdSetting) throws -> Int {
        precondition(output.count >= Self.bound(input.count), "room for the worst case")
        switch setting {
        case .level(let level):
            // `ZSTD_initCStream` sets the level but keeps parameters set before (a `.fast` tile's).
            try check(ZSTD_CCtx_reset(stream, ZSTD_reset_session_and_parameters))
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
        case .fast:
            try check(ZSTD_CCtx_reset(stream, ZSTD_reset_session_and_parameters))
            try check(ZSTD_CCtx_setParameter(stream, ZSTD_c_strategy, Int32(ZSTD_fast.rawValue)))
            try check(ZSTD_CCtx_setParameter(stream, ZSTD_c_hashLog, 11))
            try check(ZSTD_CCtx_setParameter(stream, ZSTD_c_minMatch, 5))
            try check(ZSTD_CCtx_setParameter(stream, ZSTD_c_targetLength, 2))
            return try check(ZSTD_compress2(stream, output.baseAddress, output.count, input.baseAddress, input.count))
        }
    }

    @discardableResult
    private func check(_ code: Int) throws -> Int {
        if ZSTD_isError(code) != 0 {
            throw GDALError(path: "zstd", message: "compression failed: \(String(cString: ZSTD_getErrorName(code)))")
        }
        return code
    }
}
