"""Azure emulators for the tests: ``ArmFake``, a local Azure Resource Manager endpoint."""
