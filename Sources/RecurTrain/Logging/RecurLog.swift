import Logging

/// Recur's logger (swift-log): progress lines, notes and errors of the commands. Where they go
/// is decided once by the program (`recur` bootstraps stderr as today's plain lines, plus the
/// config's `output.log_file` when set); a library user gets swift-log's default (stderr).
public enum RecurLog {
    /// The logger every part of Recur writes through.
    public static let logger = Logger(label: "recur")
}
