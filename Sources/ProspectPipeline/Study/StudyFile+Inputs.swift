import Foundation
import ProspectCore
import ProspectGDAL

extension StudyFile {
    /// Checks every input the study names before any step runs, so that a mistyped path, layer
    /// or field fails at once rather than after the prepare step: the grid's reference raster
    /// and each raster layer open with GDAL; the study area, each vector layer and the deposits
    /// open with OGR and hold the layer named (the first when none is; a CSV needs coordinate
    /// columns); a rasterized layer's field is there; the deposits' `where:` clause parses and
    /// their `id:` field is there. Nothing is written.
    /// - Throws: `PipelineError` naming the study file, the key and the file, for the first
    ///   problem in the order of the file's keys (grid, study_area, layers, deposits):
    ///   `study.yaml: deposits: no such file deposits.gpkgg`,
    ///   `study.yaml: layers[2] (rock).field: geology.gpkg: layer units has no field ROCK (fields: unit, age)`.
    public func checkInputs() throws {
        if case .reference(let path) = grid { try checkRaster(path, key: "grid.reference") }
        if let studyArea { _ = try checkVector(studyArea, key: "study_area") }
        for (i, layer) in layers.enumerated() {
            let key = "layers[\(i)] (\(layer.name))"
            switch layer.source {
            case .raster(let path, let kind, _):
                try checkRaster(path, key: key + (kind == .categorical ? ".categorical" : ".raster"))
            case .distance(let v):
                _ = try checkVector(v, key: key + ".distance")
            case .density(let v, _):
                _ = try checkVector(v, key: key + ".density")
            case .rasterize(let v, nil):
                _ = try checkVector(v, key: key + ".inside")
            case .rasterize(let v, let field?):
                let (dataset, name) = try checkVector(v, key: key + ".rasterize")
                let fields = try inStudy(key + ".field", v.path) { try dataset.fields(layer: name).map(\.name) }
                // Matched as prepare matches it: exactly, else without regard to case.
                guard fields.contains(field) || fields.contains(where: { $0.lowercased() == field.lowercased() }) else {
                    throw PipelineError(
                        path,
                        "\(key).field: \(shown(v.path)): layer \(name) has no field \(field) (fields: \(fields.joined(separator: ", ")))")
                }
            }
        }
        if let deposits {
            _ = try checkVector(deposits, key: "deposits")
            do { try DepositSet.check(deposits, selection: depositSelection) } catch let e as OptionError {
                throw e.inStudy(path) { _ in nil }
            }
        }
    }

    /// A raster input exists and GDAL opens it.
    private func checkRaster(_ file: String, key: String) throws {
        try requireFile(file, key: key)
        _ = try inStudy(key, file) { try RasterDataset.open(file) }
    }

    /// A vector input exists, OGR opens it and it holds the layer named (a CSV: coordinate
    /// columns). Returns the open dataset and the layer's name.
    private func checkVector(_ source: VectorSource, key: String) throws -> (VectorDataset, String) {
        try requireFile(source.path, key: key)
        return try inStudy(key, source.path) {
            let dataset = try VectorDataset.open(source.path)
            return (dataset, try dataset.checkLayer(source.layer))
        }
    }

    /// A plain path must exist; other GDAL names (`GPKG:f.gpkg:table`, `/vsizip/…`) are left
    /// to the open that follows (`DatasetName.missing`).
    private func requireFile(_ file: String, key: String) throws {
        guard let missing = DatasetName.missing(file) else { return }
        if missing.message == "no such file" { throw PipelineError(path, "\(key): no such file \(shown(file))") }
        throw PipelineError(path, "\(key): \(shown(file)): \(missing.message)")
    }

    /// Runs `body`, turning a GDAL error about `file` into one naming the study file and `key`.
    private func inStudy<T>(_ key: String, _ file: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as GDALError {
            throw PipelineError(path, "\(key): \(shown(file)): \(e.message)")
        } catch let e as PipelineError {
            throw PipelineError(path, "\(key): \(shown(file)): \(e.message)")
        }
    }

    /// A file as the study file would name it: relative to the study file's folder.
    private func shown(_ file: String) -> String {
        RelativePath.make(file, from: URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path)
    }
}
