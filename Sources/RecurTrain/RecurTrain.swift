/// RecurTrain: configuration, the fit loop and its callbacks, metrics and baselines, model
/// packages, TensorBoard logs and SVG plots. (Being built.)
public enum RecurTrainInfo {
    /// The module's name, for diagnostics.
    public static let name = "RecurTrain"
}
