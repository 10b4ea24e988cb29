"""Google Cloud emulators for the tests: ``GoogleFake``, a local endpoint for Google's REST APIs."""
