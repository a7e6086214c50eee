import Foundation
import RecurNN
import RecurTensor
import RecurTestSupport
import RecurTrain
import XCTest

final class FitLoopTests: XCTestCase {
    /// A sine series windowed into [N, T, 1] -> [N, 1].
    func samples(count: Int, steps: Int = 8, offset: Int = 0) throws -> SampleSet {
        var x: [Float] = [], y: [Float] = []
        for s in 0..<count {
            for k in 0...steps {
                let v = Float(0.5 + 0.4 * sin(Double(s + k + offset) * 0.3))
                if k < steps { x.append(v) } else { y.append(v) }
            }
        }
        return try SampleSet(x: Tensor(shape: [count, steps, 1], values: x), y: Tensor(shape: [count, 1], values: y))
    }

    func makeTrainer(seed: UInt64 = 1, learningRate: Float = 0.01) throws -> BatchTrainer {
        var rng = RandomGenerator(seed: seed)
        let model = try Sequential([LSTM(inputSize: 1, units: 6, rng: &rng), Dense(inputSize: 6, units: 1, rng: &rng)])
        return BatchTrainer(model: model, loss: .meanSquaredError, optimizer: try Optimizer.named("adam", learningRate: learningRate))
    }

    func testTrainingReducesLossAndIsBitReproducible() throws {
        let train = try samples(count: 64), validation = try samples(count: 16, offset: 64)
        var finals: [[Float]] = []
        for _ in 0..<2 {
            let trainer = try makeTrainer()
            let history = try FitLoop.fit(trainer, train: train, validation: validation,
                                          options: FitOptions(epochs: 15, batchSize: 8, seed: 3))
            XCTAssertEqual(history.epochs.count, 15)
            XCTAssertLessThan(history.epochs.last!.loss, history.epochs.first!.loss / 2)
            XCTAssertNotNil(history.epochs.last!.validationLoss)
            finals.append(trainer.model.parameters.values.scalars)
        }
        XCTAssertEqual(finals[0].map(\.bitPattern), finals[1].map(\.bitPattern), "same seed must give identical weights")
    }

    func testEarlyStoppingStopsAndRestoresBestWeights() throws {
        let train = try samples(count: 32), validation = try samples(count: 16, offset: 200)
        let trainer = try makeTrainer(learningRate: 0.05)
        let stopper = try EarlyStopping(monitor: "val_loss", patience: 2, minDelta: 10)  // nothing improves by 10
        let history = try FitLoop.fit(trainer, train: train, validation: validation,
                                      options: FitOptions(epochs: 50, batchSize: 8), callbacks: [stopper])
        XCTAssertEqual(history.stopReason, "early_stopping")
        XCTAssertEqual(history.epochs.count, 3, "first epoch sets the best, two more without improvement")
        XCTAssertEqual(history.bestEpoch, 1)
        let restored = try FitLoop.evaluate(trainer, on: validation)
        XCTAssertEqual(restored, history.epochs[0].validationLoss!, accuracy: 1e-6)
    }

    func testCheckpointAndHistoryFilesAreWritten() throws {
        let dir = try temporaryFolder("recur-fit")
        let train = try samples(count: 32), validation = try samples(count: 8, offset: 40)
        let trainer = try makeTrainer()
        let checkpoint = ModelCheckpoint(path: dir.appendingPathComponent("best.safetensors").path)
        let csv = CSVHistoryLogger(path: dir.appendingPathComponent("history.csv").path)
        _ = try FitLoop.fit(trainer, train: train, validation: validation, options: FitOptions(epochs: 4, batchSize: 8),
                            callbacks: [checkpoint, csv])
        let lines = try String(contentsOf: dir.appendingPathComponent("history.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 5)
        XCTAssertEqual(lines[0], "epoch,loss,val_loss,learning_rate,seconds")
        let file = try SafeTensors.read(dir.appendingPathComponent("best.safetensors").path)
        XCTAssertEqual(file.metadata["epoch"], checkpoint.savedEpoch.map(String.init))
        XCTAssertFalse(file.tensors.isEmpty)
    }

    func testNonFiniteLossStopsWithClearErrorAndKeepsCheckpoint() throws {
        let dir = try temporaryFolder("recur-fit")
        let path = dir.appendingPathComponent("best.safetensors").path
        let train = try samples(count: 32), validation = try samples(count: 8, offset: 40)
        let trainer = try makeTrainer()
        let checkpoint = ModelCheckpoint(path: path)
        // Blow up after the first epoch by raising the learning rate to infinity.
        final class Sabotage: TrainingCallback {
            func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision {
                optimizer.learningRate = 1e38
                return .proceed
            }
        }
        XCTAssertThrowsError(try FitLoop.fit(trainer, train: train, validation: validation,
                                             options: FitOptions(epochs: 5, batchSize: 8),
                                             callbacks: [checkpoint, Sabotage()], checkpointPath: path)) { error in
            guard case let TrainingError.nonFiniteLoss(epoch, _, _, kept) = error else { return XCTFail("\(error)") }
            XCTAssertGreaterThanOrEqual(epoch, 2)
            XCTAssertEqual(kept, path)
            XCTAssertTrue("\(error)".contains("learning rate"), "\(error)")
        }
        let file = try SafeTensors.read(path)
        XCTAssertEqual(file.metadata["epoch"], "1")
        for (_, t) in file.tensors { XCTAssertNil(t.firstNonFinite()) }
    }

    func testReduceLROnPlateauLowersTheRate() throws {
        let train = try samples(count: 16), validation = try samples(count: 8, offset: 100)
        let trainer = try makeTrainer()
        let plateau = try ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1, minDelta: 10, minLearningRate: 0.003)
        let history = try FitLoop.fit(trainer, train: train, validation: validation, options: FitOptions(epochs: 6, batchSize: 8),
                                      callbacks: [plateau])
        let rates = history.epochs.map(\.learningRate)
        XCTAssertEqual(rates[0], 0.01, accuracy: 1e-9)
        XCTAssertEqual(rates[2], 0.005, accuracy: 1e-7)
        XCTAssertEqual(rates.last!, 0.003, accuracy: 1e-7, "never below min_lr")
    }

    func testBadDataIsRejectedWithAMessage() throws {
        let x = try Tensor(shape: [2, 1, 1], values: [1, .nan])
        XCTAssertThrowsError(try SampleSet(x: x, y: Tensor(shape: [2, 1]), name: "train")) { error in
            XCTAssertTrue("\(error)".contains("train: input value nan"), "\(error)")
        }
        XCTAssertThrowsError(try SampleSet(x: Tensor(shape: [3, 1, 1]), y: Tensor(shape: [2, 1])))
    }
}
