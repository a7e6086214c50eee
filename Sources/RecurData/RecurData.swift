/// RecurData: reading, cleaning, windowing and scaling time series. (Being built.)
public enum RecurDataInfo {
    /// The module's name, for diagnostics.
    public static let name = "RecurData"
}
