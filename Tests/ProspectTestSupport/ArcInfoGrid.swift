import Foundation
import ProspectCore

/// Writes an integer Arc/Info binary grid (what GDAL's AIG driver reads and cannot write): the
/// folder `<parent>/<name>` holding `hdr.adf`, `dblbnd.adf`, `sta.adf`, `w001001.adf` and its
/// index `w001001x.adf`, `prj.adf` for UTM zone 45N, and, when `classes` is given, the value
/// attribute table `<parent>/info/arc.dir` + `arc0000.nit` + `arc0000.dat` (VALUE, COUNT,
/// CLASS), which GDAL reads as the band's raster attribute table.
///
/// The layout follows GDAL's reader (`frmts/aigrid/gridlib.c`, `ogr/ogrsf_frmts/avc/avc_bin.cpp`):
/// big-endian throughout, uncompressed 32-bit blocks of 256 × 4 cells, nodata −2147483647.
/// - Parameters:
///   - grid: the cells (north-up, square cells); its CRS is not written (prj.adf says UTM 45N).
///   - value: the value of a cell, nil for nodata.
///   - classes: the attribute table's rows (value, class name); nil for none.
/// - Returns: the grid's folder.
@discardableResult
public func writeArcInfoGrid(
    parent: String, name: String, grid: Grid, classes: [(value: Int32, name: String)]? = nil,
    value: (Int, Int) -> Int32?
) throws -> String {
    let folder = parent + "/" + name
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let blockColumns = 256
    let blockRows = 4
    let blocksAcross = (grid.columns + blockColumns - 1) / blockColumns
    let blocksDown = (grid.rows + blockRows - 1) / blockRows
    let cell = grid.transform.cellWidth

    var header = Data(count: 308)
    header.replaceSubrange(0..<8, with: Array("GRID1.2\0".utf8))
    header.put(Int32(1), at: 16)  // cell type: integer
    header.put(Int32(1), at: 20)  // 1: blocks stored uncompressed
    header.put(cell, at: 256)
    header.put(cell, at: 264)
    header.put(Int32(blocksAcross), at: 288)
    header.put(Int32(blocksDown), at: 292)
    header.put(Int32(blockColumns), at: 296)
    header.put(Int32(1), at: 300)
    header.put(Int32(blockRows), at: 304)
    try header.write(to: URL(fileURLWithPath: folder + "/hdr.adf"))

    let e = grid.extent
    var bounds = Data()
    for v in [e.minX, e.minY, e.minX + Double(grid.columns) * cell, e.minY + Double(grid.rows) * cell] { bounds.append(v) }
    try bounds.write(to: URL(fileURLWithPath: folder + "/dblbnd.adf"))

    let magic: [UInt8] = [0x00, 0x00, 0x27, 0x0A, 0xFF, 0xFF, 0xFC, 0x14]
    var data = Data(count: 100)
    var index = Data(count: 100)
    data.replaceSubrange(0..<8, with: magic)
    index.replaceSubrange(0..<8, with: magic)
    var values: [Double] = []
    var counts: [Int32: Int32] = [:]
    for blockRow in 0..<blocksDown {
        for blockColumn in 0..<blocksAcross {
            var block = Data()
            for r in blockRow * blockRows..<(blockRow + 1) * blockRows {
                for c in blockColumn * blockColumns..<(blockColumn + 1) * blockColumns {
                    let v = r < grid.rows && c < grid.columns ? value(c, r) : nil
                    if let v {
                        values.append(Double(v))
                        counts[v, default: 0] += 1
                    }
                    block.append(v ?? -2_147_483_647)
                }
            }
            // Offsets and sizes count 16-bit words; each block starts with its size.
            index.append(Int32(data.count / 2))
            index.append(Int32(block.count / 2))
            data.append(UInt16(block.count / 2))
            data.append(block)
        }
    }
    data.put(Int32(data.count / 2), at: 24)
    index.put(Int32(index.count / 2), at: 24)
    try data.write(to: URL(fileURLWithPath: folder + "/w001001.adf"))
    try index.write(to: URL(fileURLWithPath: folder + "/w001001x.adf"))

    let mean = values.reduce(0, +) / Double(max(values.count, 1))
    let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count, 1))).squareRoot()
    var statistics = Data()
    for v in [values.min() ?? 0, values.max() ?? 0, mean, sd] { statistics.append(v) }
    try statistics.write(to: URL(fileURLWithPath: folder + "/sta.adf"))
    try """
    Projection    UTM
    Zone          45
    Datum         WGS84
    Spheroid      WGS84
    Units         METERS
    Zunits        NO
    Xshift        0.0
    Yshift        0.0
    Parameters

    """.write(toFile: folder + "/prj.adf", atomically: false, encoding: .utf8)

    if let classes { try writeValueAttributeTable(parent: parent, grid: name, classes: classes, counts: counts) }
    return folder
}

