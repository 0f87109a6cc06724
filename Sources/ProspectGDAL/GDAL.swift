internal import CGDAL
internal import CPROJ

/// Process-wide GDAL set-up and version information.
public enum GDAL {
    private static let registration: Void = {
        // GDAL reports through CPLGetLastErrorMsg; the quiet handler keeps it off stderr.
        _ = CPLSetErrorHandler(CPLQuietErrorHandler)  // returns the previous handler
        GDALAllRegister()  // void
    }()

    /// Registers every GDAL/OGR driver once and silences GDAL's own stderr output.
    ///
    /// Safe to call from any thread, any number of times; every entry point of this module
    /// calls it. The corresponding C functions are `GDALAllRegister` and `CPLSetErrorHandler`
    /// (with `CPLQuietErrorHandler`).
    public static func initialize() { _ = registration }

    /// Sets (or with `nil` clears) a process-wide GDAL configuration option.
    ///
    /// The corresponding C function is `CPLSetConfigOption`.
    public static func setConfigOption(_ key: String, _ value: String?) {
        initialize()
        CPLSetConfigOption(key, value)  // void
    }

    /// The names of the creation options `driver` lists (empty for an unknown driver): an option
    /// it does not list is ignored with only a warning, which GDAL's quiet handler hides.
    ///
    /// The corresponding C functions are `GDALGetDriverByName` (NULL when not registered),
    /// `GDALGetDriverCreationOptionList` (XML, NULL when there is none) and `CPLParseXMLString`
    /// (NULL on malformed XML; freed with `CPLDestroyXMLNode`).
    public static func creationOptionNames(driver: String) -> Set<String> {
        initialize()
        guard let d = GDALGetDriverByName(driver), let list = GDALGetDriverCreationOptionList(d),
            let root = CPLParseXMLString(list)
        else { return [] }
        defer { CPLDestroyXMLNode(root) }
        var names: Set<String> = []
        var option = CPLGetXMLNode(root, "=CreationOptionList")?.pointee.psChild  // NULL when absent
        while let node = option {
            if node.pointee.eType == CXT_Element, String(cString: node.pointee.pszValue) == "Option",
                let name = CPLGetXMLValue(node, "name", nil)  // NULL when the attribute is absent
            {
                names.insert(String(cString: name))
            }
            option = node.pointee.psNext
        }
        return names
    }

    /// Runs `body` with GDAL's auxiliary side files (PAM, `.aux.xml`) off for the datasets this
    /// thread opens or creates in it.
    ///
    /// A dataset written under a temporary name and renamed into place cannot keep a side file:
    /// GDAL names it after the temporary, and the rename leaves it behind. GDAL decides whether
    /// a dataset uses side files when it first needs them (`GDAL_PAM_ENABLED`, read then), so a
    /// dataset created here keeps the choice when closed later, while datasets opened before,
    /// sources included, keep theirs. The option is set for this thread only and restored
    /// afterwards. The corresponding C functions are `CPLGetThreadLocalConfigOption` and
    /// `CPLSetThreadLocalConfigOption`.
    static func withoutSideFiles<R>(_ body: () throws -> R) rethrows -> R {
        initialize()
        let key = "GDAL_PAM_ENABLED"
        let previous = CPLGetThreadLocalConfigOption(key, nil).map { String(cString: $0) }  // NULL when unset
        CPLSetThreadLocalConfigOption(key, "NO")  // void
        defer { CPLSetThreadLocalConfigOption(key, previous) }  // void; NULL unsets
        return try body()
    }

    /// The GDAL release, e.g. "3.6.2". The corresponding C function is `GDALVersionInfo("RELEASE_NAME")`.
    public static var version: String {
        String(cString: GDALVersionInfo("RELEASE_NAME"))  // never NULL
    }

    /// The GDAL release as one number, e.g. 3060200 for 3.6.2 (major × 10⁶ + minor × 10⁴ +
    /// revision × 100). The corresponding C function is `GDALVersionInfo("VERSION_NUM")`.
    public static var versionNumber: Int {
        Int(String(cString: GDALVersionInfo("VERSION_NUM"))) ?? 0  // never NULL
    }

    /// The PROJ release, e.g. "9.1.1". The corresponding C function is `proj_info`.
    public static var projVersion: String {
        guard let v = proj_info().version else { return "" }
        return String(cString: v)
    }
}
