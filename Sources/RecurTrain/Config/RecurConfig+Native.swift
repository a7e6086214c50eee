import RecurTensor

/// Writing a `RecurConfig` back in the native schema, with every default spelled out: for
/// showing the resolved config, for templates (which have no native text), and for the tuner,
/// which applies a trial's parameters to it like `--set` overrides.
extension RecurConfig {
    /// The config as a native document (every key present; paths as resolved).
    public func nativeValue() -> ConfigValue {
        var top: [(String, ConfigValue.Kind)] = []
        if let description { top.append(("description", .string(description))) }
        top.append(("data", data.nativeKind))
        top.append(("window", obj([("n_past_steps", num(window.nPastSteps)), ("horizon", num(window.horizon)),
                                   ("strategy", .string(window.strategy.rawValue)), ("layout", .string(window.layout.rawValue)),
                                   ("stride", num(window.stride))])))
        switch split {
        case let .fractions(t, v, s): top.append(("split", obj([("train", .number(t)), ("validation", .number(v)), ("test", .number(s))])))
        case let .dates(t, v): top.append(("split", obj([("train_until", .string(t)), ("validation_until", .string(v))])))
        case let .rows(t, v, s):
            func range(_ r: Range<Int>) -> ConfigValue.Kind { .array([num(r.lowerBound), num(r.upperBound)].map { ConfigValue($0) }) }
            top.append(("split", obj([("train_rows", range(t)), ("validation_rows", range(v)), ("test_rows", range(s))])))
        }
        top.append(("scaling", .string(scaling.rawValue)))
        top.append(("model", model.nativeKind))
        top.append(("training", training.nativeKind))
        // results_csv is left out when it is the default, so that overriding the directory moves it too.
        let defaultResults = OutputConfig(directory: output.directory).resultsCSV
        top.append(("output", obj([("directory", .string(output.directory))]
                                  + opt("results_csv", output.resultsCSV == defaultResults ? nil : .string(output.resultsCSV))
                                  + opt("log_file", output.logFile.map { .string($0) }))))
        if let search { top.append(("search", search.nativeKind)) }
        if let intervals {
            top.append(("intervals", obj([("levels", .array(intervals.levels.map { ConfigValue(.number($0)) })),
                                          ("method", .string(intervals.method.rawValue))])))
        }
        return ConfigValue(obj(top)).rebased(at: "")
    }

    /// The native document as indented JSON text.
    public func nativeJSON() -> String { nativeValue().prettyJSON() }

    /// This config with `parameters` (key path → value, e.g. a tuning trial's) applied like
    /// `--set` overrides, checked again.
    /// - Throws: `ConfigError` when a value does not fit its key.
    public func applying(_ parameters: [(name: String, value: SearchValue)]) throws -> RecurConfig {
        var tree = nativeValue()
        for p in parameters { tree = try ConfigOverride(p.name + "=" + p.value.description).apply(to: tree) }
        var config = try RecurConfig.decode(tree, file: sourceFile, baseDirectory: nil)
        config.format = format
        return config
    }
}

private func obj(_ members: [(String, ConfigValue.Kind)]) -> ConfigValue.Kind {
    .object(members.map { ConfigValue.Member(key: $0.0, value: ConfigValue($0.1)) })
}

private func num(_ n: Int) -> ConfigValue.Kind { .number(Double(n)) }

private func opt(_ key: String, _ value: ConfigValue.Kind?) -> [(String, ConfigValue.Kind)] {
    value.map { [(key, $0)] } ?? []
}

extension DataConfig {
    var nativeKind: ConfigValue.Kind {
        var m: [(String, ConfigValue.Kind)] = [("path", .string(path))]
        m += opt("datetime_column", datetimeColumn.map { .string($0) })
        m += opt("date_column", dateColumn.map { .string($0) })
        m += opt("hour_column", hourColumn.map { .string($0) })
        m += opt("minute_column", minuteColumn.map { .string($0) })
        m += opt("station_column", stationColumn.map { .string($0) })
        m += opt("station", station.map { .string($0) })
        m.append(("target", .string(target)))
        m.append(("features", .array(features.map { ConfigValue(.string($0)) })))
        m += opt("since", since.map { .string($0) })
        m += opt("until", until.map { .string($0) })
        m += opt("which_minute", whichMinute.map { num($0) })
        m.append(("frequency", .string(frequency.description)))
        m += opt("calendar", calendar.map { .array($0.map { ConfigValue(.string($0.rawValue)) }) })
        m.append(("cleaning", obj([("duplicates", .string(cleaning.duplicates.rawValue)),
                                   ("sentinels", .array(cleaning.sentinels.map { ConfigValue(.number($0)) })),
                                   ("detect_sentinels", .bool(cleaning.detectSentinels)),
                                   ("non_numeric", .string(cleaning.nonNumeric.rawValue)),
                                   ("gaps", .string(cleaning.gaps.rawValue)),
                                   ("max_gap", cleaning.maxGap.map { num($0) } ?? .string("unlimited"))]
                                  + opt("extreme_values", cleaning.extremeValues.map { .string($0.rawValue) }))))
        return obj(m)
    }
}