/// The INFO table `<GRID>.VAT` of a grid: `arc.dir` names it (380-byte entries), `arc0000.nit`
/// defines its fields (144 bytes each), `arc0000.dat` holds its records.
private func writeValueAttributeTable(parent: String, grid: String, classes: [(value: Int32, name: String)], counts: [Int32: Int32])
    throws
{
    let info = parent + "/info"
    try FileManager.default.createDirectory(atPath: info, withIntermediateDirectories: true)
    // name, size in bytes, type (5: binary integer, 2: characters)
    let fields: [(String, Int16, Int16)] = [("VALUE", 4, 5), ("COUNT", 4, 5), ("CLASS", 16, 2)]
    let recordSize = fields.reduce(0) { $0 + $1.1 }
    var directory = Data()
    directory.append(padded(grid.uppercased() + ".VAT", 32))
    directory.append(padded("ARC0000", 8))
    directory.append(Int16(fields.count))
    directory.append(recordSize)
    directory.append(Data(count: 18))
    directory.append(Int16(0))  // not deleted
    directory.append(Int32(classes.count))
    directory.append(Data(count: 10))
    directory.append(padded("", 2))  // the data file is arc0000.dat itself
    directory.append(Data(count: 300))
    try directory.write(to: URL(fileURLWithPath: info + "/arc.dir"))
    var definitions = Data()
    var offset: Int16 = 1
    for (i, (name, size, type)) in fields.enumerated() {
        definitions.append(padded(name, 16))
        for v: Int16 in [size, -1, offset, 4, -1, type == 2 ? size : 10, type == 2 ? -1 : 0, type, 0, -1, -1, -1, -1] {
            definitions.append(v)
        }
        definitions.append(padded("", 16))
        definitions.append(Data(count: 56))
        definitions.append(Int16(i + 1))
        definitions.append(Data(count: 28))
        offset += size
    }
    try definitions.write(to: URL(fileURLWithPath: info + "/arc0000.nit"))
    var records = Data()
    for c in classes {
        records.append(c.value)
        records.append(counts[c.value] ?? 0)
        records.append(padded(c.name, 16))
    }
    try records.write(to: URL(fileURLWithPath: info + "/arc0000.dat"))
}

private func padded(_ text: String, _ count: Int) -> Data {
    Data(Array(text.utf8.prefix(count)) + [UInt8](repeating: 0x20, count: max(0, count - text.utf8.count)))
}

extension Data {
    /// Appends `value` big-endian.
    fileprivate mutating func append<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    fileprivate mutating func append(_ value: Double) { append(value.bitPattern) }

    /// Writes `value` big-endian at `offset`.
    fileprivate mutating func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        Swift.withUnsafeBytes(of: value.bigEndian) { replaceSubrange(offset..<offset + MemoryLayout<T>.size, with: $0) }
    }

    fileprivate mutating func put(_ value: Double, at offset: Int) { put(value.bitPattern, at: offset) }
}
