"""AWS emulators for the tests: the moto server, and ``AwsJsonFake`` for the services moto lacks."""
