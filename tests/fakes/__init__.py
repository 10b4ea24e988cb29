"""Local emulators of cloud APIs that moto and the official emulators do not cover."""
