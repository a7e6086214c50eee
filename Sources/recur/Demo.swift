import ArgumentParser
import Foundation
import RecurNN
import RecurTensor

/// `recur demo`: trains a small LSTM forecaster on a synthetic series the tool generates
/// (labelled as such), so a fresh clone can see the engine work end to end with no data set.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an LSTM on a generated (synthetic) temperature-like series and compare it with persistence.")

    @Option(parsing: .unconditional, help: "Random seed: the same seed gives the same model, bit for bit.", transform: parseSeed)
    var seed: UInt64 = 1

    @Option(help: "Training epochs.")
    var epochs = 30

    @Option(help: "Past steps the model sees.")
    var pastSteps = 24

    @Option(help: "Cell type: lstm, gru or simple_rnn.")
    var cell = "lstm"

    @Option(help: "Units in the recurrent layer.")
    var units = 16

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1 (got \(epochs))") }
        guard pastSteps >= 1 else { throw ValidationError("--past-steps must be at least 1 (got \(pastSteps))") }
        guard units >= 1 else { throw ValidationError("--units must be at least 1 (got \(units))") }
        guard ["lstm", "gru", "simple_rnn"].contains(cell) else {
            throw ValidationError("--cell must be lstm, gru or simple_rnn (got '\(cell)')")
        }
    }

    func run() throws {
        // Synthetic hourly "temperature": daily cycle + slow drift + noise, 2,000 hours.
        var noise = RandomGenerator(seed: 1234)
        let n = 2000
        let series: [Float] = (0..<n).map { t in
            let day = 2 * Float.pi * Float(t) / 24
            return 20 + 6 * sin(day) + 2 * sin(day / 30) + noise.uniform(-0.8, 0.8)
        }
        let low = series.min()!, high = series.max()!
        let scaled = series.map { ($0 - low) / (high - low) }
        let samples = n - pastSteps
        let trainCount = samples * 8 / 10
        func windows(_ range: Range<Int>) throws -> (Tensor, Tensor) {
            var x: [Float] = [], y: [Float] = []
            for s in range {
                x += scaled[s..<(s + pastSteps)]
                y.append(scaled[s + pastSteps])
            }
            return (try Tensor(shape: [range.count, pastSteps, 1], values: x), try Tensor(shape: [range.count, 1], values: y))
        }
        let (trainX, trainY) = try windows(0..<trainCount)
        let (testX, testY) = try windows(trainCount..<samples)

        var rng = RandomGenerator(seed: seed)
        let recurrent: Layer
        switch cell {
        case "gru": recurrent = try GRU(inputSize: 1, units: units, rng: &rng)
        case "simple_rnn": recurrent = try SimpleRNN(inputSize: 1, units: units, rng: &rng)
        default: recurrent = try LSTM(inputSize: 1, units: units, rng: &rng)
        }
        let model = try Sequential([recurrent, try Dense(inputSize: units, units: 1, rng: &rng)])
        print("Synthetic series (generated, not real data): \(n) hourly values, daily cycle + drift + noise")
        print(model.summary())
        let trainer = BatchTrainer(model: model, loss: .meanSquaredError, optimizer: try Optimizer.named("adam", learningRate: 0.01))
        let batch = 32
        var order = Array(0..<trainCount)
        let bx = Tensor(shape: [batch, pastSteps, 1]), by = Tensor(shape: [batch, 1])
        let start = Date()
        for epoch in 1...epochs {
            order = rng.permutation(trainCount).map { order[$0] }
            var total = 0.0, batches = 0
            var i = 0
            while i + batch <= trainCount {
                for b in 0..<batch {
                    let s = order[i + b]
                    for k in 0..<pastSteps { bx[b * pastSteps + k] = trainX[s * pastSteps + k] }
                    by[b] = trainY[s]
                }
                total += Double(try trainer.step(input: bx, target: by))
                batches += 1
                i += batch
            }
            if epoch == 1 || epoch == epochs || epoch % 10 == 0 {
                FileHandle.standardError.write(Data(String(format: "epoch %3d  loss %.5f\n", epoch, total / Double(batches)).utf8))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let prediction = try model.predict(testX)
        var se = 0.0, sePersistence = 0.0
        for s in 0..<testY.count {
            let scale = Double(high - low)
            let actual = Double(testY[s]) * scale
            se += pow(Double(prediction[s]) * scale - actual, 2)
            sePersistence += pow(Double(testX[s * pastSteps + pastSteps - 1]) * scale - actual, 2)
        }
        let rmse = (se / Double(testY.count)).squareRoot()
        let persistence = (sePersistence / Double(testY.count)).squareRoot()
        print(String(format: "trained %d epochs in %.2f s (%.0f samples/s)", epochs, seconds, Double(epochs * (trainCount / batch) * batch) / seconds))
        print(String(format: "test RMSE %.3f degrees (persistence %.3f) on %d held-out hours", rmse, persistence, testY.count))
    }
}
