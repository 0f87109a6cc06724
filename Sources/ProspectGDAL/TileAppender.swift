import Foundation

/// Writes encoded tiles into a tiled GeoTIFF that GDAL created with `SPARSE_OK=TRUE` and closed
/// before any block was written.
///
/// GDAL writes such a file whole but for its tiles: header, image directory (size, tiling,
/// compression, predictor, georeferencing, nodata, metadata) and the tile offset and byte count
/// arrays, all 0 (GDAL reads a 0 entry as a tile never written). This appends each tile's bytes
/// at the end of the file, in the order given, and writes their offsets and lengths into the
/// two arrays on `close()`. GDAL lays out a file whose blocks it writes itself the same way (the
/// directory first, each tile at the end of the file as it is written), so with tiles encoded
/// as GDAL encodes them the file is the one GDAL writes, byte for byte (tests compare).
///
/// Little-endian classic TIFF and BigTIFF; one sample per pixel, bands interleaved by band
/// (`INTERLEAVE=BAND`) when there are several. Not thread-safe: one writer appends.
public final class TileAppender {
    public let path: String
    /// What errors name: the output the file is to become.
    public let label: String
    /// Tiles across and down each band.
    public let tilesAcross: Int
    public let tilesDown: Int
    public let bands: Int
    private var fd: Int32
    private var end: UInt64
    private var offsets: [UInt64]
    private var lengths: [UInt64]
    private let offsetArray: ArrayField
    private let lengthArray: ArrayField

    /// Where one of the two arrays is and how wide its entries are.
    struct ArrayField {
        var position: UInt64
        var width: Int
    }

    /// Opens `path` for appending tiles.
    /// - Parameters:
    ///   - label: what errors name (the final output of a temporary file); `path` by default.
    ///   - bands: the bands the file holds, stored band by band when more than one.
    /// - Throws: `GDALError` naming `label` when the file cannot be opened or is not a tiled
    ///   little-endian TIFF with `bands` bands and no tile written yet.
    public init(path: String, label: String? = nil, bands: Int = 1) throws {
        let label = label ?? path
        let fd = open(path, O_RDWR | O_CLOEXEC)  // -1 on failure, with errno
        guard fd >= 0 else { throw GDALError(path: label, message: "cannot open for writing tiles: \(String(cString: strerror(errno)))") }
        do {
            let directory = try TIFFDirectory(read: fd, path: label)
            func value(_ tag: UInt16) throws -> UInt64 {
                guard let v = try directory.values(tag, fd: fd, path: label).first else {
                    throw GDALError(path: label, message: "the TIFF directory has no tag \(tag)")
                }
                return v
            }
            let width = try value(256)
            let height = try value(257)
            let tileWidth = try value(322)
            let tileHeight = try value(323)
            // Several bands are several samples per pixel, stored plane by plane (PlanarConfiguration 2).
            let samples = try directory.values(277, fd: fd, path: label).first ?? 1
            let planar = try directory.values(284, fd: fd, path: label).first ?? 1
            guard samples == UInt64(bands), bands == 1 || planar == 2, tileWidth > 0, tileHeight > 0 else {
                throw GDALError(
                    path: label,
                    message:
                        "expected \(bands) band(s) stored band by band, found \(samples) sample(s) per pixel, planar configuration \(planar)"
                )
            }
            let across = Int((width + tileWidth - 1) / tileWidth)
            let down = Int((height + tileHeight - 1) / tileHeight)
            let count = across * down * bands
            let offsetArray = try directory.array(324, count: count, path: label)
            let lengthArray = try directory.array(325, count: count, path: label)
            guard try directory.values(324, fd: fd, path: label).allSatisfy({ $0 == 0 }) else {
                throw GDALError(path: label, message: "the file already holds tiles")
            }
            var info = stat()
            guard fstat(fd, &info) == 0 else {
                throw GDALError(path: label, message: "cannot read its size: \(String(cString: strerror(errno)))")
            }
            self.path = path
            self.label = label
            self.bands = bands
            self.fd = fd
            tilesAcross = across
            tilesDown = down
            self.offsetArray = offsetArray
            self.lengthArray = lengthArray
            end = UInt64(info.st_size)
            offsets = Array(repeating: 0, count: count)
            lengths = Array(repeating: 0, count: count)
        } catch {
            _ = closeDescriptor(fd)
            throw error
        }
    }

    deinit { if fd >= 0 { _ = closeDescriptor(fd) } }

    /// Appends the encoded bytes of one tile (one band of it) at the end of the file.
    /// - Throws: `GDALError` naming the file and the tile when the write fails.
    public func append(_ bytes: UnsafeRawBufferPointer, tileColumn: Int, tileRow: Int, band: Int = 1) throws {
        precondition(fd >= 0, "the file is closed")
        precondition(
            (0..<tilesAcross).contains(tileColumn) && (0..<tilesDown).contains(tileRow) && (1...bands).contains(band), "a tile of the file")
        let index = (band - 1) * tilesAcross * tilesDown + tileRow * tilesAcross + tileColumn
        try write(bytes, at: end, what: "tile (\(tileColumn), \(tileRow))")
        offsets[index] = end
        lengths[index] = UInt64(bytes.count)
        end += UInt64(bytes.count)
    }

