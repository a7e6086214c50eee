// Test target for RecurTune; the tests land with the sampler and study code.
