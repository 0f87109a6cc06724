import Foundation
import ProspectCore
import ProspectGDAL

/// An evidence layer named on the command line or in a model file.
public struct LayerSpec: Sendable, Equatable {
    public var name: String
    public var path: String
    public var kind: LayerKind
    /// Applied to the layer's values as they are read, in order (resolved: no parameter left
    /// to take from the data).
    public var transforms: [LayerTransform]

    public init(name: String, path: String, kind: LayerKind, transforms: [LayerTransform] = []) {
        self.name = name
        self.path = path
        self.kind = kind
        self.transforms = transforms
    }

    /// Parses `PATH` or `NAME=PATH`; the name defaults to the file name without extension.
    public init(argument: String, kind: LayerKind) {
        let (name, path) = LayerArgument.split(argument)
        self.init(name: name ?? DatasetName.layerName(for: path), path: path, kind: kind)
    }
}

/// Co-registered evidence rasters: checked once, then read by any number of workers,
/// each with its own dataset handles.
public struct EvidenceStack: Sendable {
    public var layers: [LayerSpec]
    public var grid: Grid
    /// Each layer's nodata value as Float, as the model sees it: the file's (NaN when it
    /// declares none), or NaN for a transformed layer, whose transforms turn missing cells into NaN.
    public var nodata: [Float]
    /// Each file's own nodata value (NaN when none), which the transforms recognise.
    public var fileNodata: [Float]
    public var dataTypes: [RasterDataType]
    public var blockSizes: [(columns: Int, rows: Int)]
    /// The cells holding ±Inf in each layer's file, counted as tiles are read.
    public let infiniteCells = InfiniteCells()
    /// The cells each layer's transforms turn into nodata, counted as tiles are read.
    public let unmappedCells = UnmappedCells()
    /// Whether a pass refuses a layer that holds no valid value (`ValidityCheck`). Off for a
    /// shard of a study, which may lie where a layer has no data (the whole stack is checked
    /// when the model is trained).
    public var requireDataInEveryLayer = true

    /// Opens every layer and checks it is a raster on the same grid as the first.
    ///
    /// Whether a layer holds any valid value is checked while streaming it (`ValidityCheck`),
    /// not here: that would cost a full read of every file.
    /// - Throws: `PipelineError` / `GDALError` naming the file: missing, unreadable, or on another
    ///   grid (both grids named).
    public static func open(_ layers: [LayerSpec]) throws -> EvidenceStack {
        GDAL.initialize()
        guard !layers.isEmpty else { throw PipelineError(nil, "no evidence layers given") }
        var names = Set<String>()
        for l in layers where !names.insert(l.name).inserted {
            throw PipelineError(l.path, "layer name \"\(Echo.short(l.name))\" is used twice; name layers with NAME=PATH")
        }
        var grid: Grid?
        var nodata: [Float] = []
        var types: [RasterDataType] = []
        var blocks: [(columns: Int, rows: Int)] = []
        for layer in layers {
            let ds = try RasterDataset.open(layer.path)
            try GridCheck.georeferenced(ds, path: layer.path)
            let g = ds.grid
            if let first = grid {
                guard try GridCheck.same(g, first) else {
                    throw PipelineError(layer.path, "grid \(g) does not match \(layers[0].path)'s grid \(first); align the layers first")
                }
            } else {
                guard g.transform.isNorthUp else { throw PipelineError(layer.path, "rotated grids are not supported") }
                grid = g
            }
            let type = ds.dataType()
            guard type != .other else { throw PipelineError(layer.path, "unsupported data type (complex or unknown)") }
            nodata.append(ds.nodata().map { Float($0) } ?? .nan)
            types.append(type)
            blocks.append(ds.blockSize())
            try ds.close()
        }
        let effective = zip(layers, nodata).map { $0.0.transforms.isEmpty ? $0.1 : Float.nan }
        return EvidenceStack(layers: layers, grid: grid!, nodata: effective, fileNodata: nodata, dataTypes: types, blockSizes: blocks)
    }

    /// The tiling used to stream the stack: the files' own blocks when they all share one
    /// block size of at least 64×64 (reads then go straight from the file blocks), else
    /// 256×256 windows.
    public var tiling: Tiling {
        let b = blockSizes[0]
        let shared = blockSizes.allSatisfy { $0.columns == b.columns && $0.rows == b.rows }
        if shared, b.columns >= 64, b.rows >= 64, b.columns % 16 == 0, b.rows % 16 == 0 {
            return Tiling(grid: grid, tileColumns: b.columns, tileRows: b.rows, blockAligned: true)
        }
        return Tiling(grid: grid, tileColumns: 256, tileRows: 256, blockAligned: false)
    }
}

