import Foundation
import ProspectCore

/// Reads and writes model files, with errors that name the file.
public enum ModelStore {
    public static func load(_ path: String) throws -> ModelFile {
        guard FileManager.default.fileExists(atPath: path) else { throw PipelineError(path, "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw PipelineError(path, "cannot be read") }
        do { return try ModelFile.decode(data) } catch let e as ModelFile.FormatError {
            throw PipelineError(path, e.message)
        }
    }

    /// Writes atomically: a temporary file renamed into place.
    public static func save(_ model: ModelFile, to path: String) throws {
        try stage(model, to: path).commit()
    }

    /// Writes the model under a temporary name beside `path`, to be committed (alone or with
    /// the outputs it belongs with) by the caller.
    public static func stage(_ model: ModelFile, to path: String) throws -> AtomicOutput {
        let out = try AtomicOutput(path)
        do {
            try OutputFiles.write(model.encoded(), to: out.temporaryPath, reportedAs: path)
        } catch {
            out.discard()
            throw error
        }
        return out
    }

    /// The evidence layers a model names, resolved against the model's folder, with
    /// `overrides` (layer name → path) replacing stored paths.
    /// - Throws: when an override names a layer the model does not have.
    public static func layerSpecs(of model: ModelFile, modelPath: String, overrides: [String: String] = [:]) throws -> [LayerSpec] {
        let dir = URL(fileURLWithPath: modelPath).deletingLastPathComponent().path
        for name in overrides.keys where !model.layers.contains(where: { $0.name == name }) {
            throw PipelineError(
                modelPath,
                "the model has no layer named \"\(Echo.short(name))\" (it has \(model.layers.map(\.name).joined(separator: ", ")))")
        }
        return model.layers.map { layer in
            LayerSpec(
                name: layer.name, path: overrides[layer.name] ?? RelativePath.resolve(layer.path, from: dir),
                kind: layer.kind, transforms: layer.transforms)
        }
    }
}
