"""finops: the cross-cloud command and MCP server over a local FOCUS store."""
