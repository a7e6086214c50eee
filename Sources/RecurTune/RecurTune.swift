/// RecurTune: search spaces, samplers (random, grid, TPE), pruners and persistent studies.
/// (Being built; this file goes when the first real type lands.)
enum RecurTuneModule {}
