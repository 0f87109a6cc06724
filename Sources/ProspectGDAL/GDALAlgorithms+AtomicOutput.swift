internal import CGDAL
import ProspectCore

extension GDALAlgorithms {
    /// Runs a GDAL utility that writes a new dataset under a temporary name beside
    /// `destination`, then renames it into place: the destination is replaced whole or left
    /// as it was.
    ///
    /// The temporary is named by `TemporaryName` and registered with `TemporaryFiles` while it
    /// exists; temporaries of `destination` left by killed processes are removed first
    /// (`StaleTemporaries`). GDAL's side files are off for the new dataset (`GDAL.withoutSideFiles`): one
    /// would be written under the temporary's name on close and stay behind at the rename (a
    /// warp copies a source's raster attribute table, which a GeoTIFF holds only in an
    /// `.aux.xml`). The CPL error state is reset just before `run` calls the utility
    /// (`GDALWarp`, `GDALVectorTranslate`, `GDALTranslate`, `GDALBuildVRT`: all return NULL on
    /// failure). The dataset it returns gets one owner, is handed to `finish` (which may read
    /// or change it, or close it itself), closed with its flush checked, and renamed to
    /// `destination` (`VSIRename`). On any failure the dataset is closed first, so that a
    /// driver that writes on close (VRT) cannot bring the file back, and then the temporary's
    /// files are removed.
    /// - Parameters:
    ///   - destination: the file to write (replaced on success).
    ///   - failure: what went wrong when `run` returns NULL, e.g. "could not build a VRT";
    ///     GDAL's message follows in parentheses.
    ///   - opensSources: true when `run` opens its sources itself (`GDALBuildVRT`): side files
    ///     then stay on, so the sources' own are read. Other callers open their sources before.
    ///   - run: calls the utility with the temporary name and returns its result.
    ///   - finish: work on the written dataset before it is closed.
    /// - Returns: what `finish` returns.
    /// - Throws: `GDALError` naming `destination`: "<failure> (<GDAL's message>)" when `run`
    ///   returns NULL, "could not finish writing (…)" when closing fails, "could not rename …
    ///   into place"; or what `finish` throws.
    static func writeAtomically<R>(
        to destination: String, failure: String, opensSources: Bool = false,
        _ run: (_ temporary: String) -> GDALDatasetH?, finish: (OwnedDataset) throws -> R
    ) throws -> R {
        StaleTemporaries.remove(of: [destination])
        let temporary = TemporaryName.make(for: destination)
        TemporaryFiles.shared.register(temporary)
        defer { TemporaryFiles.shared.unregister(temporary) }
        func write() throws -> R {
            CPL.reset()
            guard let handle = run(temporary) else {  // NULL on failure
                let message = CPL.detail(failure)
                removeFiles(of: temporary)
                throw GDALError(path: destination, message: message)
            }
            let output = OwnedDataset(handle: handle, path: destination)
            do {
                let result = try finish(output)
                try output.close()
                try VSI.rename(temporary, destination)
                return result
            } catch {
                try? output.close()  // nothing more to report: the first error is thrown
                removeFiles(of: temporary)
                throw error
            }
        }
        return try opensSources ? write() : GDAL.withoutSideFiles(write)
    }

    /// Creates a Float32 GeoTIFF on `grid` under a temporary name beside `outputPath` (a
    /// `TemporaryName`, registered with `TemporaryFiles`, without side files; stale temporaries
    /// of `outputPath` removed first), hands it to
    /// `write`, closes it with its flush checked and renames it into place (`VSIRename`); on
    /// any failure the temporary is removed, so `outputPath` is replaced whole or left as it was.
    /// - Parameters:
    ///   - creationOptions: GTiff creation options, e.g. "TILED=YES", "COMPRESS=DEFLATE".
    ///   - write: fills the new raster.
    /// - Throws: what creating the raster or `write` throws; `GDALError` naming `outputPath`
    ///   when closing or renaming fails.
    static func writeFloat32GeoTIFF(
        grid: Grid, to outputPath: String, creationOptions: [String], _ write: (OwnedDataset) throws -> Void
    ) throws {
        StaleTemporaries.remove(of: [outputPath])
        let temporary = TemporaryName.make(for: outputPath)
        TemporaryFiles.shared.register(temporary)
        defer { TemporaryFiles.shared.unregister(temporary) }
        do {
            try GDAL.withoutSideFiles {
                let output = try OwnedDataset.raster(
                    grid: grid, type: GDT_Float32, driver: "GTiff", path: temporary,
                    options: creationOptions)
                try write(output)
                do { try output.close() } catch let e as GDALError { throw GDALError(path: outputPath, message: e.message) }
            }
            try VSI.rename(temporary, outputPath)
        } catch {
            removeFiles(of: temporary)
            throw error
        }
    }

    /// Removes a temporary and the files GDAL wrote under its name (`VSI.files(of:)`).
    static func removeFiles(of temporary: String) {
        for file in VSI.files(of: temporary) { VSI.remove(file) }
    }
}
