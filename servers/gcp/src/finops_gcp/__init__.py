"""finops-gcp: the MCP server for Google Cloud costs, inventory, savings recommendations and remediation."""
