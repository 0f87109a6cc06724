extension ModelFile {
    /// A model file holding a tree ensemble.
    public init(tool: String, created: String, method: String, layers: [ModelLayer], trees: TreeEnsemble,
                parameters: [String: String], training: TrainingSummary) {
        self.format = Self.formatName
        self.formatVersion = Self.currentVersion
        self.tool = tool
        self.created = created
        self.method = method
        self.layers = layers
        self.model = nil
        self.trees = trees
        self.parameters = parameters
        self.training = training
    }
}