/// A grid cut into tiles of `tileColumns × tileRows` (edge tiles are clipped).
public struct Tiling: Sendable {
    public var grid: Grid
    public var tileColumns: Int
    public var tileRows: Int
    /// True when tiles coincide with the files' blocks.
    public var blockAligned: Bool

    public var across: Int { (grid.columns + tileColumns - 1) / tileColumns }
    public var down: Int { (grid.rows + tileRows - 1) / tileRows }
    public var count: Int { across * down }

    public func window(_ index: Int) -> (blockColumn: Int, blockRow: Int, window: Window) {
        let bc = index % across
        let br = index / across
        let c0 = bc * tileColumns
        let r0 = br * tileRows
        return (
            bc, br,
            Window(
                column: c0, row: r0, columns: min(tileColumns, grid.columns - c0),
                rows: min(tileRows, grid.rows - r0))
        )
    }
}

/// Whether two rasters share one grid: same size, geotransform and CRS.
enum GridCheck {
    /// The raster's grid, refused when it cannot place its cells on a north-up grid.
    /// - Throws: `PipelineError` naming `path`: "has no georeferencing (no geotransform)",
    ///   "has ground control points but no geotransform; …", or "rotated grids are not supported".
    static func northUp(_ dataset: RasterDataset, path: String) throws -> Grid {
        try georeferenced(dataset, path: path)
        let grid = dataset.grid
        guard grid.transform.isNorthUp else { throw PipelineError(path, "rotated grids are not supported") }
        return grid
    }

    /// Refuses a raster without a geotransform: its cells would be placed by GDAL's identity
    /// transform (1 × 1 cells from 0, 0), which is no place on Earth.
    static func georeferenced(_ dataset: RasterDataset, path: String) throws {
        guard !dataset.hasGeoTransform else { return }
        if dataset.groundControlPointCount > 0 {
            throw PipelineError(
                path, "has ground control points but no geotransform; warp it onto a grid first (gdalwarp)")
        }
        throw PipelineError(path, "has no georeferencing (no geotransform)")
    }

    /// Cells must match to 1e-6 of a cell; CRSs are compared by PROJ (`OSRIsSame`), so the same
    /// CRS written two ways (an R raster's PROJ string, a GeoTIFF's EPSG code) matches. A grid
    /// with no CRS matches only another without one.
    static func same(_ a: Grid, _ b: Grid) throws -> Bool {
        guard a.hasSameCells(as: b) else { return false }
        switch (a.crsWKT.isEmpty, b.crsWKT.isEmpty) {
        case (true, true): return true
        case (false, false): return try SpatialReference(wkt: a.crsWKT).isSame(SpatialReference(wkt: b.crsWKT))
        default: return false
        }
    }
}

/// Tracks which layers have shown at least one valid value while a stack is streamed, so an
/// all-nodata layer is reported by name at the end of the pass.
struct ValidityCheck {
    private(set) var seen: [Bool]
    let nodata: [Float]

    init(_ stack: EvidenceStack) {
        seen = Array(repeating: false, count: stack.layers.count)
        nodata = stack.nodata
    }

    /// Scans a tile of each layer not yet known to hold data, stopping at its first valid cell.
    mutating func note(_ buffers: [UnsafeMutableBufferPointer<Float>], window: Window, stride: Int) {
        for k in buffers.indices where !seen[k] {
            rows: for r in 0..<window.rows {
                for c in 0..<window.columns {
                    let v = buffers[k][r * stride + c]
                    if v.isFinite && v != nodata[k] {
                        seen[k] = true
                        break rows
                    }
                }
            }
        }
    }

    mutating func merge(_ other: ValidityCheck) {
        for k in seen.indices { seen[k] = seen[k] || other.seen[k] }
    }

    /// - Throws: naming the first layer that had no valid cell.
    func check(_ stack: EvidenceStack) throws {
        guard stack.requireDataInEveryLayer else { return }
        if let k = seen.firstIndex(of: false) { throw PipelineError(stack.layers[k].path, "every cell is nodata") }
    }
}

/// Reads tiles of a stack into Float buffers, one instance per worker thread.
final class StackReader {
    let stack: EvidenceStack
    let tiling: Tiling
    private var datasets: [RasterDataset]
    private var raw: UnsafeMutableRawPointer
    let tileCells: Int

    /// Whether reads count each float layer's ±Inf cells into `stack.infiniteCells`: training
    /// passes do, to warn; scoring does not, as the scan would cost every tile a pass.
    let countsInfinite: Bool

    init(_ stack: EvidenceStack, tiling: Tiling, countsInfinite: Bool = false) throws {
        self.stack = stack
        self.tiling = tiling
        self.countsInfinite = countsInfinite
        datasets = try stack.layers.map { try RasterDataset.open($0.path) }
        tileCells = tiling.tileColumns * tiling.tileRows
        raw = UnsafeMutableRawPointer.allocate(byteCount: tileCells * 8, alignment: 64)
    }

