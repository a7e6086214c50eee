import RecurData

/// The config's data settings as `RecurData`'s types, for reading, cleaning, windowing,
/// splitting and scaling.
extension RecurConfig {
    /// Where the series comes from (`data` less its cleaning).
    public var timeSeriesSource: TimeSeriesSource {
        TimeSeriesSource(path: data.path, timeColumn: data.timeColumn, hourColumn: data.hourColumn,
                         minuteColumn: data.minuteColumn, stationColumn: data.stationColumn, station: data.station,
                         target: data.target, features: data.features, since: data.since, until: data.until,
                         whichMinute: data.whichMinute)
    }

    /// The key of this config that sets `setting`, for RecurData's errors (`DataError.naming`):
    /// the native schema's (`data.target`) or, for a template, the template's (`numeric_var`).
    public func key(for setting: SourceSetting) -> String {
        format == .template ? TemplateConfig.key(forNative: data.key(for: setting)) : data.key(for: setting)
    }

    /// `data.cleaning` and `data.frequency`.
    public var cleaningPolicy: CleaningPolicy {
        let c = data.cleaning
        var policy = CleaningPolicy(duplicates: c.duplicates, sentinels: c.sentinels, invalidCells: c.nonNumeric,
                                    frequencySeconds: data.frequency.seconds, gaps: GapPolicy(method: c.gaps, maxGap: c.maxGap))
        policy.extremeValues = c.extremeValues ?? .error
        return policy
    }

    /// `window` as sample shapes (the layout is the trainer's reshaping, not RecurData's).
    public var windowSpec: WindowSpec { WindowSpec(nPastSteps: window.nPastSteps, horizon: window.outputCount, stride: window.stride) }

    /// `split` (kept for callers that name it as RecurData's spec).
    public var splitSpec: SplitSpec { split }

    /// `scaling` (`auto` prepares `minmax` first; `AutoScaling` tries `window` too).
    public var scalerKind: ScalerKind {
        switch scaling {
        case .minmax, .auto: return .minMax
        case .standard: return .standard
        case .none: return .none
        case .window: return .window
        }
    }
}

extension DataConfig {
    /// The native key that sets `setting`: `data.target`, `data.datetime_column`, ...
    public func key(for setting: SourceSetting) -> String {
        if setting == .timeColumn { return datetimeColumn != nil ? "data.datetime_column" : "data.date_column" }
        return "data." + ConfigWords.snakeCase(setting.rawValue)
    }
}
