"""finops-azure: the MCP server for Azure costs, inventory, savings recommendations and remediation."""