    deinit { raw.deallocate() }

    /// A reader for one window of the stack (not tiled), for explaining a target.
    convenience init(_ stack: EvidenceStack, window: Window) throws {
        try self.init(stack, tiling: Tiling(grid: stack.grid, tileColumns: window.columns, tileRows: window.rows, blockAligned: false))
        self.window = window
    }

    private var window: Window?

    /// Reads the reader's window of every layer, transforms applied.
    func readWindow() throws -> [[Float]] {
        guard let window else { preconditionFailure("readWindow needs a window reader") }
        var out: [[Float]] = []
        for k in datasets.indices {
            var buffer = [Float](repeating: 0, count: window.cellCount)
            try buffer.withUnsafeMutableBufferPointer { b in
                try datasets[k].read(window: window, into: b)
                let chain = stack.layers[k].transforms
                if !chain.isEmpty { TransformKernel.apply(chain, b, nodata: stack.fileNodata[k]) }
            }
            out.append(buffer)
        }
        return out
    }

    /// Reads tile `index` of every layer into `buffers` (each `tileCells` long), applying
    /// each layer's transforms.
    ///
    /// Block-aligned tilings read whole file blocks (`GDALReadBlock`) and convert the native
    /// type in Swift; the cells of a buffer then follow the block's full width, and
    /// `rowStride` says so. Otherwise the window is read with `GDALRasterIO` and packed.
    /// - Returns: the window and the row stride of the buffers.
    func read(tile index: Int, into buffers: [UnsafeMutableBufferPointer<Float>]) throws -> (window: Window, rowStride: Int) {
        let (bc, br, window) = tiling.window(index)
        for k in 0..<datasets.count {
            if tiling.blockAligned {
                let type = stack.dataTypes[k]
                if type == .float32 {
                    try datasets[k].readBlock(blockColumn: bc, blockRow: br, into: UnsafeMutableRawPointer(buffers[k].baseAddress!))
                } else {
                    try datasets[k].readBlock(blockColumn: bc, blockRow: br, into: raw)
                    Self.convert(raw, type: type, into: buffers[k].baseAddress!, count: tileCells)
                }
            } else {
                try datasets[k].read(window: window, into: UnsafeMutableBufferPointer(rebasing: buffers[k][0..<window.cellCount]))
            }
            if countsInfinite, stack.dataTypes[k] == .float32 || stack.dataTypes[k] == .float64 {
                let n = InfiniteCells.count(buffers[k], window: window, stride: tiling.blockAligned ? tiling.tileColumns : window.columns)
                stack.infiniteCells.record(layer: k, tile: index, count: n)
            }
            let chain = stack.layers[k].transforms
            if !chain.isEmpty {
                let n = tiling.blockAligned ? tileCells : window.cellCount
                let stride = tiling.blockAligned ? tiling.tileColumns : window.columns
                let before = UnmappedCells.valued(buffers[k], window: window, stride: stride, nodata: stack.fileNodata[k])
                TransformKernel.apply(chain, UnsafeMutableBufferPointer(rebasing: buffers[k][0..<n]), nodata: stack.fileNodata[k])
                let after = UnmappedCells.mapped(buffers[k], window: window, stride: stride)
                stack.unmappedCells.record(layer: k, tile: index, count: before - after)
            }
        }
        return (window, tiling.blockAligned ? tiling.tileColumns : window.columns)
    }

    static func convert(_ src: UnsafeRawPointer, type: RasterDataType, into dst: UnsafeMutablePointer<Float>, count: Int) {
        switch type {
        case .byte:
            let p = src.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { dst[i] = Float(p[i]) }
        case .int16:
            let p = src.assumingMemoryBound(to: Int16.self)
            for i in 0..<count { dst[i] = Float(p[i]) }
        case .uint16:
            let p = src.assumingMemoryBound(to: UInt16.self)
            for i in 0..<count { dst[i] = Float(p[i]) }
        case .int32:
            let p = src.assumingMemoryBound(to: Int32.self)
            for i in 0..<count { dst[i] = Float(p[i]) }
        case .uint32:
            let p = src.assumingMemoryBound(to: UInt32.self)
            for i in 0..<count { dst[i] = Float(p[i]) }
        case .float64:
            let p = src.assumingMemoryBound(to: Double.self)
            for i in 0..<count { dst[i] = Float(p[i]) }
        case .float32:
            let p = src.assumingMemoryBound(to: Float.self)
            for i in 0..<count { dst[i] = p[i] }
        case .other: preconditionFailure("unsupported type reached the reader")
        }
    }
}
