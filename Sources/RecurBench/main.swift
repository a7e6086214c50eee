print("RecurBench: being built")