    /// Writes the tiles' offsets and lengths into the directory's arrays and closes the file.
    /// Tiles never appended stay 0: GDAL reads them as nodata.
    ///
    /// The corresponding C functions are `pwrite` and `close`, -1 on failure with `errno`.
    /// - Throws: `GDALError` when an offset does not fit the file's entries (a classic TIFF past
    ///   4 GiB) or a write fails.
    public func close() throws {
        guard fd >= 0 else { return }
        do {
            for (array, values, what) in [(offsetArray, offsets, "tile offsets"), (lengthArray, lengths, "tile byte counts")] {
                try write(values, into: array, what: what)
            }
        } catch {
            _ = closeDescriptor(fd)
            fd = -1
            throw error
        }
        let closed = closeDescriptor(fd) == 0
        let reason = String(cString: strerror(errno))
        fd = -1
        guard closed else { throw GDALError(path: label, message: "cannot finish writing tiles: \(reason)") }
    }

    /// Writes `values` little-endian into `array`'s entries.
    private func write(_ values: [UInt64], into array: ArrayField, what: String) throws {
        let limit: UInt64 = array.width == 8 ? .max : (1 << (8 * UInt64(array.width))) - 1
        if let big = values.first(where: { $0 > limit }) {
            throw GDALError(
                path: label,
                message: "\(what) reach \(big) bytes, past the \(8 * array.width)-bit fields of this TIFF (write it as BigTIFF)"
            )
        }
        var bytes = [UInt8](repeating: 0, count: values.count * array.width)
        for (k, v) in values.enumerated() {
            for b in 0..<array.width { bytes[k * array.width + b] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(b))) }
        }
        try bytes.withUnsafeBytes { try write($0, at: array.position, what: what) }
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at position: UInt64, what: String) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(position) + off_t(done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw GDALError(
                    path: label, message: "cannot write \(what): \(n < 0 ? String(cString: strerror(errno)) : "nothing written")")
            }
            done += n
        }
    }
}

/// `close(2)`, out of reach by that name inside `TileAppender`, whose `close()` hides it.
private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }

/// The first image directory of a little-endian TIFF or BigTIFF: each tag's type, count and
/// where its values are.
struct TIFFDirectory {
    struct Entry {
        var type: UInt16
        var count: UInt64
        /// The values' position: inside the entry when they fit, else where it points.
        var position: UInt64
    }

    var big: Bool
    var entries: [UInt16: Entry] = [:]

    /// Bytes of one value of a TIFF field type: SHORT, LONG, LONG8 (the unsigned integers tile
    /// arrays and sizes are written with); nil for others.
    static func width(of type: UInt16) -> Int? {
        switch type {
        case 3: 2
        case 4: 4
        case 16: 8
        default: nil
        }
    }

    init(read fd: Int32, path: String) throws {
        func bytes(_ count: Int, at position: UInt64) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: count)
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(position)) }
            guard n == count else { throw GDALError(path: path, message: "the TIFF header or directory is cut short") }
            return out
        }
        func number(_ b: [UInt8], _ at: Int, _ width: Int) -> UInt64 {
            (0..<width).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
        }
        var header = [UInt8](repeating: 0, count: 16)
        let got = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 16, 0) }
        guard got >= 8, header[0] == 0x49, header[1] == 0x49 else { throw GDALError(path: path, message: "not a little-endian TIFF") }
        switch number(header, 2, 2) {
        case 42: big = false
        case 43: big = true
        default: throw GDALError(path: path, message: "not a TIFF")
        }
        let first = big ? number(header, 8, 8) : number(header, 4, 4)
        let countWidth = big ? 8 : 2
        let entryWidth = big ? 20 : 12
        let fieldWidth = big ? 8 : 4
        let count = number(try bytes(countWidth, at: first), 0, countWidth)
        guard count < 4096 else { throw GDALError(path: path, message: "the TIFF directory lists \(count) tags") }
        let table = try bytes(Int(count) * entryWidth, at: first + UInt64(countWidth))
        for k in 0..<Int(count) {
            let at = k * entryWidth
            let type = UInt16(number(table, at + 2, 2))
            let n = number(table, at + 4, fieldWidth)
            let inline = Self.width(of: type).map { UInt64($0) * n <= UInt64(fieldWidth) } ?? false
            let position = inline ? first + UInt64(countWidth + at + 4 + fieldWidth) : number(table, at + 4 + fieldWidth, fieldWidth)
            entries[UInt16(number(table, at, 2))] = Entry(type: type, count: n, position: position)
        }
    }

    /// The unsigned integer values of `tag` (none when the tag is absent).
    func values(_ tag: UInt16, fd: Int32, path: String) throws -> [UInt64] {
        guard let e = entries[tag] else { return [] }
        guard let width = Self.width(of: e.type), e.count <= 1 << 24 else {
            throw GDALError(path: path, message: "TIFF tag \(tag) holds \(e.count) values of type \(e.type)")
        }
        var raw = [UInt8](repeating: 0, count: Int(e.count) * width)
        let n = raw.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(e.position)) }
        guard n == raw.count else { throw GDALError(path: path, message: "TIFF tag \(tag) lies past the end of the file") }
        return (0..<Int(e.count)).map { k in (0..<width).reduce(UInt64(0)) { $0 | UInt64(raw[k * width + $1]) << (8 * UInt64($1)) } }
    }

    /// Where the `count` values of a tile array (`tag`) are and how wide each is.
    func array(_ tag: UInt16, count: Int, path: String) throws -> TileAppender.ArrayField {
        guard let e = entries[tag], let width = Self.width(of: e.type), e.count == UInt64(count) else {
            let found = entries[tag].map { "\($0.count) entries of type \($0.type)" } ?? "none"
            throw GDALError(path: path, message: "expected \(count) entries in TIFF tag \(tag), found \(found)")
        }
        return TileAppender.ArrayField(position: e.position, width: width)
    }
}
