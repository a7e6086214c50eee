/// Metrics (original units) of one forecaster on each part of the data.
public struct SplitMetrics: Codable, Equatable, Sendable {
    public var train: MetricSet?
    public var validation: MetricSet?
    public var test: MetricSet?

    public init(train: MetricSet? = nil, validation: MetricSet? = nil, test: MetricSet? = nil) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}
