import Foundation
import Prometheus

/// The server's Prometheus metrics (one registry per server, emitted by `GET /metrics`):
/// - `recur_http_requests_total{route,status}`: requests by route template and status code;
/// - `recur_http_request_duration_seconds{route}`: latency histogram;
/// - `recur_forecasts_total{model}`: forecasts answered per model;
/// - `recur_models_loaded`: packages being served;
/// - `recur_model_reload_failures_total`: packages refused by hot reload.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let modelsLoaded: Gauge
    let reloadFailures: Counter
    static let buckets: [Duration] = [500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000]
        .map { Duration.microseconds($0) }

    init() {
        modelsLoaded = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "recur_models_loaded", unitName: "", helpText: "Model packages being served."))
        reloadFailures = registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "recur_model_reload_failures", unitName: "total", helpText: "Model packages refused by hot reload."))
    }

    func request(route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "recur_http_requests", unitName: "total", helpText: "HTTP requests by route and status."),
                             labels: [("route", route), ("status", "\(status)")]).increment()
        registry.makeDurationHistogram(descriptor: MetricNameDescriptor(metricName: "recur_http_request_duration", unitName: "seconds", helpText: "Request latency."),
                                       labels: [("route", route)], buckets: Self.buckets).record(duration)
    }

    func forecast(model: String) {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "recur_forecasts", unitName: "total", helpText: "Forecasts answered per model."),
                             labels: [("model", model)]).increment()
    }

    /// The Prometheus text exposition.
    func text() -> String { registry.emitToString() }
}