extension ModelConfig {
    var nativeKind: ConfigValue.Kind {
        switch self {
        case let .layers(layers):
            return obj([("layers", .array(layers.map { l in
                var m: [(String, ConfigValue.Kind)] = [("type", .string(l.type.rawValue))]
                m += opt("units", l.units.map { u in
                    if case let .count(n) = u { return num(n) }
                    return .string("auto")
                })
                m += opt("return_sequences", l.returnSequences.map { .bool($0) })
                m += opt("activation", l.activation.map { .string($0) })
                m += opt("recurrent_activation", l.recurrentActivation.map { .string($0) })
                m += opt("reset_after", l.resetAfter.map { .bool($0) })
                m += opt("dropout", l.dropout.map { .number($0) })
                m += opt("rate", l.rate.map { .number($0) })
                return ConfigValue(obj(m))
            }))])
        case let .widthRule(w):
            func group(_ g: WidthRule.Group, count: Bool) -> ConfigValue.Kind {
                obj((count ? [("count", num(g.count))] : []) + [("mult", .number(g.mult)), ("dropout", .number(g.dropout))])
            }
            return obj([("width_rule", obj([("cell", .string(w.cell.rawValue)), ("first", group(w.first, count: false)),
                                            ("middle", group(w.middle, count: true)), ("last", group(w.last, count: false))]))])
        }
    }
}

extension TrainingConfig {
    var nativeKind: ConfigValue.Kind {
        var loss: ConfigValue.Kind = .string(self.loss.name)
        if let d = self.loss.delta { loss = obj([("name", .string(self.loss.name)), ("delta", .number(d))]) }
        if let q = self.loss.quantiles { loss = obj([("quantile", .array(q.map { ConfigValue(.number($0)) }))]) }
        let o = optimizer
        var om: [(String, ConfigValue.Kind)] = [("name", .string(o.name.rawValue))]
        om += opt("learning_rate", o.learningRate.map { .number($0) })
        om += opt("momentum", o.momentum.map { .number($0) })
        om += opt("nesterov", o.nesterov.map { .bool($0) })
        om += opt("beta1", o.beta1.map { .number($0) })
        om += opt("beta2", o.beta2.map { .number($0) })
        om += opt("epsilon", o.epsilon.map { .number($0) })
        om += opt("rho", o.rho.map { .number($0) })
        om += opt("centered", o.centered.map { .bool($0) })
        om += opt("initial_accumulator", o.initialAccumulator.map { .number($0) })
        om += opt("clip_norm", o.clipNorm.map { .number($0) })
        om += opt("clip_value", o.clipValue.map { .number($0) })
        om += opt("l2", o.l2.map { .number($0) })
        om += opt("weight_decay", o.weightDecay.map { .number($0) })
        om += opt("style", o.style.map { .string($0.rawValue) })
        let early: ConfigValue.Kind = earlyStopping.map { e in
            obj([("monitor", .string(e.monitor)), ("patience", num(e.patience)), ("min_delta", .number(e.minDelta)),
                 ("restore_best_weights", .bool(e.restoreBestWeights))])
        } ?? .null
        let plateau: ConfigValue.Kind = reduceLROnPlateau.map { p in
            obj([("monitor", .string(p.monitor)), ("factor", .number(p.factor)), ("patience", num(p.patience)),
                 ("min_lr", .number(p.minLearningRate)), ("min_delta", .number(p.minDelta)), ("cooldown", num(p.cooldown))])
        } ?? .null
        return obj([("epochs", num(epochs)), ("batch_size", num(batchSize)), ("shuffle", .bool(shuffle)), ("loss", loss),
                    ("optimizer", obj(om)), ("seed", .number(Double(seed))), ("early_stopping", early),
                    ("reduce_lr_on_plateau", plateau), ("checkpoint", .bool(checkpoint)),
                    ("tensorboard", tensorboard.map { .string($0) } ?? .bool(false)), ("history_csv", .bool(historyCSV)),
                    ("validation_every", num(validationEvery))])
    }
}

extension SearchConfig {
    var nativeKind: ConfigValue.Kind {
        var m: [(String, ConfigValue.Kind)] = [("max_evals", num(maxEvals)), ("sampler", .string(sampler.rawValue))]
        m += opt("seed", seed.map { .number(Double($0)) })
        m += [("startup_trials", num(startupTrials)), ("pruner", .string(pruner.rawValue)), ("jobs", num(jobs)),
              ("objective", .string(objective))]
        func values(_ v: [SearchValue]) -> ConfigValue.Kind {
            .array(v.map { x in
                switch x {
                case let .number(n): return ConfigValue(.number(n))
                case let .string(s): return ConfigValue(.string(s))
                case let .bool(b): return ConfigValue(.bool(b))
                }
            })
        }
        let space: [(String, ConfigValue.Kind)] = self.space.map { p in
            var d: [(String, ConfigValue.Kind)]
            switch p.distribution {
            case let .choice(v): d = [("choice", values(v))]
            case let .uniform(l, h): d = [("uniform", values([.number(l), .number(h)]))]
            case let .logUniform(l, h): d = [("log_uniform", values([.number(l), .number(h)]))]
            case let .quantized(l, h, q): d = [("quantized", values([.number(l), .number(h), .number(q)]))]
            case let .int(l, h): d = [("int", values([.number(Double(l)), .number(Double(h))]))]
            }
            if let c = p.condition {
                var cm: [(String, ConfigValue.Kind)] = [("parameter", .string(c.parameter))]
                cm += opt("in", c.oneOf.map(values))
                cm += opt("at_least", c.atLeast.map { .number($0) })
                d.append(("condition", obj(cm)))
            }
            return (p.name, obj(d))
        }
        m.append(("space", obj(space)))
        return obj(m)
    }
}

extension ConfigValue {
    /// Indented JSON text: objects one key a line, short arrays of scalars on one line.
    public func prettyJSON(indent: String = "") -> String {
        let inner = indent + "  "
        switch kind {
        case let .object(m):
            guard !m.isEmpty else { return "{}" }
            return "{\n" + m.map { inner + JSONText.quote($0.key) + ": " + $0.value.prettyJSON(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        case let .array(a):
            if a.allSatisfy(\.isScalar) { return description }
            return "[\n" + a.map { inner + $0.prettyJSON(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        default:
            return description
        }
    }
}
