extension StudyReadout {
    /// A readout made by a `StudyReading` outside this module (the PostgreSQL reader); the
    /// memberwise initializer is internal to RecurTune.
    public static func make(study: StudyRecord, trials: [StoredTrial], change: Int?, incremental: Bool, counts: [TrialState: Int],
                            best: (number: Int, value: Double)?, lastUpdate: Double?) -> StudyReadout {
        StudyReadout(study: study, trials: trials, change: change, incremental: incremental, counts: counts, best: best,
                     lastUpdate: lastUpdate)
    }
}
