"""Cross-cloud analyses over the store, each answered by one MCP tool."""
