"""The export formats finops can read, each mapping its columns onto FOCUS 1.2."""
